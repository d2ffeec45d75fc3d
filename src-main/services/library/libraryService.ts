import { availableParallelism } from 'node:os'
import type { z } from 'zod'
import { renderDisplayImage } from '@shared/imaging/displayLut'
import { LibraryError } from '@shared/library/errors'
import {
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
} from '@shared/library/requests'
import type { LibraryService } from '@shared/library/types'
import { createImportManager } from '../datasets/import/importManager'
import type { ImportTestHooks } from '../datasets/import/jobRunner'
import type { DecodeImage } from '../datasets/import/outcomes'
import { anyReadable, type ReadableCheck } from '../datasets/import/readable'
import { csvColumnValues, previewCsv, scanFolder } from '../datasets/import/wizard'
import { createCompositionRepository } from './compositionRepository'
import type { Database } from 'better-sqlite3'
import { openLibraryDatabase } from './database'
import { createDatasetRepository } from './datasetRepository'
import { createImageRepository } from './imageRepository'
import { createImportJobRepository } from './importJobRepository'
import { createMaskRepository } from './maskRepository'
import { createThumbnailCache } from './thumbnails'
import type { ReadableScope } from '../files/folderPolicy'
import { readImageFile } from '../imaging'
import type { JobLauncher } from '../workers/launcher'

/** Dependencies of the library service. */
export interface LibraryServiceDeps {
  /** The app's data folder: the database is `library.sqlite` in it, caches go to `cache/`. */
  dataFolder: string
  /** Decodes DICOM files (the imaging service's `decode`); tests pass a fake. */
  decode: DecodeImage
  /** The clock (tests fix it). */
  now?: () => Date
  /** Files per transaction (default 64) and processed at once (default: the cores, at most 4). */
  importOptions?: { batchSize?: number; concurrency?: number }
  /** Seams for crash and cancel tests. */
  testHooks?: ImportTestHooks
  /** Checks every file right before it is read (the app: inside a granted folder, by real path); none by default. */
  readable?: ReadableCheck
  /** Whether the user turned on showing identifying data (the settings); off when absent. */
  showPhi?: () => boolean
  /** Runs imports in job workers (the app); absent: on this thread (tests). */
  workerJobs?: JobLauncher
  /**
   * The library database, when the composition root shares one connection with other services of this thread (the
   * lung-mask jobs); absent: opened from `dataFolder`. Either way `close` closes it.
   */
  db?: Database
  /** The chosen folders for a worker's checks, matching `readable` (null or absent: no check, the command line). */
  readableScope?: () => Promise<ReadableScope | null>
}

/**
 * Create the library service: open (and migrate) the database, mark imports left running by a dead process as
 * interrupted, and serve datasets, compositions and imports.
 * @param deps the data folder and the decoder.
 */
