import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import sharp from 'sharp'
import type { z } from 'zod'
import type { DecodedImage } from '@shared/imaging/types'
import { LibraryError } from '@shared/library/errors'
import { scoreMasks } from '@shared/lung/qa'
import {
  ExcludedImagesRequestSchema,
  ListMaskFailuresRequestSchema,
  ListMaskQaRequestSchema,
  LungMaskModelsRequestSchema,
  MaskForRequestSchema,
  SegmentationJobIdRequestSchema,
  SegmentDatasetRequestSchema,
  SetMaskFlagRequestSchema,
  type LungMaskModelSummary,
  type MaskFailure,
  type MaskQaList,
  type MaskQaRow,
  type SegmentationJobStatus,
  type SegmentationJobSummary,
  type SegmentationProgress,
} from '@shared/lung/qaSchemas'
import { openLibraryDatabase } from '../../library/database'
import type { JobLauncher } from '../../workers/launcher'
import { loadLungModel, lungModelIdentity, type LungModel, type LungModelIdentity } from '../model/lungModel'
import { defaultLungModelDir } from '../model/shippedModel'
import { createLungMaskRepository } from './lungMaskRepository'
import { segmentDatasetImages } from './segmentDatasetImages'

type In<Schema extends z.ZodType> = z.input<Schema>

/** A mask ready for an overlay: 0/255 bytes, row-major, at the image's size. */
export interface MaskOverlay {
  width: number
  height: number
  mask: Uint8Array
}

/**
 * Lung masks over whole datasets: a job that applies the lung U-Net to every image of a dataset (masks cached
 * per image content and model version), the QA list that ranks masks by how unusual they look, reviewers' flags,
 * and the images to exclude because their mask was flagged bad. Requests are parsed with the schemas of
 * `@shared/segmentation/qaSchemas`, so the interface is also the IPC contract (`segmentationContract.ts`).
 */
export interface LungMaskJobs {
  /** Start (or queue behind the running one) a job that segments every image of a dataset not cached yet. */
  segmentDataset(request: In<typeof SegmentDatasetRequestSchema>): Promise<{ jobId: string; modelId: string }>
  /** Stop a job after the image in flight; a queued job stops at once. No-op for a finished job. */
  cancel(request: In<typeof SegmentationJobIdRequestSchema>): Promise<void>
  /** A job's state and the images it failed. */
  getJob(request: In<typeof SegmentationJobIdRequestSchema>): Promise<SegmentationJobSummary>
  /** Resolves with the job's summary once it stops (completed, cancelled or failed). */
  waitForJob(request: In<typeof SegmentationJobIdRequestSchema>): Promise<SegmentationJobSummary>
  /** Jobs of this session, oldest first. */
  listJobs(): Promise<SegmentationJobSummary[]>
  /** Images of a dataset the model could not segment (kept across sessions; cleared when one succeeds later). */
  listFailures(request: In<typeof ListMaskFailuresRequestSchema>): Promise<MaskFailure[]>
  /** The QA list of a dataset's masks by one model, most unusual first (or by name), optionally one flag only. */
  listMaskQa(request: In<typeof ListMaskQaRequestSchema>): Promise<MaskQaList>
  /** Store a reviewer's flag (and note) for a mask. */
  setMaskFlag(request: In<typeof SetMaskFlagRequestSchema>): Promise<void>
  /** A stored mask's bytes for the viewer's overlay. */
  maskFor(request: In<typeof MaskForRequestSchema>): Promise<MaskOverlay>
  /** Model versions that have masks, with mask, bad-flag and failure counts (within a dataset if given). */
  lungMaskModels(request?: In<typeof LungMaskModelsRequestSchema>): Promise<LungMaskModelSummary[]>
  /** Image ids of a dataset whose mask by that model was flagged bad: what compositions and runs should leave out. */
  excludedImageIds(request: In<typeof ExcludedImagesRequestSchema>): Promise<string[]>
  /** Progress of every job: after each image (throttled) and at each status change. */
  onDidProgress(listener: (progress: SegmentationProgress) => void): () => void
  /** Cancel every job, wait for them to stop, free the models and close the database connection. */
  close(): Promise<void>
}

/** Dependencies of {@link createLungMaskJobs}. */
export interface LungMaskJobsDeps {
  /** The app's data folder (the library's): masks go to `<dataFolder>/cache/lung-masks/<modelId>/`. */
  dataFolder: string
  /** Decodes a radiograph file (the imaging service's `decodeImageFile`). */
  decode: (path: string) => Promise<DecodedImage>
  /** Resolves once TensorFlow.js has its backend (the engine service); models load after it. */
  ready?: () => Promise<unknown>
  /** Model folder when a request names none; default the installed `resources/models/lung-unet`. */
  defaultModelFolder?: () => string
  /**
   * Loads a model folder. The composition root can pass a loader shared with the viewer's lung mask service so
   * one model is not held twice; default {@link loadLungModel}, once per model version.
   */
  loadModel?: (folder: string, expectedModelId?: string) => Promise<LungModel>
  /** An open library database (default: opened, and closed by `close`, from `dataFolder`). */
  db?: Database
  /** The clock (tests fix it). */
  now?: () => Date
  /** Minimum milliseconds between two progress events of a running job (default 250). */
  progressIntervalMs?: number
  /** Test seam: called before each image is processed, with its index (in-process jobs only). */
  beforeImage?: (jobId: string, index: number) => Promise<void> | void
  /** Runs each job in a job worker (the app); absent: on this thread (tests). */
  jobs?: JobLauncher
}

