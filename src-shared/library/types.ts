import type { z } from 'zod'
import type { Composition, ImageRecord } from '../datasets/types'
import type { ImportProgress, ImportJobSummary, ImportReport } from './jobs'
import type {
  CompositionIdRequestSchema,
  CsvColumnValuesRequestSchema,
  DeleteDatasetRequestSchema,
  GetDatasetRequestSchema,
  ImageRecordsRequestSchema,
  ImportReportRequestSchema,
  JobIdRequestSchema,
  ListDatasetsRequestSchema,
  ListImagesRequestSchema,
  ListImportJobsRequestSchema,
  ListMasksRequestSchema,
  PreviewCsvRequestSchema,
  PreviewImportRequestSchema,
  SaveCompositionRequestSchema,
  ScanFolderRequestSchema,
  StartImportRequestSchema,
  ThumbnailRequestSchema,
} from './requests'
import type {
  ColumnValues,
  CompositionSummary,
  CsvPreview,
  DatasetSummary,
  FolderScan,
  ImagePage,
  ImportPreview,
  MaskSummary,
} from './summaries'

/** Stops a subscription. */
export type Unsubscribe = () => void

/** What a caller passes for a request schema (before defaults). */
type In<Schema extends z.ZodType> = z.input<Schema>

/**
 * The local dataset library: datasets and their images in SQLite, masks, saved compositions, and imports run as
 * resumable jobs. Every method takes one request object (schemas in `requests.ts`) and returns plain data, so
 * the interface is also the IPC contract. Errors are `LibraryError`s with a code and a message naming the
 * dataset, file or field at fault.
 *
 * The wizard's flow: `scanFolder` or `previewCsv` → pick columns, `csvColumnValues` → map labels → edit the
 * patient pattern while `previewImport` shows its effect → `startImport` → `onDidProgress` → `getImportReport`.
 */
export interface LibraryService {
  // Datasets and images.
  /** Every dataset with its counts by class, patient and view. */
  listDatasets(request?: In<typeof ListDatasetsRequestSchema>): Promise<DatasetSummary[]>
  /** One dataset's summary. */
  getDataset(request: In<typeof GetDatasetRequestSchema>): Promise<DatasetSummary>
  /** Delete a dataset with its images, masks and import jobs (the source files are untouched). */
  deleteDataset(request: In<typeof DeleteDatasetRequestSchema>): Promise<void>
  /** A page of a dataset's images. */
  listImages(request: In<typeof ListImagesRequestSchema>): Promise<ImagePage>
  /** The images of datasets as composition input (`composeDataset`). */
  imageRecords(request: In<typeof ImageRecordsRequestSchema>): Promise<ImageRecord[]>
  /** Masks of a dataset (or of one image). */
  listMasks(request: In<typeof ListMasksRequestSchema>): Promise<MaskSummary[]>
  /** Path of the image's cached thumbnail, written first if needed. */
  thumbnail(request: In<typeof ThumbnailRequestSchema>): Promise<string>

  // Compositions.
  /** Store a composition (spec and per-image split) so it can be listed and reloaded exactly. */
  saveComposition(request: In<typeof SaveCompositionRequestSchema>): Promise<CompositionSummary>
  /** Saved compositions, newest first. */
  listCompositions(): Promise<CompositionSummary[]>
  /** A saved composition, equal to the one saved. */
  loadComposition(request: In<typeof CompositionIdRequestSchema>): Promise<Composition>
  /** Delete a saved composition. */
  deleteComposition(request: In<typeof CompositionIdRequestSchema>): Promise<void>

  // The import wizard.
  /** The first rows and the columns of a CSV/TSV, with guessed file/label/patient/view columns. */
  previewCsv(request: In<typeof PreviewCsvRequestSchema>): Promise<CsvPreview>
  /** Distinct values of a column with counts, to map label values to classes. */
  csvColumnValues(request: In<typeof CsvColumnValuesRequestSchema>): Promise<ColumnValues>
  /** The folders of a tree with image counts and a guess of the layout (folder per class, DICOM, CSV). */
  scanFolder(request: In<typeof ScanFolderRequestSchema>): Promise<FolderScan>
  /** What an import would do (counts, sample rows, issues, blocking problems), without writing anything. */
  previewImport(request: In<typeof PreviewImportRequestSchema>): Promise<ImportPreview>
  /** Plan and record an import job, then run it in the background. Rejects (`import-blocked`) before writing anything when the spec has blocking problems. */
  startImport(request: In<typeof StartImportRequestSchema>): Promise<{ jobId: string }>
  /** Ask a running job to stop after the files in flight; it becomes `cancelled` and resumable. */
  cancelImport(request: In<typeof JobIdRequestSchema>): Promise<void>
  /** Continue a cancelled, failed or interrupted job with the files it has not processed. */
  resumeImport(request: In<typeof JobIdRequestSchema>): Promise<{ jobId: string }>
  /** Resolves with the report once the job stops (completed, cancelled or failed). */
  waitForImport(request: In<typeof JobIdRequestSchema>): Promise<ImportReport>
  /** One job's summary. */
  getImportJob(request: In<typeof JobIdRequestSchema>): Promise<ImportJobSummary>
  /** Jobs, newest first, optionally of one dataset. */
  listImportJobs(request?: In<typeof ListImportJobsRequestSchema>): Promise<ImportJobSummary[]>
  /** A job's report: counts, and every skipped or failed file with its reason. */
  getImportReport(request: In<typeof ImportReportRequestSchema>): Promise<ImportReport>
  /** Progress of every job, after each batch and at each status change. */
  onDidProgress(listener: (progress: ImportProgress) => void): Unsubscribe

  /** Stop running jobs (they stay resumable) and close the database. */
  close(): Promise<void>
}
