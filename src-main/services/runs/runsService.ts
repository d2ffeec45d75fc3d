import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '@shared/runs/config'
import type { RunChangeEvent, RunProgressEvent } from '@shared/runs/events'
import { RECORD_LOG_LINES, RESUMABLE_STATES, type RunRecord, type RunState } from '@shared/runs/record'
import { PredictRequestSchema, RunIdRequestSchema, type Prediction, type RunEstimate, type RunsService } from '@shared/runs/service'
import { planFinetune, planPretrain, type DataPlan, type RunsLibrary } from './dataPlan'
import { executeJob, type JobIo } from './executeJob'
import type { LungMaskFunction } from './inputPipeline'
import type { FromWorker, JobResult, TrainJob, WorkerBackend, WorkerJob } from './protocol'
import { RunFailure } from './runFailure'
import { createRunStore } from './runStore'
import { defaultWorkerEntry, launchJob, WorkerCrash, type JobHandle, type WorkerEntry } from './workerHost'

/** Where jobs run: a worker thread (the app, the CLI), or this thread on its current tf backend (tests). */
export type RunExecution = { kind: 'worker'; entry?: WorkerEntry } | { kind: 'in-process' }

/** Dependencies of the runs service. */
export interface RunsDeps {
  dataFolder: string
  library: RunsLibrary
  /** Makes a lung mask for a decoded image (the U-Net of services/segmentation); absent: `full` runs unmasked and say so. */
  lungMask?: LungMaskFunction
  /** Identifies the lung model (e.g. its weights hash), for the input cache key and the provenance. */
  lungMaskModelId?: string | null
  /** The backend preference the worker climbs from (the engine's setting); default `auto`. */
  backend?: () => WorkerBackend
  execution?: RunExecution
  appVersion?: string
  /** Observes every worker message (tests read batch sequences from it). */
  onWorkerMessage?: (runId: string | null, message: FromWorker) => void
}

/** The service with the main-process extras the CLI and tests use (not part of the IPC contract). */
export interface RunsServiceImpl extends RunsService {
  /** Folder of a run (record.json, log.txt, checkpoints/, encoder/, model/). */
  runFolder(runId: string): string
  /** COVID+ probabilities under any model folder written by a run (`cxr predict MODEL_DIR`). */
  predictFolder(modelFolder: string, imagePaths: string[]): Promise<Prediction[]>
  /** Ends the running worker at once, as a crash would: the run becomes `failed` and resumable. */
  terminateActive(): Promise<void>
}

/** A terminal state: `waitForRun` resolves on these. */
const SETTLED: readonly RunState[] = ['completed', 'failed', 'cancelled', 'interrupted']

/**
 * Creates the runs service: records under `<dataFolder>/runs`, one run at a time (the CPU is shared with the
 * UI and other jobs; two trainings would each run at half speed and hold twice the memory). Runs that were
 * running or queued when the app stopped are marked `interrupted` when the service starts.
 */
