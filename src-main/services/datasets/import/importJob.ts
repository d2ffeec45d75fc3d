import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { ImportJobStatus, ImportProgress } from '@shared/library/jobs'
import { resolveWithin, type ReadableScope } from '../../files/folderPolicy'
import { decodeImageFile } from '../../imaging/index'
import { openLibraryDatabase } from '../../library/database'
import { createDatasetRepository, type DatasetRepository } from '../../library/datasetRepository'
import { createImageRepository, type ImageRepository } from '../../library/imageRepository'
import { createImportJobRepository, type ImportJobRepository, type JobRow } from '../../library/importJobRepository'
import { createMaskRepository, type MaskRepository } from '../../library/maskRepository'
import { loadPseudonymiser, type Pseudonymiser } from '../../library/pseudonyms'
import { createThumbnailCache, type ThumbnailCache } from '../../library/thumbnails'
import type { JobExecutor } from '../../workers/jobIo'
import { runImportJob, SHUTDOWN, type ImportTestHooks, type JobRunnerDeps } from './jobRunner'
import type { DecodeImage, ProcessContext } from './outcomes'
import { anyReadable, type ReadableCheck } from './readable'

/** The parts of the library an import writes through. */
export interface ImportWorkspace {
  db: Database
  dataFolder: string
  datasets: DatasetRepository
  images: ImageRepository
  masks: MaskRepository
  jobs: ImportJobRepository
  thumbnails: ThumbnailCache
  decode: DecodeImage
  readable: ReadableCheck
  pseudonymiser: () => Pseudonymiser
  now(): string
}

/** How a job processes its files: batches per transaction, files in flight. */
export interface ImportRunSettings {
  batchSize: number
  concurrency: number
}

/** The runner's dependencies for one workspace; the same in the app's import worker and in tests on one thread. */
export function importRunnerDeps(workspace: ImportWorkspace, settings: ImportRunSettings, emit: (progress: ImportProgress) => void, hooks?: ImportTestHooks): JobRunnerDeps {
  const createContext = (job: JobRow, signal: AbortSignal): ProcessContext => {
    const spec = job.spec
    return {
      datasetId: job.datasetId,
      thumbnails: spec.kind !== 'masks' && spec.thumbnails ? workspace.thumbnails : undefined,
      decode: workspace.decode,
      readable: workspace.readable,
      pseudonymiser: workspace.pseudonymiser(),
      dicom: spec.kind === 'dicom-folder' ? spec : { pseudonymise: true },
      duplicates: spec.kind === 'masks' ? 'keep' : spec.duplicates,
      maskCacheFolder: join(workspace.dataFolder, 'cache', 'masks'),
      findImage: (sourceKey) => workspace.images.bySourceKey(job.datasetId, sourceKey),
      signal,
    }
  }
  return { db: workspace.db, writers: workspace, datasets: workspace.datasets, createContext, batchSize: settings.batchSize, concurrency: settings.concurrency, emit, now: workspace.now, hooks }
}

/** A recorded import job to run (or resume) in a worker. */
export interface ImportJob extends ImportRunSettings {
  dataFolder: string
  jobId: string
  /** The folders the user had chosen when the job started (null: the command line, which reads what it was given). */
  scope: ReadableScope | null
}

/** What an import job reports. */
export type ImportJobEvent = { type: 'progress'; progress: ImportProgress }

/**
 * An import in a worker: hashing, decoding, thumbnails and the database writes all run there, on the worker's
 * own connection to the library (SQLite in WAL mode lets the app's connection read meanwhile). Every file is
 * checked against the chosen folders, by its real path, right before it is read.
 */
export const importExecutor: JobExecutor<ImportJob, ImportJobEvent, ImportJobStatus> = {
  label: 'import',
  needsEngine: false,
  async run(job, context) {
    const db = openLibraryDatabase(job.dataFolder)
    let pseudonymiser: Pseudonymiser | undefined
    const workspace: ImportWorkspace = {
      db,
      dataFolder: job.dataFolder,
      datasets: createDatasetRepository(db),
      images: createImageRepository(db),
      masks: createMaskRepository(db),
      jobs: createImportJobRepository(db),
      thumbnails: createThumbnailCache(job.dataFolder),
      decode: (path) => decodeImageFile(path),
      readable: job.scope ? (path, what) => resolveWithin(job.scope!, path, what) : anyReadable,
      pseudonymiser: () => (pseudonymiser ??= loadPseudonymiser(job.dataFolder)),
      now: () => new Date().toISOString(),
    }
    // The runner reads its signal's reason: a shutdown leaves the job interrupted, a user's cancel cancelled.
    const controller = new AbortController()
    const stop = () => controller.abort(context.signal.reason === SHUTDOWN ? SHUTDOWN : undefined)
    if (context.signal.aborted) stop()
    else context.signal.addEventListener('abort', stop)
    try {
      return await runImportJob(job.jobId, importRunnerDeps(workspace, job, (progress) => context.emit({ type: 'progress', progress })), controller.signal)
    } finally {
      context.signal.removeEventListener('abort', stop)
      db.close()
    }
  },
}