export function createLibraryService(deps: LibraryServiceDeps): LibraryService {
  const db = deps.db ?? openLibraryDatabase(deps.dataFolder)
  const clock = deps.now ?? (() => new Date())
  const now = () => clock().toISOString()
  const datasets = createDatasetRepository(db)
  const images = createImageRepository(db)
  const masks = createMaskRepository(db)
  const jobs = createImportJobRepository(db)
  const compositions = createCompositionRepository(db)
  const thumbnails = createThumbnailCache(deps.dataFolder)
  const readable = deps.readable ?? anyReadable
  const showPhi = () => deps.showPhi?.() ?? false
  const imports = createImportManager({
    db,
    dataFolder: deps.dataFolder,
    datasets,
    images,
    masks,
    jobs,
    thumbnails,
    decode: deps.decode,
    readable,
    batchSize: deps.importOptions?.batchSize ?? 64,
    concurrency: deps.importOptions?.concurrency ?? Math.min(4, availableParallelism()),
    now,
    hooks: deps.testHooks,
    workerJobs: deps.workerJobs,
    readableScope: deps.readableScope,
  })

  const requireDataset = (datasetId: string) => {
    if (!datasets.get(datasetId)) throw new LibraryError('not-found', `No dataset "${datasetId}"`)
  }

  return {
    async listDatasets(request = {}) {
      parse(ListDatasetsRequestSchema, request)
      return datasets.summaries({ includePhi: showPhi() })
    },
    async getDataset(request) {
      const { datasetId } = parse(GetDatasetRequestSchema, request)
      const [summary] = datasets.summaries({ id: datasetId, includePhi: showPhi() })
      if (!summary) throw new LibraryError('not-found', `No dataset "${datasetId}"`)
      return summary
    },
    async deleteDataset(request) {
      const { datasetId } = parse(DeleteDatasetRequestSchema, request)
      if (imports.list(datasetId).some((job) => job.status === 'running')) {
        throw new LibraryError('busy', `Dataset "${datasetId}" is being imported; cancel the import first`)
      }
      if (!datasets.delete(datasetId)) throw new LibraryError('not-found', `No dataset "${datasetId}"`)
    },
    async listImages(request) {
      const { datasetId, offset, limit, label } = parse(ListImagesRequestSchema, request)
      requireDataset(datasetId)
      return { offset, ...images.page(datasetId, { offset, limit, label, includePhi: showPhi() }) }
    },
    async imageRecords(request) {
      const { datasetIds } = parse(ImageRecordsRequestSchema, request)
      datasetIds.forEach(requireDataset)
      return images.records(datasetIds)
    },
    async listMasks(request) {
      const { datasetId, imageId } = parse(ListMasksRequestSchema, request)
      requireDataset(datasetId)
      return masks.list(datasetId, imageId)
    },
    async thumbnail(request) {
      const { datasetId, imageId } = parse(ThumbnailRequestSchema, request)
      const image = images.bySourceKey(datasetId, imageId)
      if (!image) throw new LibraryError('not-found', `No image "${imageId}" in dataset "${datasetId}"`)
      if (thumbnails.has(image.contentHash)) return thumbnails.pathOf(image.contentHash)
      const path = await readable(image.path, 'image')
      if (image.format !== 'dicom') return thumbnails.fromFile(image.contentHash, path)
      const decoded = await deps.decode(path, await readImageFile(path))
      return thumbnails.fromGrey(image.contentHash, renderDisplayImage(decoded), decoded.width, decoded.height)
    },

    async saveComposition(request) {
      const { composition, name } = parse(SaveCompositionRequestSchema, request)
      return compositions.save(composition, name, now())
    },
    async listCompositions() {
      return compositions.list()
    },
    async loadComposition(request) {
      const { compositionId } = parse(CompositionIdRequestSchema, request)
      const composition = compositions.load(compositionId)
      if (!composition) throw new LibraryError('not-found', `No composition "${compositionId}"`)
      return composition
    },
    async deleteComposition(request) {
      const { compositionId } = parse(CompositionIdRequestSchema, request)
      if (!compositions.delete(compositionId)) throw new LibraryError('not-found', `No composition "${compositionId}"`)
    },

    async previewCsv(request) {
      const { path, rows, delimiter } = parse(PreviewCsvRequestSchema, request)
      return previewCsv(await readable(path, 'CSV file'), rows, delimiter)
    },
    async csvColumnValues(request) {
      const { path, column, limit, delimiter } = parse(CsvColumnValuesRequestSchema, request)
      return csvColumnValues(await readable(path, 'CSV file'), column, limit, delimiter)
    },
    async scanFolder(request) {
      return scanFolder(await readable(parse(ScanFolderRequestSchema, request).rootFolder, 'folder'))
    },
    async previewImport(request) {
      const { spec, sampleSize } = parse(PreviewImportRequestSchema, request)
      return imports.preview(spec, sampleSize)
    },
    async startImport(request) {
      return { jobId: await imports.start(parse(StartImportRequestSchema, request).spec) }
    },
    async cancelImport(request) {
      imports.cancel(parse(JobIdRequestSchema, request).jobId)
    },
    async resumeImport(request) {
      return { jobId: imports.resume(parse(JobIdRequestSchema, request).jobId) }
    },
    async waitForImport(request) {
      return imports.wait(parse(JobIdRequestSchema, request).jobId)
    },
    async getImportJob(request) {
      return imports.summary(parse(JobIdRequestSchema, request).jobId)
    },
    async listImportJobs(request = {}) {
      return imports.list(parse(ListImportJobsRequestSchema, request).datasetId)
    },
    async getImportReport(request) {
      const { jobId, issueLimit } = parse(ImportReportRequestSchema, request)
      return imports.report(jobId, issueLimit)
    },
    onDidProgress: (listener) => imports.onDidProgress(listener),

    async close() {
      await imports.close()
      db.close()
    },
  }
}

/**
 * Parse a request, turning schema failures into one `invalid-request` error that lists every field at fault.
 * @param schema the method's request schema.
 * @param request what the caller sent.
 */
function parse<Schema extends z.ZodType>(schema: Schema, request: unknown): z.output<Schema> {
  const result = schema.safeParse(request)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(request)'}: ${issue.message}`)
  throw new LibraryError(
    'invalid-request',
    `Invalid request: ${problems.join('; ')}`,
    problems.map((message) => ({ code: 'invalid-request', message })),
  )
}
