import { z } from 'zod'
import { RunConfigSchema } from '../runs/config'
import { RunChangeEventSchema, RunProgressEventSchema } from '../runs/events'
import { RunRecordSchema } from '../runs/record'
import { RunEstimateSchema, RunIdRequestSchema } from '../runs/service'

/** Training runs: start, watch, cancel, resume; each run is a job in a worker thread. */
export const runsChannels = {
  /** Queue a run; `estimatedSeconds` is the launcher's estimate, kept in the record to compare with the time it took. */
  start: { request: z.object({ config: RunConfigSchema, estimatedSeconds: z.number().min(0).max(1e8).optional() }).strict(), response: z.object({ runId: z.string() }) },
  list: { request: z.object({}).strict(), response: z.array(RunRecordSchema) },
  get: { request: RunIdRequestSchema, response: RunRecordSchema },
  cancel: { request: RunIdRequestSchema, response: z.void() },
  resume: { request: RunIdRequestSchema, response: z.void() },
  remove: { request: RunIdRequestSchema, response: z.void() },
  /** Undo a delete: the run comes back as it was (within an hour of the delete). */
  restore: { request: RunIdRequestSchema, response: z.void() },
  /** Seconds the run would take on the active backend, from one timed step. */
  estimate: { request: z.object({ config: RunConfigSchema }).strict(), response: RunEstimateSchema },
} as const

/** Events of training runs. */
export const runsEvents = {
  'runs.onDidProgress': RunProgressEventSchema,
  'runs.onDidChange': RunChangeEventSchema,
} as const
