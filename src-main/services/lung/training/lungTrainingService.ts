import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { z } from 'zod'
import {
  LungTrainingJobIdRequestSchema,
  LungTrainingStartRequestSchema,
  SetActiveLungModelRequestSchema,
  type ActiveLungModel,
  type InstalledLungModel,
  type LungTrainingJobSummary,
  type LungTrainingProgress,
  type LungTrainingStatus,
} from '@shared/lung/lungTraining'
import { defaultLungModelDir } from '../model/shippedModel'
import { MODEL_CARD_JSON } from '../model/lungModel'
import { LUNG_TRAINING_DEFAULTS, trainLungModel, type LungTrainingPhase, type LungTrainingSettings, type TrainLungModelResult } from './trainLungModel'
import { listLungSource } from './trainLungModelJob'
import type { BatchLog, EpochLog } from './trainSegmentation'
import type { JobLauncher } from '../../workers/launcher'
import { resolveUNetOptions } from '../model/unet'
import { collectVersions } from '../../system/versions'
import { LungTrainingError } from './errors'
import { libraryLungSource, type LibraryLungSource, type LungTrainingLibrary } from './librarySources'
import { createLungModelRegistry, readModelCard, trainedLungModelsDir, type LungModelRegistry } from '../modelRegistry'
import { createLeaseKeeper, describeHolder, isLeaseAlive, readLease } from '../../runs/runLease'

type In<Schema extends z.ZodType> = z.input<Schema>

/**
 * Lung U-Net training from the app: a job trains on the lung masks of library datasets (split by patient into
 * train / validation / held-out test), reports progress, can be cancelled, and writes the model and its card
 * into `<dataFolder>/models/lung/<jobId>/`. It also lists the installed lung models and keeps the user's choice
 * of the one the app uses. Requests are parsed with `@shared/segmentation/lungTraining`, so the interface is
 * also the IPC contract (`lungTrainingContract.ts`).
 *
 * Threading: in the app each job trains in a job worker with its own TensorFlow.js, one job at a time; this
 * thread keeps the job's record and relays progress. Without a launcher (tests) it trains on this thread,
 * yielding between steps.
 */
export interface LungTrainingService {
  /**
   * Check the request and queue a job. Rejects before queuing: `no-masks` naming a dataset without lung masks,
   * `invalid-settings` (input size not a multiple of 2^depth, too few masked images), or the library's
   * error for an unknown dataset.
   */
  start(request: In<typeof LungTrainingStartRequestSchema>): Promise<{ jobId: string }>
  /** Stop a job between steps (a queued one at once); it ends `cancelled` without a model, keeping its checkpoint. No-op once finished. */
  cancel(request: In<typeof LungTrainingJobIdRequestSchema>): Promise<void>
  /**
   * Queue a cancelled, interrupted or failed job again: it continues from its last checkpoint (after each epoch
   * and at a cancel) and ends with the model an uninterrupted job would have made. Rejects `not-resumable`.
   */
  resume(request: In<typeof LungTrainingJobIdRequestSchema>): Promise<void>
  get(request: In<typeof LungTrainingJobIdRequestSchema>): Promise<LungTrainingJobSummary>
  /** Resolves with the summary once the job stops (completed, cancelled or failed). */
  wait(request: In<typeof LungTrainingJobIdRequestSchema>): Promise<LungTrainingJobSummary>
  /** Jobs of this session and the unfinished ones of earlier sessions (resumable), oldest first. */
  list(): Promise<LungTrainingJobSummary[]>
  /** The shipped model (when installed) and the trained ones, newest first, with held-out scores and the active flag. */
  models(): Promise<InstalledLungModel[]>
  /** Choose the lung model the app uses; persisted in `<dataFolder>/lung-model.json`. */
  setActiveModel(request: In<typeof SetActiveLungModelRequestSchema>): Promise<ActiveLungModel>
  /** The model the app uses: the chosen one, or the shipped one (with the reason when a choice is not honoured). */
  activeModel(): Promise<ActiveLungModel>
  /** The active model's folder without I/O (the choice as stored at creation or last read), for wiring services that take a folder. */
  activeModelFolder(): string
  onDidProgress(listener: (progress: LungTrainingProgress) => void): () => void
  onDidChangeActiveModel(listener: (active: ActiveLungModel) => void): () => void
  /** Cancel every job and wait for them to stop. */
  close(): Promise<void>
}

