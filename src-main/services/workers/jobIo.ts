import type { EngineReport } from '@shared/system/engineTypes'
import type { LungMaskers } from '../inputs/lungMasker'
import type { JobLauncher } from './launcher'

/** What a job sees of its surroundings, in a worker or (tests) on the calling thread. */
export interface JobContext<Event> {
  /** Sends an event to the service that started the job (progress, logs); `transfer` moves buffers instead of copying. */
  emit(event: Event, transfer?: ArrayBuffer[]): void
  /** Polled between steps: true once the job was asked to stop. */
  shouldStop(): boolean
  /** Why it was asked to stop, when the asker said (e.g. the app shutting down). */
  stopReason?(): string | undefined
  /** Aborted the moment a stop is asked (its reason: the asker's, e.g. the app shutting down). */
  signal: AbortSignal
  /** The engine the job runs on; null for jobs that need no TensorFlow.js. */
  engine: EngineReport | null
  /** Lung models to use instead of loading them from their folders (tests); absent in workers. */
  lungMaskers?: LungMaskers
  /** Starts helper jobs in workers of their own (a run's input preparation lanes); absent on the calling thread. */
  helpers?: JobLauncher
}

/** A kind of job: what it needs, and the code that runs it. */
export interface JobExecutor<Payload, Event, Result> {
  /** What the job is, in words for a message ("training", "evaluation"). */
  label: string
  /** Whether the worker must start TensorFlow.js (climb the backend ladder) before running it. */
  needsEngine: boolean
  run(payload: Payload, context: JobContext<Event>): Promise<Result>
  /** Buffers of the result to move rather than copy (large outputs). */
  transferables?(result: Result): ArrayBuffer[]
}

/** A job failure the user can act on: its message is shown as it is, without a stack. */
export class JobFailure extends Error {
  override name = 'JobFailure'
}
