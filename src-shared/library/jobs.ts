import { z } from 'zod'
import { ImportSpecSchema } from './importSpecs'

/**
 * Import jobs as the UI sees them: progress events while they run, a summary per job, and the report that lists
 * every file that was skipped or failed and why.
 */

/**
 * Life of an import job.
 * - `queued`: planned and recorded, not yet started.
 * - `running`: files are being processed.
 * - `cancelled`: stopped by the user; resumable.
 * - `failed`: stopped by an unexpected error (disk full, a bug); resumable once the cause is fixed.
 * - `interrupted`: found `running` with its process gone (crash, power loss); resumable.
 * - `completed`: every planned file was processed (some may have failed; see the report).
 */
export const ImportJobStatusSchema = z.enum(['queued', 'running', 'cancelled', 'failed', 'interrupted', 'completed'])
/** Life of an import job. */
export type ImportJobStatus = z.infer<typeof ImportJobStatusSchema>

/**
 * What a job is doing: importing images, attaching masks (after all images, since masks need their image's row),
 * or finished. Planning happens before the job exists: `startImport` resolves once it is recorded.
 */
export const ImportPhaseSchema = z.enum(['images', 'masks', 'done'])
/** What a job is doing. */
export type ImportPhase = z.infer<typeof ImportPhaseSchema>

/** One progress event; `done` counts processed files of any outcome, `failed` those that failed. */
export const ImportProgressSchema = z.object({
  jobId: z.string(),
  datasetId: z.string(),
  status: ImportJobStatusSchema,
  phase: ImportPhaseSchema,
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  failed: z.number().int().min(0),
  /** Files per second in this run (a resumed job counts from its resumption). */
  ratePerSecond: z.number().min(0),
  /** Seconds left at the current rate; `null` before the rate is known. */
  etaSeconds: z.number().min(0).nullable(),
  /** Workers reading files side by side for the last batch (absent: one, the job's own). */
  workers: z.number().int().min(1).optional(),
})
/** One progress event. */
export type ImportProgress = z.infer<typeof ImportProgressSchema>

/**
 * Why a file or a row was not imported as is. Codes are stable for the UI to group by; the message names the
 * file, line or field.
 */
export const IMPORT_ISSUE_CODES = [
  // Blocking: nothing is written until they are fixed.
  'source-missing',
  'empty-file',
  'no-rows',
  'csv-syntax',
  'missing-column',
  'unmapped-label',
  'no-images',
  // Blocking when a spec asks for the opposite of its dataset; a warning when the import follows an older one.
  'patient-ids-as-recorded',
  // Blocking: a column to keep as it is holds the ids the import pseudonymises.
  'identifying-column',
  'unknown-dataset',
  // Per row or file, listed in the report; the rest of the import goes on.
  'label-missing',
  'label-excluded',
  'file-name-missing',
  'outside-folder',
  'duplicate-row',
  'patient-missing',
  'patient-pattern-unmatched',
  'per-image-patients',
  'no-class-rule',
  'class-ignored',
  'not-dicom',
  'modality-excluded',
  'file-missing',
  'unreadable',
  'decode-warning',
  'content-changed',
  'duplicate-content',
  'metadata-differs',
  'mask-without-image',
  'mask-ambiguous',
  'mask-size-mismatch',
  'mask-conflict',
  'image-not-imported',
] as const
/** One of {@link IMPORT_ISSUE_CODES}. */
export type ImportIssueCode = (typeof IMPORT_ISSUE_CODES)[number]

/** `error`: blocks the import or loses a file; `warning`: imported, but worth a look; `info`: a deliberate skip. */
export const IssueSeveritySchema = z.enum(['error', 'warning', 'info'])
/** How serious an issue is. */
export type IssueSeverity = z.infer<typeof IssueSeveritySchema>

/** One problem of one input. */
export const ImportIssueSchema = z.object({
  code: z.enum(IMPORT_ISSUE_CODES),
  severity: IssueSeveritySchema,
  message: z.string(),
  /** The file concerned (an image, a mask, the CSV). */
  file: z.string().optional(),
  /** 1-based line of a CSV row (the header is line 1). */
  line: z.number().int().optional(),
  /** The spec field or CSV column concerned. */
  field: z.string().optional(),
})
/** One problem of one input. */
export type ImportIssue = z.infer<typeof ImportIssueSchema>

/** Outcomes of a job's files of one kind (images or masks). */
export const ItemCountsSchema = z.object({
  planned: z.number().int(),
  /** Written to the library by this job. */
  imported: z.number().int(),
  /** Already in the library with the same content: nothing to do. */
  unchanged: z.number().int(),
  /** Deliberately left out (duplicate content with `duplicates: 'skip'`, excluded modality...). */
  skipped: z.number().int(),
  failed: z.number().int(),
  /** Not yet processed (a cancelled or interrupted job). */
  pending: z.number().int(),
})
/** Outcomes of a job's files of one kind. */
export type ItemCounts = z.infer<typeof ItemCountsSchema>

/** A job as listed in the UI. */
export const ImportJobSummarySchema = z.object({
  jobId: z.string(),
  datasetId: z.string(),
  kind: z.enum(['csv', 'folder-per-class', 'dicom-folder', 'masks']),
  status: ImportJobStatusSchema,
  phase: ImportPhaseSchema,
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  images: ItemCountsSchema,
  masks: ItemCountsSchema,
  /** Why the job stopped, for `failed` and `interrupted`. */
  error: z.string().optional(),
  resumable: z.boolean(),
})
/** A job as listed in the UI. */
export type ImportJobSummary = z.infer<typeof ImportJobSummarySchema>

/** A job's full account: its spec, every issue of its planning and its files, and what it added. */
export const ImportReportSchema = ImportJobSummarySchema.extend({
  spec: ImportSpecSchema,
  /** Issues in the order they were found (planning first); at most the requested number. */
  issues: z.array(ImportIssueSchema),
  issueCount: z.number().int(),
  issueCounts: z.record(z.string(), z.number().int()),
  /** Images this job added, per class. */
  importedByClass: z.record(z.string(), z.number().int()),
  durationSeconds: z.number().min(0).optional(),
})
/** A job's full account. */
export type ImportReport = z.infer<typeof ImportReportSchema>
