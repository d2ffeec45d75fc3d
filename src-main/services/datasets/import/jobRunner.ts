import type { Database } from 'better-sqlite3'
import type { ImportJobStatus, ImportPhase, ImportProgress } from '@shared/library/jobs'
import type { DatasetRepository } from '../../library/datasetRepository'
import type { JobRow } from '../../library/importJobRepository'
import { applyOutcome } from './applyOutcomes'
import type { BatchWriters } from './applyOutcomes'
import { processOnLanes, type ImportLanes } from './importLanes'
import type { ItemOutcome, ProcessContext } from './outcomes'
import { processItems } from './processItems'
import { ProgressTracker } from './progress'

/** Test seams: where a test can stop or break a job to prove it recovers. */
export interface ImportTestHooks {
  /** Inside each batch's transaction, after its rows are written and before commit; a throw here rolls the batch back, as a crash would. */
  inBatchTransaction?(info: { jobId: string; batchIndex: number }): void
  /** After each batch has committed. */
  afterBatch?(info: { jobId: string; batchIndex: number; done: number; total: number }): void
}

/** What running a job needs. */
export interface JobRunnerDeps {
  db: Database
  writers: BatchWriters
  datasets: Pick<DatasetRepository, 'touch'>
  /** The tools for processing files of this job. */
  createContext(job: JobRow, signal: AbortSignal): ProcessContext
  /** Files per transaction. */
  batchSize: number
  /** Files processed at once (hashing, decoding and thumbnailing overlap I/O with CPU). */
  concurrency: number
  emit(progress: ImportProgress): void
  now(): string
  hooks?: ImportTestHooks
  /** Workers that process image files side by side (the app's import worker); absent: this thread only. */
  lanes?: ImportLanes
}

/** The abort reason `close()` uses: the job was stopped by shutdown, not by the user. */
export const SHUTDOWN = 'shutdown'

/**
 * Run (or resume) a recorded job until no file is pending, the signal aborts, or something unexpected fails.
 *
 * Crash safety: files are processed in batches; each batch's database writes (images, masks, issues, item
 * statuses) happen in one transaction after the batch's file work. A crash before the commit leaves the batch's
 * items pending and nothing of them written; the cache files it may have made are content-addressed and
 * harmless. Resuming re-runs exactly the pending items, so a resumed job ends in the same state as one that
 * never stopped.
 * @param jobId a recorded job.
 * @param deps the database, tools and settings.
 * @param signal aborts the run: the files in flight finish and are committed, the rest stay pending.
 * @returns how the run ended.
 */
export async function runImportJob(jobId: string, deps: JobRunnerDeps, signal: AbortSignal): Promise<ImportJobStatus> {
  const { jobs } = deps.writers
  const job = jobs.get(jobId)
  if (!job) throw new Error(`import job ${jobId} vanished`)
  jobs.start(jobId, process.pid, deps.now())
  const counts = jobs.itemCounts(jobId)
  const total = counts.image.planned + counts.mask.planned
  const pending = counts.image.pending + counts.mask.pending
  const tracker = new ProgressTracker(jobId, job.datasetId, total, total - pending, counts.image.failed + counts.mask.failed)
  let phase: ImportPhase = counts.image.pending > 0 || counts.mask.pending === 0 ? 'images' : 'masks'
  let lastBeat = 0
  jobs.setPhase(jobId, phase)
  deps.emit(tracker.snapshot('running', phase))

  const write = deps.db.transaction((outcomes: ItemOutcome[], batchIndex: number, now: string, seconds: number): number => {
    let failed = 0
    let changed = false
    for (const outcome of outcomes) {
      const status = applyOutcome(outcome, deps.writers, { jobId, datasetId: job.datasetId, duplicates: duplicatePolicy(job), now })
      if (status === 'failed') failed += 1
      if (status === 'imported') changed = true
    }
    if (changed) deps.datasets.touch(job.datasetId, now)
    jobs.heartbeat(jobId, now, seconds)
    deps.hooks?.inBatchTransaction?.({ jobId, batchIndex })
    return failed
  })

  let batchIndex = 0
  const commit = (outcomes: ItemOutcome[]) => {
    const seconds = tracker.elapsedSeconds()
    const failed = write.immediate(outcomes, batchIndex, deps.now(), seconds - lastBeat)
    lastBeat = seconds
    tracker.record(outcomes.length, failed)
    const progress = tracker.snapshot('running', phase)
    deps.emit(progress)
    deps.hooks?.afterBatch?.({ jobId, batchIndex, done: progress.done, total: progress.total })
    batchIndex += 1
  }

  try {
    const context = deps.createContext(job, signal)
    while (!signal.aborted) {
      const lanes = deps.lanes && deps.lanes.count > 1 ? deps.lanes : undefined
      const next = jobs.pendingItems(jobId, lanes ? lanes.window : deps.batchSize)
      if (next.length === 0) break
      // Masks read their image's row, so a batch never mixes images with the masks that may follow them.
      const end = next.findIndex((item) => item.kind !== next[0].kind)
      const items = end === -1 ? next : next.slice(0, end)
      const itemPhase: ImportPhase = items[0].kind === 'image' ? 'images' : 'masks'
      if (itemPhase !== phase) {
        phase = itemPhase
        jobs.setPhase(jobId, phase)
      }
      if (lanes && itemPhase === 'images' && items.length >= lanes.minimum) {
        tracker.workers = Math.min(lanes.count, items.length)
        await processOnLanes(items, lanes, deps.batchSize, commit, signal)
      } else {
        tracker.workers = 1
        for (let from = 0; from < items.length && !signal.aborted; from += deps.batchSize) {
          commit(await processItems(items.slice(from, from + deps.batchSize), context, deps.concurrency, signal))
        }
      }
    }
    const left = jobs.itemCounts(jobId)
    const finished = left.image.pending + left.mask.pending === 0
    const status: ImportJobStatus = finished ? 'completed' : signal.reason === SHUTDOWN ? 'interrupted' : 'cancelled'
    if (finished) {
      phase = 'done'
      jobs.setPhase(jobId, phase)
    }
    jobs.finish(jobId, status, deps.now(), status === 'interrupted' ? 'the app closed during the import' : undefined)
    deps.emit(tracker.snapshot(status, phase))
    return status
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    jobs.finish(jobId, 'failed', deps.now(), message)
    deps.emit(tracker.snapshot('failed', phase))
    return 'failed'
  }
}

function duplicatePolicy(job: JobRow) {
  return job.spec.kind === 'masks' ? 'keep' : job.spec.duplicates
}