/** Dependencies of {@link createLungTrainingService}. */
export interface LungTrainingServiceDeps {
  /** The app's data folder: models go to `<dataFolder>/models/lung/`, the choice to `lung-model.json`. */
  dataFolder: string
  /** Where datasets' images, masks and patients come from. */
  library: LungTrainingLibrary
  /** Resolves once TensorFlow.js has its backend (the engine service's `init`). */
  ready?: () => Promise<unknown>
  /** The shipped model's folder (default `resources/models/lung-unet`; pass the composition root's, which honours its env override). */
  shippedModelFolder?: () => string
  /** The installed models and the choice among them (default: a registry over `dataFolder` and the shipped folder). */
  registry?: LungModelRegistry
  /** Backend facts for the card (default: the active tfjs backend's name). */
  backend?: () => Record<string, unknown>
  /** Versions for the card (default `collectVersions()`). */
  versions?: () => Record<string, string>
  /** Settings not in the request (batch size, patience, time budget…); default {@link LUNG_TRAINING_DEFAULTS}. */
  defaults?: Partial<LungTrainingSettings>
  /** Minimum milliseconds between two step progress events of a job (default 250); epoch ends and status changes always go out. */
  progressIntervalMs?: number
  /** Trains in a job worker (the app); absent: on this thread (tests). */
  jobs?: JobLauncher
  /** Who holds a job while it trains, as other programs on the same data folder are told (default `app`). */
  ownerKind?: string
  now?: () => Date
}

interface Job {
  progress: LungTrainingProgress
  /** `<models>/.<jobId>.job/`: the job's record (job.json) and its checkpoint, until it completes. */
  folder: string
  /** Set when another program trains this job now (read from its lease), in words for the user. */
  elsewhere: string | null
  name: string
  datasetIds: string[]
  settings: LungTrainingSettings
  /** Resolved from the library when the job is queued (again). */
  sources: LibraryLungSource[]
  request: In<typeof LungTrainingStartRequestSchema>
  createdAt: string
  finishedAt: string | null
  error: string | null
  modelFolder: string | null
  heldOut: LungTrainingJobSummary['heldOut']
  log: string[]
  abort: AbortController
  finished: Promise<LungTrainingJobSummary>
}

const FINISHED: readonly LungTrainingStatus[] = ['completed', 'cancelled', 'failed', 'interrupted']
const RESUMABLE: readonly LungTrainingStatus[] = ['cancelled', 'failed', 'interrupted']
const JOB_FILE = 'job.json'

/** What a job's folder records, so a job outlives the program that started it. */
interface JobRecord {
  jobId: string
  name: string
  datasetIds: string[]
  settings: LungTrainingSettings
  request: In<typeof LungTrainingStartRequestSchema>
  createdAt: string
  finishedAt: string | null
  status: LungTrainingStatus
  error: string | null
  log: string[]
  epochs: number
}
const LOG_LINES = 50
/** Fewer masked images cannot make the three patient-disjoint splits (train, validation, held-out test). */
const MIN_PAIRS = 3

/** The app's settings: the shipped model's (chosen for about an hour on a 2-core machine, time budget included). */
const APP_DEFAULTS: LungTrainingSettings = { ...LUNG_TRAINING_DEFAULTS }

/**
 * Create the lung training service.
 * @param deps the data folder, the library, and the engine's readiness.
 */
