import type { ImportJobStatus, ImportPhase, ImportProgress } from '@shared/library/jobs'

/**
 * Rate and time-left of a running job. The rate counts only files processed in this run, over this run's time:
 * a resumed job's earlier files took no time now, and counting them would promise an ETA it cannot keep.
 */
export class ProgressTracker {
  private readonly startedAt: number
  private processedThisRun = 0
  /** Workers reading files side by side (the job's own thread: 1). */
  workers = 1

  /**
   * @param jobId the job.
   * @param datasetId its dataset.
   * @param total planned files.
   * @param done files already processed before this run.
   * @param failed files already failed before this run.
   * @param clock milliseconds now (injected for tests).
   */
  constructor(
    private readonly jobId: string,
    private readonly datasetId: string,
    private readonly total: number,
    private done: number,
    private failed: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.startedAt = clock()
  }

  /** Count a batch of processed files. */
  record(processed: number, failed: number): void {
    this.processedThisRun += processed
    this.done += processed
    this.failed += failed
  }

  /** Seconds since this run started. */
  elapsedSeconds(): number {
    return (this.clock() - this.startedAt) / 1000
  }

  /** The progress event for the current state. */
  snapshot(status: ImportJobStatus, phase: ImportPhase): ImportProgress {
    const seconds = this.elapsedSeconds()
    const rate = seconds > 0 ? this.processedThisRun / seconds : 0
    const remaining = this.total - this.done
    return {
      jobId: this.jobId,
      datasetId: this.datasetId,
      status,
      phase,
      done: this.done,
      total: this.total,
      failed: this.failed,
      ratePerSecond: rate,
      etaSeconds: remaining === 0 ? 0 : rate > 0 ? remaining / rate : null,
      ...(this.workers > 1 ? { workers: this.workers } : {}),
    }
  }
}
