import type { BackendPreference, EngineReport } from '@shared/system/engineTypes'

/**
 * Messages between a service on the main thread and a job worker. Plain structured-clone data only: the worker
 * has its own TensorFlow.js, its own database connection and its own files, and nothing but these messages
 * crosses.
 */

/** The backend a worker climbs to (the same ladder, from the same preference, as the main engine). */
export interface WorkerBackend {
  preference: BackendPreference
  source: EngineReport['preferenceSource']
  /**
   * Threads for the worker's kernels (onednn), instead of one per core: helper workers that run beside a training
   * (input preparation) take one each, so the cores are not oversubscribed.
   */
  threads?: number
}

/** Main → worker. */
/** `cancel` may say why (a shutdown rather than the user): some jobs record it (an import becomes interrupted, not cancelled). */
export type ToWorker = { type: 'job'; kind: string; payload: unknown; backend: WorkerBackend } | { type: 'cancel'; reason?: string }

/** Worker → main. */
export type FromWorker =
  | { type: 'event'; event: unknown }
  | { type: 'result'; result: unknown }
  /** `expected`: a failure the user can act on (shown as is); otherwise an internal error with its stack for the log. */
  | { type: 'failed'; reason: string; expected: boolean; stack: string | null }