export function createLungTrainingService(deps: LungTrainingServiceDeps): LungTrainingService {
  const clock = deps.now ?? (() => new Date())
  const now = () => clock().toISOString()
  const shippedFolder = deps.shippedModelFolder ?? defaultLungModelDir
  const registry = deps.registry ?? createLungModelRegistry(deps.dataFolder, shippedFolder, clock)
  const modelsDir = trainedLungModelsDir(deps.dataFolder)
  const interval = deps.progressIntervalMs ?? 250
  const progressListeners = new Set<(progress: LungTrainingProgress) => void>()
  const activeListeners = new Set<(active: ActiveLungModel) => void>()
  const jobs = new Map<string, Job>()
  // One job at a time: two U-Nets on the same CPU (and the same tf engine) only take twice as long each.
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  const broadcast = <T>(listeners: Set<(value: T) => void>, value: T) => {
    for (const listener of listeners) {
      try {
        listener(value)
      } catch {
        // A broken listener (a closed window) must not stop the job.
      }
    }
  }
  const emit = (job: Job) => broadcast(progressListeners, { ...job.progress })
  const summary = (job: Job): LungTrainingJobSummary => ({
    ...job.progress,
    name: job.name,
    datasetIds: [...job.datasetIds],
    settings: { inputSize: job.settings.inputSize, epochs: job.settings.epochs, baseFilters: job.settings.baseFilters, depth: job.settings.depth, seed: job.settings.seed },
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    error: job.error,
    modelFolder: job.modelFolder,
    heldOut: job.heldOut,
    log: [...job.log],
    resumable: RESUMABLE.includes(job.progress.status) && job.elsewhere === null && existsSync(job.folder),
  })
  const leases = createLeaseKeeper(deps.ownerKind ?? 'app', clock)
  const persist = async (job: Job) => {
    if (job.progress.status === 'completed' || !existsSync(job.folder)) return
    const record: JobRecord = {
      jobId: job.progress.jobId,
      name: job.name,
      datasetIds: job.datasetIds,
      settings: job.settings,
      request: job.request,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      status: job.progress.status,
      error: job.error,
      log: job.log,
      epochs: job.progress.epochs,
    }
    const file = join(job.folder, JOB_FILE)
    await writeFile(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`)
    await rename(`${file}.tmp`, file)
  }
  const setStatus = (job: Job, status: LungTrainingStatus) => {
    job.progress.status = status
    if (FINISHED.includes(status)) job.finishedAt = now()
    emit(job)
    void persist(job).catch(() => undefined)
  }
  const jobOf = (jobId: string): Job => {
    const job = jobs.get(jobId)
    if (!job) throw new LungTrainingError('unknown-job', `no lung training job ${jobId} in this data folder`)
    return job
  }
  restoreJobs()

  /**
   * Jobs of earlier sessions that did not complete: one that was training when its program stopped is
   * `interrupted`; one that another program trains now (a live lease) is shown as such and cannot be resumed here.
   */
  function restoreJobs(): void {
    if (!existsSync(modelsDir)) return
    for (const entry of readdirSync(modelsDir)) {
      if (!entry.startsWith('.') || !entry.endsWith('.job')) continue
      const folder = join(modelsDir, entry)
      let record: JobRecord
      try {
        record = JSON.parse(readFileSync(join(folder, JOB_FILE), 'utf8')) as JobRecord
      } catch {
        continue
      }
      const status: LungTrainingStatus = RESUMABLE.includes(record.status) ? record.status : 'interrupted'
      const job: Job = {
        progress: { jobId: record.jobId, status, epoch: 0, epochs: record.epochs, step: 0, steps: 0, loss: null, valDice: null, etaSeconds: null },
        folder,
        elsewhere: null,
        name: record.name,
        datasetIds: record.datasetIds,
        settings: record.settings,
        sources: [],
        request: record.request,
        createdAt: record.createdAt,
        finishedAt: record.finishedAt ?? now(),
        error: record.error,
        modelFolder: null,
        heldOut: null,
        log: record.log ?? [],
        abort: new AbortController(),
        finished: Promise.resolve(undefined as unknown as LungTrainingJobSummary),
      }
      job.finished = Promise.resolve(summary(job))
      jobs.set(record.jobId, job)
      void readLease(folder).then((lease) => {
        if (lease && isLeaseAlive(lease) && !leases.holds(folder)) job.elsewhere = `being trained by ${describeHolder(lease)}`
      })
    }
  }

  async function run(job: Job): Promise<void> {
    const jobId = job.progress.jobId
    const partial = join(modelsDir, `.${jobId}.partial`)
    const signal = job.abort.signal
    const held = await leases.acquire(job.folder)
    if (!held.acquired) {
      job.elsewhere = `being trained by ${describeHolder(held.holder)}`
      job.error = `this lung training is ${job.elsewhere}; wait for it there`
      setStatus(job, 'failed')
      return
    }
    const log = (line: string) => {
      job.log.push(line)
      if (job.log.length > LOG_LINES) job.log.splice(0, job.log.length - LOG_LINES)
    }
    let trainingBegan = 0
    let stepsDone = 0
    let lastEmit = 0
    try {
      if (signal.aborted) throw signal.reason
      setStatus(job, 'loading')
      await rm(partial, { recursive: true, force: true })
      const options = {
        ...job.settings,
        // A dot folder: `models()` never offers it, and it only becomes `<jobId>/` once complete, so a cancelled,
        // failed or interrupted job leaves no model behind.
        outDir: partial,
        checkpointFolder: join(job.folder, 'checkpoint'),
        command: `cxr-workstation lung training job ${jobId}: ${JSON.stringify(job.request)}`,
        backend: deps.backend?.() ?? { name: tf.getBackend() },
        versions: deps.versions?.() ?? collectVersions(),
      }
      const onPhase = (phase: LungTrainingPhase) => {
        if (phase.phase === 'training') {
          job.progress.steps = Math.ceil(phase.train / phase.batchSize)
          job.progress.epochs = phase.epochs
          trainingBegan = performance.now()
          setStatus(job, 'training')
        } else if (phase.phase === 'evaluating') {
          job.progress.etaSeconds = 0
          setStatus(job, 'evaluating')
        }
      }
      const onBatchEnd = (batch: BatchLog) => {
        stepsDone++
        Object.assign(job.progress, { epoch: batch.epoch + 1, step: batch.batch + 1, steps: batch.batches, loss: batch.loss, etaSeconds: eta(job, trainingBegan, stepsDone) })
        const time = performance.now()
        if (time - lastEmit >= interval || batch.batch + 1 === batch.batches) {
          lastEmit = time
          emit(job)
        }
      }
      const onEpochEnd = (epoch: EpochLog) => {
        Object.assign(job.progress, { epoch: epoch.epoch + 1, valDice: epoch.valDice, etaSeconds: eta(job, trainingBegan, stepsDone) })
        log(`epoch ${epoch.epoch + 1}: loss ${epoch.trainLoss.toFixed(4)}, validation Dice ${epoch.valDice.toFixed(4)}${epoch.improved ? ' (best)' : ''}`)
        lastEmit = performance.now()
        emit(job)
      }
      let result: TrainLungModelResult
      if (deps.jobs) {
        // In the app: a job worker trains (its own TensorFlow.js); this thread relays progress and the cancel.
        const sources = await Promise.all(job.sources.map((entry) => listLungSource(entry.source)))
        const handle = deps.jobs.launch('train-lung-model', { options, sources, requireHeldOut: true }, (event) => {
          if (event.type === 'log') log(event.line)
          else if (event.type === 'phase') onPhase(event.phase)
          else if (event.type === 'batch') onBatchEnd(event.batch)
          else onEpochEnd(event.epoch)
        })
        const stop = () => handle.cancel()
        signal.addEventListener('abort', stop)
        try {
          result = await handle.done
        } finally {
          signal.removeEventListener('abort', stop)
        }
      } else {
        await deps.ready?.()
        result = await trainLungModel({
          ...options,
          sources: job.sources.map((entry) => entry.source),
          signal,
          log,
          onPhase: (phase) => {
            if (phase.phase === 'training' && (phase.test === 0 || phase.validation === 0)) {
              throw new LungTrainingError(
                'invalid-settings',
                `the patient split left ${phase.test} held-out and ${phase.validation} validation images (${phase.train} train): the datasets need more patients with lung masks`,
              )
            }
            onPhase(phase)
          },
          onBatchEnd: async (batch) => {
            onBatchEnd(batch)
            // WHY: training runs on this thread's event loop here (tests); a macrotask turn lets a cancel in.
            await new Promise<void>((resolve) => setImmediate(resolve))
          },
          onEpochEnd: async (epoch) => {
            onEpochEnd(epoch)
            await new Promise<void>((resolve) => setImmediate(resolve))
          },
        })
      }
      await finishCard(job, partial, result)
      if (signal.aborted) throw signal.reason
      const folder = join(modelsDir, jobId)
      await rm(folder, { recursive: true, force: true })
      await rename(partial, folder)
      job.modelFolder = folder
      job.heldOut = (result.card.evaluation as { heldOut: LungTrainingJobSummary['heldOut'] }).heldOut
      job.progress.etaSeconds = 0
      setStatus(job, 'completed')
      // The model is in place: the record and checkpoint have served.
      await leases.release(job.folder)
      await rm(job.folder, { recursive: true, force: true })
    } catch (error) {
      await rm(partial, { recursive: true, force: true }).catch(() => {})
      if (signal.aborted) {
        log('cancelled')
        setStatus(job, 'cancelled')
      } else {
        job.error = error instanceof Error ? error.message : String(error)
        log(`failed: ${job.error}`)
        setStatus(job, 'failed')
      }
    } finally {
      await leases.release(job.folder).catch(() => undefined)
    }
  }

  /** Queues a job's run behind the others; its sources are resolved now, so a dataset deleted since is named at once. */
  async function enqueue(job: Job): Promise<void> {
    if (job.sources.length === 0) {
      for (const datasetId of job.datasetIds) job.sources.push(await libraryLungSource(deps.library, datasetId))
    }
    await mkdir(job.folder, { recursive: true })
    await persist(job)
    const finished = queue.then(() => run(job)).then(() => summary(job))
    queue = finished.catch(() => {})
    job.finished = finished
    emit(job)
  }

  /** Rewrites the card trainLungModel wrote (worded for the shipped model's data) to describe this job's data. */
  async function finishCard(job: Job, folder: string, result: TrainLungModelResult): Promise<void> {
    const card = result.card as Record<string, unknown> & { trainingData: Record<string, unknown>; split: Record<string, unknown> }
    const datasets = job.sources.map((entry) => ({ id: entry.dataset.id, name: entry.dataset.name, images: entry.dataset.imageCount, imagesWithLungMasks: entry.pairCount }))
    const rewritten = {
      ...card,
      name: job.name,
      description: `U-Net lung segmentation trained in the app on the lung masks of ${datasets.map((dataset) => `'${dataset.name}'`).join(', ')}. Output: per-pixel lung probability; the app thresholds and post-processes it (see postprocessing).`,
      trainingData: {
        ...card.trainingData,
        libraryDatasetIds: job.datasetIds,
        libraryDatasets: datasets,
        conventionChoice: 'Every lung mask of the chosen datasets is used as imported. When a radiograph is in several datasets, the mask of the dataset listed first is kept.',
      },
      split: { ...card.split, patientIds: "the library's patient ids, prefixed with the dataset id (patient ids are per dataset); an image without one is its own patient" },
      limitations: [
        `Trained on ${(card.split.images as { train: number }).train} radiographs of the datasets listed in trainingData; not validated beyond their held-out patients.`,
        'The held-out scores are only as good as the imported masks and patient ids: images of one patient under different ids can leak between splits.',
        'A research tool, not a medical device.',
      ],
      job: { id: job.progress.jobId, request: job.request, createdAt: job.createdAt },
    }
    await writeFile(join(folder, MODEL_CARD_JSON), `${JSON.stringify(rewritten, null, 2)}\n`)
    const check = await readModelCard(folder)
    if ('reason' in check) throw new Error(`the trained model's card does not validate: ${check.reason}`)
  }

  const service: LungTrainingService = {
    async start(request) {
      if (closed) throw new LungTrainingError('closed', 'the lung training service is closed')
      const parsed = LungTrainingStartRequestSchema.parse(request)
      const datasetIds = [...new Set(parsed.datasetIds)]
      const settings: LungTrainingSettings = { ...APP_DEFAULTS, ...deps.defaults }
      for (const key of ['inputSize', 'epochs', 'baseFilters', 'depth', 'seed'] as const) {
        if (parsed[key] !== undefined) settings[key] = parsed[key]
      }
      try {
        resolveUNetOptions({ inputSize: settings.inputSize, depth: settings.depth, baseFilters: settings.baseFilters })
      } catch (error) {
        throw new LungTrainingError('invalid-settings', (error as Error).message.replace(/^buildUNet: /, ''))
      }
      // Checked before queuing, so the user hears at once which dataset cannot be used.
      const sources: LibraryLungSource[] = []
      for (const datasetId of datasetIds) sources.push(await libraryLungSource(deps.library, datasetId))
      const pairs = sources.reduce((sum, entry) => sum + entry.pairCount, 0)
      if (pairs < MIN_PAIRS) {
        throw new LungTrainingError('invalid-settings', `only ${pairs} image(s) with lung masks in ${datasetIds.join(', ')}: at least ${MIN_PAIRS} are needed for train, validation and held-out test`)
      }
      const created = clock()
      const jobId = `lung-${created.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomUUID().slice(0, 8)}`
      const job: Job = {
        progress: { jobId, status: 'queued', epoch: 0, epochs: settings.epochs, step: 0, steps: 0, loss: null, valDice: null, etaSeconds: null },
        folder: join(modelsDir, `.${jobId}.job`),
        elsewhere: null,
        name: parsed.name ?? `Lung U-Net (${sources.map((entry) => entry.dataset.name).join(', ')}, ${settings.inputSize} px)`,
        datasetIds,
        settings,
        sources,
        request: parsed,
        createdAt: created.toISOString(),
        finishedAt: null,
        error: null,
        modelFolder: null,
        heldOut: null,
        log: [],
        abort: new AbortController(),
        finished: Promise.resolve(undefined as unknown as LungTrainingJobSummary),
      }
      jobs.set(jobId, job)
      await enqueue(job)
      return { jobId }
    },
    async resume(request) {
      if (closed) throw new LungTrainingError('closed', 'the lung training service is closed')
      const job = jobOf(LungTrainingJobIdRequestSchema.parse(request).jobId)
      if (!summary(job).resumable) {
        const why = job.elsewhere ?? (RESUMABLE.includes(job.progress.status) ? 'its checkpoint folder is gone' : `it is ${job.progress.status}`)
        throw new LungTrainingError('not-resumable', `"${job.name}" cannot be resumed: ${why}`)
      }
      job.abort = new AbortController()
      job.error = null
      job.finishedAt = null
      job.sources = []
      job.progress = { ...job.progress, status: 'queued', step: 0, loss: null, etaSeconds: null }
      job.log.push('resumed')
      await enqueue(job)
    },
    async cancel(request) {
      const job = jobOf(LungTrainingJobIdRequestSchema.parse(request).jobId)
      if (FINISHED.includes(job.progress.status)) return
      job.abort.abort(new Error(`lung training job ${job.progress.jobId} cancelled`))
    },
    async get(request) {
      return summary(jobOf(LungTrainingJobIdRequestSchema.parse(request).jobId))
    },
    async wait(request) {
      return jobOf(LungTrainingJobIdRequestSchema.parse(request).jobId).finished
    },
    async list() {
      return [...jobs.values()].map(summary)
    },
    models: () => registry.models(),
    async setActiveModel(request) {
      const active = await registry.setActiveModel(SetActiveLungModelRequestSchema.parse(request).folder)
      broadcast(activeListeners, { ...active })
      return active
    },
    activeModel: () => registry.activeModel(),
    activeModelFolder: () => registry.activeFolderNow(),
    onDidProgress(listener) {
      progressListeners.add(listener)
      return () => progressListeners.delete(listener)
    },
    onDidChangeActiveModel(listener) {
      activeListeners.add(listener)
      return () => activeListeners.delete(listener)
    },
    async close() {
      closed = true
      for (const job of jobs.values()) if (!FINISHED.includes(job.progress.status)) job.abort.abort(new LungTrainingError('closed', 'the app is closing'))
      await Promise.allSettled([...jobs.values()].map((job) => job.finished))
      await leases.close()
    },
  }
  return service
}

/**
 * Seconds left if every epoch runs, from the mean wall time per step so far. Wall time (not step time) includes
 * each epoch's validation, so the estimate does not undershoot by it.
 */
function eta(job: Job, began: number, stepsDone: number): number | null {
  if (stepsDone === 0 || job.progress.steps === 0) return null
  const total = job.progress.epochs * job.progress.steps
  const perStep = (performance.now() - began) / 1000 / stepsDone
  return Math.max(0, Math.round(perStep * Math.max(0, total - stepsDone)))
}
