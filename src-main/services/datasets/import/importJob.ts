import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { ImportJobStatus, ImportProgress } from '@shared/library/jobs'
import { resolveWithin, type ReadableScope } from '../../files/folderPolicy'
import { decodeImageBuffer } from '../../imaging/index'
import { createPixelBuffers } from '../../imaging/pixelBuffers'
import { openLibraryDatabase } from '../../library/database'
import { createDatasetRepository, type DatasetRepository } from '../../library/datasetRepository'
import { createImageRepository, type ImageRepository } from '../../library/imageRepository'
import { createImportJobRepository, type ImportJobRepository, type ItemRow, type JobRow } from '../../library/importJobRepository'
import { createMaskRepository, type MaskRepository } from '../../library/maskRepository'
import { loadPseudonymiser, type Pseudonymiser } from '../../library/pseudonyms'
import { createThumbnailCache, type ThumbnailCache } from '../../library/thumbnails'
import type { JobExecutor } from '../../workers/jobIo'
import type { JobLauncher } from '../../workers/launcher'
import { FILES_PER_LANE_WINDOW, importLaneCount, MIN_FILES_PER_LANE, type ImportLanes } from './importLanes'
import { runImportJob, SHUTDOWN, type ImportTestHooks, type JobRunnerDeps } from './jobRunner'
import type { DecodeImage, ItemOutcome, ProcessContext } from './outcomes'
import { processItems } from './processItems'
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

/** The tools for processing one job's files; the same on the job's thread and on its lanes. */
function processContextOf(workspace: ImportWorkspace, job: JobRow, signal: AbortSignal): ProcessContext {
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

/** The runner's dependencies for one workspace; the same in the app's import worker and in tests on one thread. */
export function importRunnerDeps(workspace: ImportWorkspace, settings: ImportRunSettings, emit: (progress: ImportProgress) => void, hooks?: ImportTestHooks, lanes?: ImportLanes): JobRunnerDeps {
  const createContext = (job: JobRow, signal: AbortSignal) => processContextOf(workspace, job, signal)
  return { db: workspace.db, writers: workspace, datasets: workspace.datasets, createContext, batchSize: settings.batchSize, concurrency: settings.concurrency, emit, now: workspace.now, hooks, lanes }
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

/** A job's workspace in a worker: its own connection to the library, the imaging service's decoder. */
function openWorkspace(job: Pick<ImportJob, 'dataFolder' | 'scope'>): ImportWorkspace {
  const db = openLibraryDatabase(job.dataFolder)
  let pseudonymiser: Pseudonymiser | undefined
  const pixelBuffers = createPixelBuffers()
  return {
    db,
    dataFolder: job.dataFolder,
    datasets: createDatasetRepository(db),
    images: createImageRepository(db),
    masks: createMaskRepository(db),
    jobs: createImportJobRepository(db),
    thumbnails: createThumbnailCache(job.dataFolder),
    decode: async (path, bytes) => {
      const decoded = await decodeImageBuffer(bytes, path, { pixelBuffers })
      return { ...decoded, release: () => pixelBuffers.release(decoded.stored, decoded.pixels) }
    },
    readable: job.scope ? (path, what) => resolveWithin(job.scope!, path, what) : anyReadable,
    pseudonymiser: () => (pseudonymiser ??= loadPseudonymiser(job.dataFolder)),
    now: () => new Date().toISOString(),
  }
}

/**
 * The import's lanes: helper workers (see {@link importLaneCount}), each reading its share of the files. The job's thread only
 * writes to the database, so it needs no core of its own.
 */
function helperLanes(helpers: JobLauncher, job: ImportJob): ImportLanes {
  const count = importLaneCount()
  return {
    count,
    window: count * FILES_PER_LANE_WINDOW,
    minimum: count * MIN_FILES_PER_LANE,
    async run(items, onOutcome, signal) {
      const handle = helpers.launch('import-lane', { dataFolder: job.dataFolder, jobId: job.jobId, scope: job.scope, concurrency: job.concurrency, items }, (event) => onOutcome(event.index, event.outcome))
      const cancel = () => handle.cancel(String(signal.reason ?? 'stopped'))
      if (signal.aborted) cancel()
      else signal.addEventListener('abort', cancel, { once: true })
      try {
        await handle.done
      } finally {
        signal.removeEventListener('abort', cancel)
      }
    },
  }
}

/**
 * An import in a worker: hashing, decoding, thumbnails and the database writes all run there, on the worker's
 * own connection to the library (SQLite in WAL mode lets the app's connection read meanwhile). Every file is
 * checked against the chosen folders, by its real path, right before it is read. With many image files, helper
 * workers read them side by side ({@link importLaneExecutor}) and this one writes their outcomes in file order.
 */
export const importExecutor: JobExecutor<ImportJob, ImportJobEvent, ImportJobStatus> = {
  label: 'import',
  needsEngine: false,
  async run(job, context) {
    const workspace = openWorkspace(job)
    // The runner reads its signal's reason: a shutdown leaves the job interrupted, a user's cancel cancelled.
    const controller = new AbortController()
    const stop = () => controller.abort(context.signal.reason === SHUTDOWN ? SHUTDOWN : undefined)
    if (context.signal.aborted) stop()
    else context.signal.addEventListener('abort', stop)
    try {
      const lanes = context.helpers ? helperLanes(context.helpers, job) : undefined
      return await runImportJob(job.jobId, importRunnerDeps(workspace, job, (progress) => context.emit({ type: 'progress', progress }), undefined, lanes), controller.signal)
    } finally {
      context.signal.removeEventListener('abort', stop)
      workspace.db.close()
    }
  },
}

/** A share of an import's image files, read by a helper worker. */
export interface ImportLaneJob extends Pick<ImportJob, 'dataFolder' | 'jobId' | 'scope' | 'concurrency'> {
  items: ItemRow[]
}

/** Each file's outcome as it is done, by its index in the lane's items. */
export type ImportLaneEvent = { type: 'outcome'; index: number; outcome: ItemOutcome }

/**
 * One lane of an import: the same file processing as the job's own thread (it writes nothing to the database, only
 * content-addressed thumbnails), reporting each outcome for the job to write. Stopped, it finishes the files in
 * hand and reports them.
 */
export const importLaneExecutor: JobExecutor<ImportLaneJob, ImportLaneEvent, { processed: number }> = {
  label: 'import',
  needsEngine: false,
  async run(lane, context) {
    const workspace = openWorkspace(lane)
    try {
      const job = workspace.jobs.get(lane.jobId)
      if (!job) throw new Error(`import job ${lane.jobId} vanished`)
      const outcomes = await processItems(lane.items, processContextOf(workspace, job, context.signal), lane.concurrency, context.signal, (index, outcome) => context.emit({ type: 'outcome', index, outcome }))
      return { processed: outcomes.length }
    } finally {
      workspace.db.close()
    }
  },
}
