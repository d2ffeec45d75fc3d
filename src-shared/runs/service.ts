import { z } from 'zod'
import type { RunConfigInput } from './config'
import { RunConfigSchema } from './config'
import type { RunChangeEvent, RunProgressEvent } from './events'
import type { RunRecord } from './record'

/** `get`, `cancel`, `resume`, `delete`. */
export const RunIdRequestSchema = z.object({ runId: z.string().min(1).max(200).regex(/^[\w.-]+$/, 'run ids are letters, digits, . _ -') })
/** `start`, `estimate`. */
export const RunConfigRequestSchema = z.object({ config: RunConfigSchema })
/** `predict`: a completed run's model on image files. */
export const PredictRequestSchema = z.object({ runId: RunIdRequestSchema.shape.runId, imagePaths: z.array(z.string().min(1)).min(1).max(10_000) })

/** One image's COVID+ probability. */
export const PredictionSchema = z.object({ path: z.string(), probability: z.number() })
/** One image's COVID+ probability. */
export type Prediction = z.infer<typeof PredictionSchema>

/** What `estimate` measured. */
export const RunEstimateSchema = z.object({
  backend: z.string(),
  /** Seconds of one training step of `batchSize` images at the run's input size (median of the timed steps). */
  secondsPerStep: z.number(),
  /** Training images in the composition (and the pre-training set), times epochs. */
  trainingImages: z.number().int(),
  /** Estimated seconds of the whole run: training steps plus validation passes (forward ≈ a third of a step). */
  totalSeconds: z.number(),
})
/** What `estimate` measured. */
export type RunEstimate = z.infer<typeof RunEstimateSchema>

/** Stops a subscription. */
export type Unsubscribe = () => void

/**
 * Training runs: a queue that trains one run at a time in a worker thread, with progress events, checkpoints,
 * cancel and resume, and a provenance record per run. Methods take and return plain data (the interface is
 * the IPC contract; request schemas above); events are `onDid…` and return an unsubscribe.
 */
export interface RunsService {
  /** Validate the configuration, record the run as `queued` and return its id; it starts when the queue is free. */
  start(config: RunConfigInput, options?: { estimatedSeconds?: number }): Promise<{ runId: string }>
  /** Every run, newest first. */
  list(): Promise<RunRecord[]>
  /** One run. Rejects naming the id when there is no such run. */
  get(request: z.input<typeof RunIdRequestSchema>): Promise<RunRecord>
  /** Stop a queued or running run. A running one saves a checkpoint first and becomes `cancelled` (resumable). */
  cancel(request: z.input<typeof RunIdRequestSchema>): Promise<void>
  /** Queue a failed, cancelled or interrupted run again; it continues from its last checkpoint. */
  resume(request: z.input<typeof RunIdRequestSchema>): Promise<void>
  /** Delete a run that is not running, with its checkpoints and model (undoable for an hour with `restore`). */
  delete(request: z.input<typeof RunIdRequestSchema>): Promise<void>
  /** Bring back a run deleted less than an hour ago, as it was. */
  restore(request: z.input<typeof RunIdRequestSchema>): Promise<void>
  /** COVID+ probabilities of image files under a completed run's model (preprocessed as in training). */
  predict(request: z.input<typeof PredictRequestSchema>): Promise<Prediction[]>
  /** Seconds the run would take on the active backend, from timing a few real training steps. */
  estimate(config: RunConfigInput): Promise<RunEstimate>
  /** Resolves with the record once the run is completed, failed or cancelled. */
  waitForRun(request: z.input<typeof RunIdRequestSchema>): Promise<RunRecord>
  /** Progress of the running run, after each step. */
  onDidProgress(listener: (event: RunProgressEvent) => void): Unsubscribe
  /** Record changes: created, state changes, finished epochs, deletion. */
  onDidChange(listener: (event: RunChangeEvent) => void): Unsubscribe
  /** Stop the worker (the running run becomes `interrupted`, resumable) and stop accepting runs. */
  close(): Promise<void>
}
