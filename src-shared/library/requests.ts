import { z } from 'zod'
import { CompositionSchema } from '../datasets/types'
import { DatasetIdSchema, ImportSpecSchema } from './importSpecs'

/**
 * Request schemas of the library service, one per method, so the IPC contract can list them and the main
 * process parses every payload before the service sees it. Each method takes one object: new options never
 * break a positional signature.
 */

const idSchema = (what: string) => z.string({ error: `${what} is required` }).min(1, { error: `${what} is required` })

/**
 * `listDatasets`. Identifying data is never a request option: it follows the user's setting, so no caller can
 * ask for it per request (strict schemas refuse an `includePhi` flag outright).
 */
export const ListDatasetsRequestSchema = z.object({}).strict()
/** `getDataset`. */
export const GetDatasetRequestSchema = z.object({ datasetId: DatasetIdSchema }).strict()
/** `deleteDataset`. */
export const DeleteDatasetRequestSchema = z.object({ datasetId: DatasetIdSchema })
/** `listImages`: a page of one dataset's images, optionally of one class. */
export const ListImagesRequestSchema = z.object({
  datasetId: DatasetIdSchema,
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(5000).default(200),
  label: z.string().optional(),
}).strict()
/** `imageRecords`: the composition view of datasets' images. */
export const ImageRecordsRequestSchema = z.object({ datasetIds: z.array(DatasetIdSchema).min(1) })
/** `listMasks`. */
export const ListMasksRequestSchema = z.object({ datasetId: DatasetIdSchema, imageId: z.string().optional() })
/** `thumbnail`: the cached thumbnail of one image, made on demand. */
export const ThumbnailRequestSchema = z.object({ datasetId: DatasetIdSchema, imageId: idSchema('image id') })

/** `saveComposition`. */
export const SaveCompositionRequestSchema = z.object({ composition: CompositionSchema, name: z.string().trim().min(1).optional() })
/** `loadComposition`, `deleteComposition`. */
export const CompositionIdRequestSchema = z.object({ compositionId: idSchema('composition id') })

/** `previewCsv`. */
export const PreviewCsvRequestSchema = z.object({
  path: idSchema('CSV path'),
  delimiter: z.enum([',', '\t', ';', '|']).optional(),
  rows: z.number().int().min(1).max(1000).default(20),
})
/** `csvColumnValues`. */
export const CsvColumnValuesRequestSchema = z.object({
  path: idSchema('CSV path'),
  column: idSchema('column'),
  delimiter: z.enum([',', '\t', ';', '|']).optional(),
  limit: z.number().int().min(1).max(10_000).default(500),
})
/** `scanFolder`. */
export const ScanFolderRequestSchema = z.object({ rootFolder: idSchema('folder') })
/** `previewImport`. */
export const PreviewImportRequestSchema = z.object({ spec: ImportSpecSchema, sampleSize: z.number().int().min(0).max(1000).default(20) })
/** `startImport`. */
export const StartImportRequestSchema = z.object({ spec: ImportSpecSchema })
/** `cancelImport`, `resumeImport`, `getImportJob`. */
export const JobIdRequestSchema = z.object({ jobId: idSchema('job id') })
/** `listImportJobs`. */
export const ListImportJobsRequestSchema = z.object({ datasetId: DatasetIdSchema.optional() })
/** `getImportReport`. */
export const ImportReportRequestSchema = z.object({ jobId: idSchema('job id'), issueLimit: z.number().int().min(0).max(100_000).default(1000) })
