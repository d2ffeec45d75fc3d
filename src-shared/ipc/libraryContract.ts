import { z } from 'zod'
import { CompositionExportSchema } from '../datasets/exchange'
import { CompositionSchema, CompositionSpecSchema, SplitSchema } from '../datasets/types'
import { ImportJobSummarySchema, ImportProgressSchema, ImportReportSchema } from '../library/jobs'
import {
  CompositionIdRequestSchema,
  CsvColumnValuesRequestSchema,
  DeleteDatasetRequestSchema,
  GetDatasetRequestSchema,
  ImportReportRequestSchema,
  JobIdRequestSchema,
  ListDatasetsRequestSchema,
  ListImagesRequestSchema,
  ListImportJobsRequestSchema,
  ListMasksRequestSchema,
  PreviewCsvRequestSchema,
  PreviewImportRequestSchema,
  ScanFolderRequestSchema,
  StartImportRequestSchema,
  ThumbnailRequestSchema,
} from '../library/requests'
import {
  ColumnValuesSchema,
  CompositionSummarySchema,
  CsvPreviewSchema,
  DatasetSummarySchema,
  FolderScanSchema,
  ImagePageSchema,
  ImportPreviewSchema,
  MaskSummarySchema,
} from '../library/summaries'
import { Uint8ArraySchema } from './typedArraySchemas'

const nothing = z.object({}).strict()

/** The leakage check's outcome, as the UI shows it (see `checkLeakage`). */
export const LeakageReportSchema = z.object({
  ok: z.boolean(),
  patientOverlaps: z.array(z.object({ datasetId: z.string(), patientId: z.string(), splits: z.array(SplitSchema) })),
  duplicateImages: z.array(z.object({ contentHash: z.string(), splits: z.array(SplitSchema), imageIds: z.array(z.string()) })),
  duplicatesWithinSplit: z.array(z.object({ contentHash: z.string(), split: SplitSchema, imageIds: z.array(z.string()) })),
})

/** A composition built (not yet saved) with its leakage check. */
export const BuiltCompositionSchema = z.object({ composition: CompositionSchema, leakage: LeakageReportSchema })

/** A thumbnail's bytes, ready for a blob URL. */
export const ThumbnailSchema = z.object({ mime: z.string(), bytes: Uint8ArraySchema })

/** The dataset library's channels: datasets, images, masks, the import wizard and jobs. */
export const libraryChannels = {
  listDatasets: { request: ListDatasetsRequestSchema, response: z.array(DatasetSummarySchema) },
  getDataset: { request: GetDatasetRequestSchema, response: DatasetSummarySchema },
  deleteDataset: { request: DeleteDatasetRequestSchema, response: z.void() },
  listImages: { request: ListImagesRequestSchema, response: ImagePageSchema },
  listMasks: { request: ListMasksRequestSchema, response: z.array(MaskSummarySchema) },
  thumbnail: { request: ThumbnailRequestSchema, response: ThumbnailSchema },
  previewCsv: { request: PreviewCsvRequestSchema, response: CsvPreviewSchema },
  csvColumnValues: { request: CsvColumnValuesRequestSchema, response: ColumnValuesSchema },
  scanFolder: { request: ScanFolderRequestSchema, response: FolderScanSchema },
  previewImport: { request: PreviewImportRequestSchema, response: ImportPreviewSchema },
  startImport: { request: StartImportRequestSchema, response: z.object({ jobId: z.string() }) },
  cancelImport: { request: JobIdRequestSchema, response: z.void() },
  resumeImport: { request: JobIdRequestSchema, response: z.object({ jobId: z.string() }) },
  getImportJob: { request: JobIdRequestSchema, response: ImportJobSummarySchema },
  listImportJobs: { request: ListImportJobsRequestSchema, response: z.array(ImportJobSummarySchema) },
  getImportReport: { request: ImportReportRequestSchema, response: ImportReportSchema },
} as const

/** Compositions: build from a spec (with the leakage check), save, list, load, export and import as JSON. */
export const compositionChannels = {
  build: { request: z.object({ spec: CompositionSpecSchema }).strict(), response: BuiltCompositionSchema },
  save: { request: z.object({ composition: CompositionSchema, name: z.string().trim().min(1).optional() }).strict(), response: CompositionSummarySchema },
  list: { request: nothing, response: z.array(CompositionSummarySchema) },
  load: { request: CompositionIdRequestSchema, response: BuiltCompositionSchema },
  remove: { request: CompositionIdRequestSchema, response: z.void() },
  exportJson: { request: CompositionIdRequestSchema, response: CompositionExportSchema },
  importJson: { request: z.object({ json: z.string().min(2).max(50_000_000) }).strict(), response: BuiltCompositionSchema, maxRequestBytes: 60_000_000 },
} as const

/** Events of the library. */
export const libraryEvents = {
  'library.onDidImportProgress': ImportProgressSchema,
} as const