interface Job {
  progress: SegmentationProgress
  error: string | null
  failures: MaskFailure[]
  abort: AbortController
  identity: LungModelIdentity
  finished: Promise<SegmentationJobSummary>
}

const FINISHED: readonly SegmentationJobStatus[] = ['completed', 'cancelled', 'failed']

/**
 * Create the lung-mask jobs service on a library data folder.
 * @param deps the data folder, decoder and (optionally) the model loader shared with the viewer.
 */
export function createLungMaskJobs(deps: LungMaskJobsDeps): LungMaskJobs {
  const db = deps.db ?? openLibraryDatabase(deps.dataFolder)
  const repository = createLungMaskRepository(db)
  const clock = deps.now ?? (() => new Date())
  const now = () => clock().toISOString()
  const listeners = new Set<(progress: SegmentationProgress) => void>()
  const jobs = new Map<string, Job>()
  const models = new Map<string, Promise<LungModel>>()
  // One job at a time: the U-Net takes the CPU (and the training worker shares it), so two jobs would only
  // take twice as long each. Jobs chain on this promise.
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  const emit = (progress: SegmentationProgress) => {
    for (const listener of listeners) {
      try {
        listener({ ...progress })
      } catch {
        // A broken listener (a closed window) must not stop the job.
      }
    }
  }
  const summary = (job: Job): SegmentationJobSummary => ({ ...job.progress, error: job.error, failures: [...job.failures] })

  function model(identity: LungModelIdentity): Promise<LungModel> {
    let loading = models.get(identity.modelId)
    if (!loading) {
      const load = deps.loadModel ?? loadLungModel
      loading = (deps.ready?.() ?? Promise.resolve()).then(() => load(identity.folder, identity.modelId))
      // A failed load must not stick: the user may fix the folder and run again.
      loading.catch(() => models.delete(identity.modelId))
      models.set(identity.modelId, loading)
    }
    return loading
  }

  async function run(job: Job): Promise<void> {
    const { progress, abort } = job
    if (abort.signal.aborted) return finish(job, 'cancelled')
    try {
      let outcome: 'completed' | 'cancelled'
      if (deps.jobs) {
        // In the app: a job worker segments the dataset (its own U-Net, decoder and database connection); this
        // thread only relays its progress.
        const handle = deps.jobs.launch('segment-dataset', { dataFolder: deps.dataFolder, progress: { ...progress }, model: { modelId: job.identity.modelId, folder: job.identity.folder }, progressIntervalMs: deps.progressIntervalMs }, (event) => {
          if (event.type === 'progress') {
            Object.assign(progress, event.progress)
            emit(progress)
          } else job.failures.push(event.failure)
        })
        const stop = () => handle.cancel()
        abort.signal.addEventListener('abort', stop)
        try {
          outcome = await handle.done
        } finally {
          abort.signal.removeEventListener('abort', stop)
        }
      } else {
        outcome = await segmentDatasetImages({
          db,
          dataFolder: deps.dataFolder,
          progress,
          modelId: job.identity.modelId,
          lung: () => model(job.identity),
          decode: deps.decode,
          shouldStop: () => abort.signal.aborted,
          emit,
          onFailure: (failure) => job.failures.push(failure),
          now,
          progressIntervalMs: deps.progressIntervalMs,
          beforeImage: deps.beforeImage ? (index) => deps.beforeImage!(progress.jobId, index) : undefined,
        })
      }
      finish(job, outcome)
    } catch (error) {
      // Per-image problems are recorded as failures; what lands here breaks every image (no model, disk full).
      job.error = error instanceof Error ? error.message : String(error)
      finish(job, 'failed')
    }
  }

  function finish(job: Job, status: SegmentationJobStatus) {
    job.progress.status = status
    if (status === 'completed') job.progress.etaSeconds = 0
    emit(job.progress)
  }

  function jobOf(jobId: string): Job {
    const job = jobs.get(jobId)
    if (!job) throw new LibraryError('not-found', `no lung segmentation job ${jobId} in this session`)
    return job
  }

  function imageRow(datasetId: string, imageId: string): number {
    const row = repository.imageRow(datasetId, imageId)
    if (row === undefined) throw new LibraryError('not-found', `no image ${imageId} in dataset ${datasetId}`)
    return row
  }

  return {
    async segmentDataset(raw) {
      if (closed) throw new LibraryError('invalid-request', 'the lung mask service is closed')
      const request = SegmentDatasetRequestSchema.parse(raw)
      if (!repository.datasetExists(request.datasetId)) throw new LibraryError('not-found', `no dataset ${request.datasetId}`)
      const folder = request.modelFolder ?? (deps.defaultModelFolder ?? defaultLungModelDir)()
      // Identified before the job is queued: a missing model is the caller's problem to show now, not a job that fails later.
      const identity = await lungModelIdentity(folder)
      repository.recordModel({ modelId: identity.modelId, name: identity.card.name, folder, inputSize: identity.card.architecture.inputSize }, now())
      const jobId = randomUUID()
      const job: Job = {
        progress: { jobId, datasetId: request.datasetId, modelId: identity.modelId, status: 'queued', done: 0, total: 0, failed: 0, cached: 0, ratePerSecond: 0, etaSeconds: null },
        error: null,
        failures: [],
        abort: new AbortController(),
        identity,
        finished: undefined as unknown as Promise<SegmentationJobSummary>,
      }
      jobs.set(jobId, job)
      emit(job.progress)
      const started = queue.then(() => run(job))
      job.finished = started.then(() => summary(job))
      queue = started.catch(() => {})
      return { jobId, modelId: identity.modelId }
    },

    async cancel(raw) {
      const job = jobOf(SegmentationJobIdRequestSchema.parse(raw).jobId)
      if (!FINISHED.includes(job.progress.status)) job.abort.abort()
    },

    async getJob(raw) {
      return summary(jobOf(SegmentationJobIdRequestSchema.parse(raw).jobId))
    },

    async waitForJob(raw) {
      return jobOf(SegmentationJobIdRequestSchema.parse(raw).jobId).finished
    },

    async listJobs() {
      return [...jobs.values()].map(summary)
    },

    async listFailures(raw) {
      const request = ListMaskFailuresRequestSchema.parse(raw)
      return repository.failures(request.datasetId, request.modelId)
    },

    async listMaskQa(raw) {
      const request = ListMaskQaRequestSchema.parse(raw)
      if (!repository.datasetExists(request.datasetId)) throw new LibraryError('not-found', `no dataset ${request.datasetId}`)
      const modelId = request.modelId ?? repository.busiestModel(request.datasetId) ?? null
      if (modelId === null) return { modelId, rows: [] }
      const masks = repository.masksWithReviews(request.datasetId, modelId)
      // Scored against the whole dataset before the flag filter, so a mask's score does not change with the view.
      const scores = scoreMasks(masks.map((mask) => mask.features))
      let rows: MaskQaRow[] = masks.map((mask, index) => ({
        imageId: mask.imageId,
        path: mask.path,
        label: mask.label,
        contentHash: mask.contentHash,
        modelId,
        features: mask.features,
        score: scores[index].score,
        terms: scores[index].terms,
        flag: mask.flag,
        note: mask.note,
      }))
      if (request.flag) rows = rows.filter((row) => row.flag === request.flag)
      if (request.sort === 'unusual') rows.sort((a, b) => b.score - a.score || (a.imageId < b.imageId ? -1 : 1))
      return { modelId, rows }
    },

    async setMaskFlag(raw) {
      const request = SetMaskFlagRequestSchema.parse(raw)
      const row = imageRow(request.datasetId, request.imageId)
      if (!repository.maskOf(row, request.modelId)) {
        throw new LibraryError('not-found', `image ${request.imageId} of dataset ${request.datasetId} has no lung mask by model ${request.modelId}`)
      }
      repository.setReview(row, request.modelId, request.flag, request.note, now())
    },

    async maskFor(raw) {
      const request = MaskForRequestSchema.parse(raw)
      const mask = repository.maskOf(imageRow(request.datasetId, request.imageId), request.modelId)
      if (!mask) throw new LibraryError('not-found', `image ${request.imageId} of dataset ${request.datasetId} has no lung mask by model ${request.modelId}`)
      if (!existsSync(mask.maskPath)) {
        throw new LibraryError('not-found', `the cached mask ${mask.maskPath} is gone (cache cleared?); segment dataset ${request.datasetId} again to rebuild it`)
      }
      const { data, info } = await sharp(mask.maskPath).extractChannel(0).raw().toBuffer({ resolveWithObject: true })
      return { width: info.width, height: info.height, mask: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
    },

    async lungMaskModels(raw = {}) {
      return repository.models(LungMaskModelsRequestSchema.parse(raw).datasetId)
    },

    async excludedImageIds(raw) {
      const request = ExcludedImagesRequestSchema.parse(raw)
      return repository.badImages(request.datasetId, request.modelId)
    },

    onDidProgress(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    async close() {
      if (closed) return
      closed = true
      for (const job of jobs.values()) if (!FINISHED.includes(job.progress.status)) job.abort.abort()
      await Promise.allSettled([...jobs.values()].map((job) => job.finished))
      for (const loading of models.values()) void loading.then((lung) => lung.model.dispose(), () => {})
      models.clear()
      if (!deps.db) db.close()
    },
  }
}