export function createRunsService(deps: RunsDeps): RunsServiceImpl {
  const store = createRunStore(deps.dataFolder)
  const execution = deps.execution ?? { kind: 'worker' }
  const records = new Map<string, RunRecord>()
  const queue: string[] = []
  const progressListeners = new Set<(event: RunProgressEvent) => void>()
  const changeListeners = new Set<(event: RunChangeEvent) => void>()
  const waiters = new Map<string, ((record: RunRecord) => void)[]>()
  let active: { runId: string; handle: JobHandle } | null = null
  let closed = false
  let writes = Promise.resolve()
  const ready = load()

  async function load(): Promise<void> {
    const { records: found, problems } = await store.readAll()
    for (const problem of problems) console.warn(`runs: skipped an unreadable record: ${problem}`)
    for (const record of found) {
      if (record.state === 'running' || record.state === 'queued') {
        record.state = 'interrupted'
        record.progress = null
        record.resumable = true
        record.log = [...record.log, `${new Date().toISOString()} interrupted: the app stopped while the run was ${record.state}`].slice(-RECORD_LOG_LINES)
        await store.write(record)
      }
      records.set(record.id, record)
    }
  }

  function persist(record: RunRecord): Promise<void> {
    // Writes are chained so two quick changes never interleave on disk.
    const snapshot = structuredClone(record)
    writes = writes.then(() => store.write(snapshot)).catch((error) => console.warn(`runs: could not write ${record.id}: ${(error as Error).message}`))
    return writes
  }

  function emitChange(record: RunRecord, kind: RunChangeEvent['kind'], metrics: RunChangeEvent['metrics'] = null): void {
    for (const listener of changeListeners) listener({ runId: record.id, kind, state: kind === 'deleted' ? null : record.state, metrics })
  }

  function log(record: RunRecord, line: string): void {
    const stamped = `${new Date().toISOString()} ${line}`
    record.log = [...record.log, stamped].slice(-RECORD_LOG_LINES)
    void store.appendLog(record.id, stamped).catch(() => undefined)
  }

  async function setState(record: RunRecord, state: RunState, failureReason: string | null = null): Promise<void> {
    record.state = state
    record.failureReason = failureReason
    record.resumable = RESUMABLE_STATES.includes(state)
    if (state !== 'running') record.progress = null
    if (state === 'running') record.timings.startedAt ??= new Date().toISOString()
    if (SETTLED.includes(state)) record.timings.finishedAt = new Date().toISOString()
    await persist(record)
    emitChange(record, 'state')
    if (SETTLED.includes(state)) {
      for (const resolve of waiters.get(record.id) ?? []) resolve(structuredClone(record))
      waiters.delete(record.id)
    }
  }

  function requireRecord(runId: string): RunRecord {
    const record = records.get(runId)
    if (!record) throw new Error(`no run ${runId}`)
    return record
  }

  function startJob(job: WorkerJob, onMessage: (message: FromWorker) => void, runId: string | null): JobHandle {
    const route = (message: FromWorker) => {
      deps.onWorkerMessage?.(runId, message)
      onMessage(message)
    }
    if (execution.kind === 'worker') {
      return launchJob(execution.entry ?? defaultWorkerEntry(), job, deps.backend?.() ?? { preference: 'auto', source: 'default' }, route, deps.lungMask)
    }
    let cancelled = false
    const io: JobIo = {
      backend: tf.getBackend(),
      log: (line) => route({ type: 'log', line }),
      progress: (progress) => route({ type: 'progress', progress }),
      epoch: (metrics) => route({ type: 'epoch', metrics }),
      patch: (patch) => route({ type: 'patch', patch }),
      batch: (phase, epoch, step, indices) => route({ type: 'batch', phase, epoch, step, indices: [...indices] }),
      lungMask: deps.lungMask,
      shouldStop: () => cancelled,
    }
    return {
      done: executeJob(job, io),
      cancel: () => (cancelled = true),
      terminate: async () => {
        cancelled = true
      },
      threadId: 0,
    }
  }

  async function runNext(): Promise<void> {
    if (active || closed) return
    const runId = queue.shift()
    if (!runId) return
    const record = records.get(runId)
    if (!record || record.state !== 'queued') return void runNext()
    record.timings.attempts += 1
    await setState(record, 'running')
    log(record, record.timings.attempts > 1 ? `attempt ${record.timings.attempts}: resuming` : 'started')
    let handle: JobHandle
    try {
      const job = await trainJob(record)
      handle = startJob(job, (message) => onRunMessage(record, message), record.id)
    } catch (error) {
      await finish(record, error)
      return void runNext()
    }
    active = { runId, handle }
    try {
      const result = await handle.done
      await finish(record, null, result)
    } catch (error) {
      await finish(record, error)
    } finally {
      active = null
    }
    void runNext()
  }

  async function trainJob(record: RunRecord): Promise<TrainJob> {
    const { config } = record
    const finetune = await planFinetune(deps.library, config.compositionId)
    const pretrain = config.pretraining.kind === 'train' ? await planPretrain(deps.library, config.pretraining, config.seed) : null
    let encoderFolder: string | null = null
    if (config.pretraining.kind === 'run') {
      const source = records.get(config.pretraining.runId)
      if (!source) throw new RunFailure(`pre-training run ${config.pretraining.runId} does not exist`)
      if (source.config.architecture !== config.architecture || source.config.input.crop !== config.input.crop) {
        throw new RunFailure(
          `run ${source.id}'s encoder is a ${source.config.architecture} at ${source.config.input.crop} px; this run needs a ${config.architecture} at ${config.input.crop} px`,
        )
      }
      encoderFolder = join(store.runFolder(source.id), 'encoder')
    }
    return {
      kind: 'train',
      runId: record.id,
      runFolder: store.runFolder(record.id),
      dataFolder: deps.dataFolder,
      config,
      finetune,
      pretrain,
      encoderFolder,
      lungMask: deps.lungMask !== undefined,
      lungMaskModelId: deps.lungMaskModelId ?? null,
      appVersion: deps.appVersion ?? '0.0.0',
    }
  }

  function onRunMessage(record: RunRecord, message: FromWorker): void {
    switch (message.type) {
      case 'log':
        log(record, message.line)
        break
      case 'progress':
        // Kept in memory and sent; written to disk with the next epoch or state change, not at every step.
        record.progress = message.progress
        for (const listener of progressListeners) listener({ runId: record.id, progress: message.progress })
        break
      case 'epoch':
        record.history = [...record.history.filter((entry) => !(entry.phase === message.metrics.phase && entry.epoch === message.metrics.epoch)), message.metrics]
        void persist(record)
        emitChange(record, 'epoch', message.metrics)
        break
      case 'patch': {
        const { patch } = message
        if (patch.provenance) record.provenance = patch.provenance
        if (patch.history) record.history = patch.history
        if (patch.best !== undefined) record.best = patch.best
        if (patch.modelFolder) record.modelFolder = patch.modelFolder
        if (patch.prepareSeconds) record.timings.prepareSeconds += patch.prepareSeconds
        if (patch.trainSeconds) record.timings.trainSeconds += patch.trainSeconds
        void persist(record)
        break
      }
      default:
        break
    }
  }

  async function finish(record: RunRecord, error: unknown, result?: JobResult): Promise<void> {
    if (result?.kind === 'train') {
      log(record, result.outcome === 'completed' ? 'completed' : 'cancelled: checkpoint saved, resume continues from it')
      return setState(record, result.outcome === 'completed' ? 'completed' : 'cancelled')
    }
    if (closed && error instanceof WorkerCrash) {
      log(record, 'interrupted: the app closed while the run was training')
      return setState(record, 'interrupted')
    }
    const reason =
      error instanceof RunFailure
        ? error.message
        : error instanceof WorkerCrash
          ? `${error.message}; resume continues from the last checkpoint`
          : `internal error: ${(error as Error)?.message ?? String(error)}`
    if (!(error instanceof RunFailure) && error instanceof Error && error.stack) log(record, error.stack)
    log(record, `failed: ${reason}`)
    return setState(record, 'failed', reason)
  }

  async function runSideJob<T extends JobResult['kind']>(job: WorkerJob, kind: T): Promise<Extract<JobResult, { kind: T }>> {
    const handle = startJob(job, () => undefined, null)
    const result = await handle.done
    if (result.kind !== kind) throw new Error(`expected a ${kind} result, got ${result.kind}`)
    return result as Extract<JobResult, { kind: T }>
  }

  return {
    runFolder: (runId) => store.runFolder(runId),
    predictFolder: async (modelFolder, imagePaths) => (await predictFolder(modelFolder, imagePaths)).predictions,
    async terminateActive() {
      if (active) await active.handle.terminate()
    },
    async start(input: RunConfigInput) {
      await ready
      if (closed) throw new Error('the runs service is closed')
      const config: RunConfig = RunConfigSchema.parse(input)
      const now = new Date()
      const record: RunRecord = {
        id: store.newId(now),
        config,
        state: 'queued',
        progress: null,
        history: [],
        best: null,
        failureReason: null,
        resumable: false,
        provenance: null,
        timings: { createdAt: now.toISOString(), startedAt: null, finishedAt: null, prepareSeconds: 0, trainSeconds: 0, attempts: 0 },
        log: [],
        modelFolder: null,
      }
      records.set(record.id, record)
      await persist(record)
      emitChange(record, 'created')
      queue.push(record.id)
      void runNext()
      return { runId: record.id }
    },
    async list() {
      await ready
      return [...records.values()].sort((a, b) => b.timings.createdAt.localeCompare(a.timings.createdAt) || b.id.localeCompare(a.id)).map((record) => structuredClone(record))
    },
    async get(request) {
      await ready
      return structuredClone(requireRecord(RunIdRequestSchema.parse(request).runId))
    },
    async cancel(request) {
      await ready
      const record = requireRecord(RunIdRequestSchema.parse(request).runId)
      if (active?.runId === record.id) {
        log(record, 'cancel requested: stopping after the current step')
        active.handle.cancel()
      } else if (record.state === 'queued') {
        queue.splice(queue.indexOf(record.id), 1)
        log(record, 'cancelled before it started')
        await setState(record, 'cancelled')
      }
    },
    async resume(request) {
      await ready
      const record = requireRecord(RunIdRequestSchema.parse(request).runId)
      if (!RESUMABLE_STATES.includes(record.state)) throw new Error(`run ${record.id} is ${record.state}; only failed, cancelled or interrupted runs can be resumed`)
      record.failureReason = null
      record.timings.finishedAt = null
      await setState(record, 'queued')
      queue.push(record.id)
      void runNext()
    },
    async delete(request) {
      await ready
      const record = requireRecord(RunIdRequestSchema.parse(request).runId)
      if (active?.runId === record.id) throw new Error(`run ${record.id} is running: cancel it first`)
      const queued = queue.indexOf(record.id)
      if (queued >= 0) queue.splice(queued, 1)
      records.delete(record.id)
      await writes
      await store.remove(record.id)
      emitChange(record, 'deleted')
    },
    async predict(request): Promise<Prediction[]> {
      await ready
      const { runId, imagePaths } = PredictRequestSchema.parse(request)
      const record = requireRecord(runId)
      if (record.state !== 'completed' || !record.modelFolder) throw new Error(`run ${runId} has no model: it is ${record.state}`)
      return (await predictFolder(record.modelFolder, imagePaths)).predictions
    },
    async estimate(input): Promise<RunEstimate> {
      await ready
      const config = RunConfigSchema.parse(input)
      const finetune = await planFinetune(deps.library, config.compositionId)
      const pretrain: DataPlan | null = config.pretraining.kind === 'train' ? await planPretrain(deps.library, config.pretraining, config.seed) : null
      const count = (plan: DataPlan | null, split: 'train' | 'validation') => plan?.images.filter((image) => image.split === split).length ?? 0
      const result = await runSideJob(
        {
          kind: 'estimate',
          config,
          trainImages: { finetune: count(finetune, 'train'), pretrain: count(pretrain, 'train') },
          validationImages: { finetune: count(finetune, 'validation'), pretrain: count(pretrain, 'validation') },
        },
        'estimate',
      )
      return result.estimate
    },
    async waitForRun(request) {
      await ready
      const record = requireRecord(RunIdRequestSchema.parse(request).runId)
      if (SETTLED.includes(record.state) && !queue.includes(record.id) && active?.runId !== record.id) return structuredClone(record)
      return new Promise((resolve) => waiters.set(record.id, [...(waiters.get(record.id) ?? []), resolve]))
    },
    onDidProgress(listener) {
      progressListeners.add(listener)
      return () => progressListeners.delete(listener)
    },
    onDidChange(listener) {
      changeListeners.add(listener)
      return () => changeListeners.delete(listener)
    },
    async close() {
      await ready
      closed = true
      queue.length = 0
      if (active) await active.handle.terminate()
      await writes
    },
  }

  function predictFolder(modelFolder: string, imagePaths: string[]) {
    return runSideJob(
      { kind: 'predict', modelFolder, imagePaths, dataFolder: deps.dataFolder, lungMask: deps.lungMask !== undefined, lungMaskModelId: deps.lungMaskModelId ?? null },
      'predict',
    )
  }
}
