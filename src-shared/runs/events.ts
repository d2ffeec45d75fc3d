import { z } from 'zod'
import { EpochMetricsSchema, RunProgressSchema, RunStateSchema } from './record'

/** Sent after every training step and at phase changes: small, frequent. */
export const RunProgressEventSchema = z.object({ runId: z.string(), progress: RunProgressSchema })
/** A run's progress. */
export type RunProgressEvent = z.infer<typeof RunProgressEventSchema>

/**
 * Sent when a record changes in a way a list shows: state, a finished epoch (its metrics), a failure.
 * `metrics` is set when the change is a finished epoch, so a chart can append without refetching.
 */
export const RunChangeEventSchema = z.object({
  runId: z.string(),
  kind: z.enum(['created', 'state', 'epoch', 'deleted']),
  state: RunStateSchema.nullable(),
  metrics: EpochMetricsSchema.nullable(),
})
/** A change of a run record. */
export type RunChangeEvent = z.infer<typeof RunChangeEventSchema>
