import { z } from 'zod'
import type { StudyAnalysis } from './analysisTypes'
import type { StudyEstimate, StudyOverview } from './record'
import type { StudySpecInput } from './spec'

/** `get`, `cancel`, `resume`, `remove`, `analysis`: a study by id or any unique beginning of it. */
export const StudyIdRequestSchema = z.object({ studyId: z.string().min(1).max(200).regex(/^[\w.-]+$/, 'study ids are letters, digits, . _ -') }).strict()

/** A change of a study: created, its state or progress moved (a run or an evaluation finished), deleted. */
export const StudyChangeEventSchema = z.object({ studyId: z.string(), kind: z.enum(['created', 'progress', 'state', 'deleted']) })
/** A change of a study. */
export type StudyChangeEvent = z.infer<typeof StudyChangeEventSchema>

/**
 * Studies: a named grid expanded into runs, queued, evaluated on every test set as runs finish, and analysed as
 * one table with comparisons and alarms. One study advances at a time per program; a study survives restarts.
 */
export interface StudyService {
  /** Validates the spec against the library, expands and records the study, and starts it. */
  start(spec: StudySpecInput): Promise<StudyOverview>
  /** Time and disk the study would take, from timing real steps of each distinct run on the backend. */
  estimate(spec: StudySpecInput): Promise<StudyEstimate>
  /** Every study, newest first, with its progress. */
  list(): Promise<StudyOverview[]>
  get(request: z.input<typeof StudyIdRequestSchema>): Promise<StudyOverview>
  /** Stops the study: its training run saves a checkpoint and stops; nothing more starts until it is resumed. */
  cancel(request: z.input<typeof StudyIdRequestSchema>): Promise<StudyOverview>
  /** Continues a cancelled or stopped study here, and retries its failed runs and evaluations. */
  resume(request: z.input<typeof StudyIdRequestSchema>): Promise<StudyOverview>
  /** Deletes the study record (its runs and evaluations stay, as ordinary runs); `restore` undoes it for an hour. */
  remove(request: z.input<typeof StudyIdRequestSchema>): Promise<void>
  /** Brings back a study deleted within the hour, as it was. */
  restore(request: z.input<typeof StudyIdRequestSchema>): Promise<StudyOverview>
  /** The study's table (mean ± SD over seeds, intervals, the paper's numbers), comparisons with verdicts and alarms. */
  analysis(request: z.input<typeof StudyIdRequestSchema>): Promise<StudyAnalysis>
  onDidChange(listener: (event: StudyChangeEvent) => void): () => void
}
