import { z } from 'zod'
import { StudyAnalysisSchema } from '../studies/analysisTypes'
import { StudyEstimateSchema, StudyOverviewSchema } from '../studies/record'
import { StudyChangeEventSchema, StudyIdRequestSchema } from '../studies/service'
import { StudySpecSchema } from '../studies/spec'

/** Studies: the paper's grid as one job — estimate, start, follow, stop, resume, and its analysis. */
export const studiesChannels = {
  /** Validates the study against the library, records it and starts it; `estimate` (from `estimate`) feeds the ETA. */
  start: { request: z.object({ spec: StudySpecSchema, estimate: StudyEstimateSchema.nullable().default(null) }).strict(), response: StudyOverviewSchema },
  /** Time and disk the study would take: each distinct run timed on the backend. */
  estimate: { request: z.object({ spec: StudySpecSchema }).strict(), response: StudyEstimateSchema },
  list: { request: z.object({}).strict(), response: z.array(StudyOverviewSchema) },
  get: { request: StudyIdRequestSchema, response: StudyOverviewSchema },
  cancel: { request: StudyIdRequestSchema, response: StudyOverviewSchema },
  resume: { request: StudyIdRequestSchema, response: StudyOverviewSchema },
  remove: { request: StudyIdRequestSchema, response: z.void() },
  /** Undo of `remove`, within the hour. */
  restore: { request: StudyIdRequestSchema, response: StudyOverviewSchema },
  /** The table (mean ± SD over seeds, intervals, the paper's numbers), comparisons with verdicts, and alarms. */
  analysis: { request: StudyIdRequestSchema, response: StudyAnalysisSchema },
} as const

/** Study events: created, progress (a run or evaluation moved), state, deleted. */
export const studiesEvents = {
  'studies.onDidChange': StudyChangeEventSchema,
} as const
