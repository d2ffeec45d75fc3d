import { existsSync, statSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '@shared/runs/config'
import type { RunChangeEvent, RunProgressEvent } from '@shared/runs/events'
import { newRunRecord, RECORD_LOG_LINES, RESUMABLE_STATES, type LungModelRef, type RunRecord, type RunState } from '@shared/runs/record'
import { PredictRequestSchema, RunIdRequestSchema, type Prediction, type RunEstimate, type RunsService } from '@shared/runs/service'
import { inputSettingsKey } from '../inputs'
import { planFinetune, planPretrain, type DataPlan, type RunsLibrary } from './dataPlan'
import { WorkerCrash, type JobHandle, type WorkerEntry } from '../workers/host'
import { JobFailure } from '../workers/jobIo'
import { createJobLauncher } from '../workers/launcher'
import type { WorkerBackend } from '../workers/protocol'
import { modelInputSettings, readModelCard } from './executeJob'
import type { TrainJob } from './protocol'
import type { RunEvent } from './runExecutors'
import { RunFailure } from './runFailure'
import { CANCEL_REQUEST_FILE, createLeaseKeeper, describeHolder, HEARTBEAT_MS, isLeaseAlive, ownerOf, readLease, type LeaseKeeper } from './runLease'
import { UNDO_DELETE_MS } from '../files/setAside'
import { createRunStore } from './runStore'

/** Where jobs run: a worker thread (the app, the CLI), or this thread on its current tf backend (tests). */
export type RunExecution = { kind: 'worker'; entry?: WorkerEntry } | { kind: 'in-process' }

/** The lung models a run can mask with: the one the app uses now, and any installed one by its content id. */
export interface RunLungModels {
  /** The lung model the app uses now; null when none is installed. */
  active(): Promise<LungModelRef | null>
  /** An installed lung model with this content id (wherever it is now), or null when none is. */
  find(modelId: string): Promise<LungModelRef | null>
}

/** Dependencies of the runs service. */
export interface RunsDeps {
  dataFolder: string
  library: RunsLibrary
  /** Lung models for `full` preprocessing; absent: `full` runs are refused (nothing could mask them). */
  lungModels?: RunLungModels
  /** The backend preference the worker climbs from (the engine's setting); default `auto`. */
  backend?: () => WorkerBackend
  execution?: RunExecution
  appVersion?: string
  /** Which program this is (`app` or `cli`): another process names it when it finds a run owned by this one. */
  ownerKind?: string
  /** How often runs owned by other processes are re-read (default: the owners' heartbeat interval). */
  pollIntervalMs?: number
  /** Observes every event of a training job (tests read batch sequences from it). */
  onWorkerMessage?: (runId: string | null, message: RunEvent) => void
}

/** The service with the main-process extras the CLI and tests use (not part of the IPC contract). */
export interface RunsServiceImpl extends RunsService {
  /** Folder of a run (record.json, log.txt, checkpoints/, encoder/, model/). */
  runFolder(runId: string): string
  /** COVID+ probabilities under any model folder written by a run (`cxr predict MODEL_DIR`). */
  predictFolder(modelFolder: string, imagePaths: string[]): Promise<Prediction[]>
  /** Ends the running worker at once, as a crash would: the run becomes `failed` and resumable. */
  terminateActive(): Promise<void>
  /** The lung model a completed run's model was trained with (for evaluation and Grad-CAM), or null when it did not mask. */
  lungModelOfModel(modelFolder: string): Promise<LungModelRef | null>
}

/** A terminal state: `waitForRun` resolves on these. */
const SETTLED: readonly RunState[] = ['completed', 'failed', 'cancelled', 'interrupted']

/** A request the user can fix: shown as it is. */
class RunsError extends Error {
  override name = 'RunsError'
}

/**
 * Creates the runs service: records under `<dataFolder>/runs`, one run at a time in this process (the CPU is
 * shared with the UI and other jobs; two trainings would each run at half speed and hold twice the memory).
 * Every queued or running run is leased by the process that trains it (see runLease.ts): runs of another process
 * on the same data folder are shown with their live progress and left alone; runs whose process died are marked
 * `interrupted` and can be resumed here.
 */
export function createRunsService(deps: RunsDeps): RunsServiceImpl {
  const store = createRunStore(deps.dataFolder)
  const execution = deps.execution ?? { kind: 'worker' }
  const leases: LeaseKeeper = createLeaseKeeper(deps.ownerKind ?? 'app')
  const records = new Map<string, RunRecord>()
  /** record.json modification times of runs this process does not own, to notice their changes. */
  const foreignSeen = new Map<string, number>()
  const queue: string[] = []
  const progressListeners = new Set<(event: RunProgressEvent) => void>()
  const changeListeners = new Set<(event: RunChangeEvent) => void>()
  const waiters = new Map<string, ((record: RunRecord) => void)[]>()
  let active: { runId: string; handle: JobHandle<'completed' | 'cancelled'> } | null = null
  const jobs = createJobLauncher(
    execution.kind === 'worker' ? { kind: 'worker', entry: execution.entry, backend: () => deps.backend?.() ?? { preference: 'auto', source: 'default' } } : { kind: 'in-process' },
  )
  let closed = false
  let writes = Promise.resolve()
  let polling: NodeJS.Timeout | null = null
  let pollRunning = false
  const ready = load().then(() => {
    polling = setInterval(() => void poll(), deps.pollIntervalMs ?? HEARTBEAT_MS)
    polling.unref()
  })

  async function load(): Promise<void> {
    await store.purgeDeleted(UNDO_DELETE_MS)
    const { records: found, problems } = await store.readAll()
    for (const problem of problems) console.warn(`runs: skipped an unreadable record: ${problem}`)
    for (const record of found) {
      records.set(record.id, record)
      await adoptOrInterrupt(record)
    }
  }

  /**
   * A record found on disk: left to its owner when another live process holds it, otherwise (queued or running
   * with no live owner: the process stopped) marked interrupted, under a lease so two processes never both do it.
   */
  async function adoptOrInterrupt(record: RunRecord): Promise<void> {
    const folder = store.runFolder(record.id)
    if (record.state !== 'running' && record.state !== 'queued') {
      record.owner = null
      return
    }
    if (leases.holds(folder)) return
    const lease = await readLease(folder)
    if (lease && isLeaseAlive(lease) && lease.instanceId !== leases.instanceId) {
      record.owner = ownerOf(lease, leases.instanceId)
      record.progress = lease.progress
      noteForeign(record.id)
      return
    }
    const taken = await leases.acquire(folder)
    if (!taken.acquired) {
      record.owner = ownerOf(taken.holder, leases.instanceId)
      noteForeign(record.id)
      return
    }
    try {
      const previous = record.state
      record.state = 'interrupted'
      record.progress = null
      record.resumable = true
      record.owner = null
      record.log = [...record.log, `${new Date().toISOString()} interrupted: the program that was ${previous === 'running' ? 'training' : 'about to train'} it stopped`].slice(-RECORD_LOG_LINES)
      await store.write(record)
      foreignSeen.delete(record.id)
    } finally {
      await leases.release(folder)
    }
  }

  function noteForeign(runId: string): void {
    const file = join(store.runFolder(runId), 'record.json')
    foreignSeen.set(runId, existsSync(file) ? statSync(file).mtimeMs : 0)
  }

  /**
   * Follows runs of other processes: their progress (from the lease's heartbeat), record changes (epochs, the
   * final state), runs they created or deleted, and owners that died (their runs become interrupted).
   */
  async function poll(): Promise<void> {
    if (pollRunning || closed) return
    pollRunning = true
    try {
      if (active && existsSync(join(store.runFolder(active.runId), CANCEL_REQUEST_FILE))) {
        const record = records.get(active.runId)
        await rm(join(store.runFolder(active.runId), CANCEL_REQUEST_FILE), { force: true })
        if (record) log(record, 'cancel requested by another program: stopping after the current step')
        active.handle.cancel()
      }
      const onDisk = new Set(await store.listIds())
      for (const runId of onDisk) {
        if (records.has(runId)) continue
        const record = await store.read(runId).catch(() => null)
        if (!record) continue
        records.set(runId, record)
        await adoptOrInterrupt(record)
        emitChange(record, 'created')
      }
      for (const [runId, record] of [...records]) {
        const folder = store.runFolder(runId)
        if (leases.holds(folder)) continue
        if (!onDisk.has(runId)) {
          // Deleted by another process.
          records.delete(runId)
          foreignSeen.delete(runId)
          emitChange(record, 'deleted')
          continue
        }
        if (!foreignSeen.has(runId)) continue
        const file = join(folder, 'record.json')
        const modified = existsSync(file) ? statSync(file).mtimeMs : 0
        if (modified !== foreignSeen.get(runId)) {
          const fresh = await store.read(runId).catch(() => null)
          if (fresh) {
            const before = record.state
            const epochs = record.history.length
            Object.assign(record, fresh)
            foreignSeen.set(runId, modified)
            for (const metrics of record.history.slice(epochs)) emitChange(record, 'epoch', metrics)
            if (record.state !== before) {
              emitChange(record, 'state')
              if (SETTLED.includes(record.state)) settleWaiters(record)
            }
          }
        }
        if (record.state === 'running' || record.state === 'queued') {
          const lease = await readLease(folder)
          if (lease && isLeaseAlive(lease)) {
            record.owner = ownerOf(lease, leases.instanceId)
            if (lease.progress && JSON.stringify(lease.progress) !== JSON.stringify(record.progress)) {
              record.progress = lease.progress
              for (const listener of progressListeners) listener({ runId, progress: lease.progress })
            }
          } else {
            await adoptOrInterrupt(record)
            if ((record.state as RunState) === 'interrupted') {
              emitChange(record, 'state')
              settleWaiters(record)
            }
          }
        } else {
          record.owner = null
          foreignSeen.delete(runId)
        }
      }
    } catch (error) {
      console.warn(`runs: could not follow runs of other programs: ${(error as Error).message}`)
    } finally {
      pollRunning = false
    }
  }

  function persist(record: RunRecord): Promise<void> {
    // Writes are chained so two quick changes never interleave on disk.
    const snapshot = structuredClone({ ...record, owner: null, progress: record.state === 'running' ? record.progress : null })
    writes = writes.then(() => store.write(snapshot)).catch((error) => console.warn(`runs: could not write ${record.id}: ${(error as Error).message}`))
    return writes
  }

  function emitChange(record: RunRecord, kind: RunChangeEvent['kind'], metrics: RunChangeEvent['metrics'] = null): void {
    for (const listener of changeListeners) listener({ runId: record.id, kind, state: kind === 'deleted' ? null : record.state, metrics })
  }

  function settleWaiters(record: RunRecord): void {
    for (const resolve of waiters.get(record.id) ?? []) resolve(structuredClone(record))
    waiters.delete(record.id)
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
    const folder = store.runFolder(record.id)
    if (SETTLED.includes(state)) {
      await writes
      await leases.release(folder)
      record.owner = null
    } else {
      record.owner = await ownerNow(folder)
    }
    emitChange(record, 'state')
    if (SETTLED.includes(state)) settleWaiters(record)
  }

  async function ownerNow(folder: string): Promise<RunRecord['owner']> {
    const lease = await readLease(folder)
    return lease ? ownerOf(lease, leases.instanceId) : null
  }

  function requireRecord(runId: string): RunRecord {
    const record = records.get(runId)
    if (record) return record
    // Any unique beginning of an id (lists show 8 characters of it) names the run too.
    const matches = [...records.keys()].filter((id) => id.startsWith(runId) || id.replace(/^run-/, '').startsWith(runId))
    if (matches.length === 1) return records.get(matches[0])!
    if (matches.length > 1) throw new RunsError(`"${runId}" could be any of ${matches.length} runs (${matches.slice(0, 3).join(', ')}…): give more of the id`)
    throw new RunsError(`there is no run "${runId}"`)
  }

  /** Takes the run's lease, or says which program holds it. */
  async function lease(record: RunRecord, action: string): Promise<void> {
    const taken = await leases.acquire(store.runFolder(record.id))
    if (!taken.acquired) {
      record.owner = ownerOf(taken.holder, leases.instanceId)
      throw new RunsError(`${nameOf(record)} is being trained by ${describeHolder(taken.holder)}; it cannot be ${action} from here until it stops there (cancel it there, or wait for it to finish)`)
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
    let handle: JobHandle<'completed' | 'cancelled'>
    try {
      const job = await trainJob(record)
      handle = jobs.launch('train', job, (event) => {
        deps.onWorkerMessage?.(record.id, event)
        onRunMessage(record, event)
      })
    } catch (error) {
      await finish(record, error)
      return void runNext()
    }
    active = { runId, handle }
    const attemptBegan = performance.now()
    const addWallTime = () => (record.timings.wallSeconds = (record.timings.wallSeconds ?? 0) + (performance.now() - attemptBegan) / 1000)
    try {
      const result = await handle.done
      addWallTime()
      await finish(record, null, result)
    } catch (error) {
      addWallTime()
      await finish(record, error)
    } finally {
      active = null
    }
    void runNext()
  }

  /**
   * The lung model a run masks with: chosen when it first starts (the one the app uses then) and kept for
   * every resume, found again by content id if its folder moved.
   */
  async function runLungModel(record: RunRecord): Promise<LungModelRef | null> {
    const { config } = record
    if (record.inputs) {
      const fixed = record.inputs.lungModel
      if (!fixed) return null
      const found = await deps.lungModels?.find(fixed.modelId)
      if (!found) {
        throw new RunFailure(
          `this run's inputs are masked by the lung model "${fixed.name}" (${fixed.modelId}), which is no longer installed; a run keeps the lung model it started with, so it cannot continue: reinstall that model, or start a new run`,
        )
      }
      return found
    }
    if (config.preprocessing !== 'full') return null
    const activeModel = await deps.lungModels?.active()
    if (!activeModel) {
      throw new RunFailure("full preprocessing masks the lungs with a lung model, and none is installed: install or train one (Datasets page, or 'cxr train-lungs'), or choose equalize-only preprocessing")
    }
    return activeModel
  }

  async function trainJob(record: RunRecord): Promise<TrainJob> {
    const { config } = record
    const lungModel = await runLungModel(record)
    if (!record.inputs) {
      record.inputs = { lungModel, settingsKey: inputSettingsKey({ preprocessing: config.preprocessing, input: config.input, lungModelId: lungModel?.modelId ?? null }) }
      if (lungModel) log(record, `inputs masked by the lung model "${lungModel.name}" (${lungModel.modelId}), kept for every resume of this run`)
      await persist(record)
    }
    const finetune = await planFinetune(deps.library, config.compositionId)
    const pretrain = config.pretraining.kind === 'train' ? await planPretrain(deps.library, config.pretraining, config.seed) : null
    let encoderFolder: string | null = null
    if (config.pretraining.kind === 'run') {
      const source = records.get(config.pretraining.runId)
      if (!source) throw new RunFailure(`pre-training run ${config.pretraining.runId} does not exist`)
      if (source.config.architecture !== config.architecture || source.config.input.crop !== config.input.crop) {
        throw new RunFailure(
          `${nameOf(source)}'s encoder is a ${source.config.architecture} at ${source.config.input.crop} px; this run needs a ${config.architecture} at ${config.input.crop} px`,
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
      lungModel,
      appVersion: deps.appVersion ?? '0.0.0',
      // Input preparation side by side on the cores (each lane a worker with one kernel thread).
      preparationLanes: Math.max(1, Math.min(4, availableParallelism())),
    }
  }

  function onRunMessage(record: RunRecord, message: RunEvent): void {
    switch (message.type) {
      case 'log':
        log(record, message.line)
        break
      case 'progress':
        // Kept in memory and sent; written to disk with the next epoch or state change, not at every step.
        // Other processes read it from the lease's heartbeat.
        record.progress = message.progress
        leases.setProgress(store.runFolder(record.id), message.progress)
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

  async function finish(record: RunRecord, error: unknown, outcome?: 'completed' | 'cancelled'): Promise<void> {
    if (outcome) {
      log(record, outcome === 'completed' ? 'completed' : 'cancelled: checkpoint saved, resume continues from it')
      return setState(record, outcome)
    }
    if (closed && error instanceof WorkerCrash) {
      log(record, 'interrupted: the app closed while the run was training')
      return setState(record, 'interrupted')
    }
    const reason =
      error instanceof JobFailure
        ? error.message
        : error instanceof WorkerCrash
          ? `${error.message}; resume continues from the last checkpoint`
          : `internal error: ${(error as Error)?.message ?? String(error)}`
    if (!(error instanceof JobFailure) && error instanceof Error && error.stack) log(record, error.stack)
    log(record, `failed: ${reason}`)
    return setState(record, 'failed', reason)
  }

  async function lungModelOfModel(modelFolder: string): Promise<LungModelRef | null> {
    const card = await readModelCard(modelFolder)
    const settings = modelInputSettings(card)
    if (settings.lungModelId === null) return null
    const found = await deps.lungModels?.find(settings.lungModelId)
    if (!found) {
      throw new RunsError(
        `this model was trained on lungs masked by the lung model ${card.lungModelName ? `"${card.lungModelName}" ` : ''}(${settings.lungModelId}), which is not installed: install it to prepare images as in training`,
      )
    }
    return found
  }

  async function predictFolder(modelFolder: string, imagePaths: string[]) {
    const lungModel = await lungModelOfModel(modelFolder)
    return jobs.launch('predict', { kind: 'predict', modelFolder, imagePaths, dataFolder: deps.dataFolder, lungModel }).done
  }

  const snapshot = (record: RunRecord) => structuredClone(record)

  return {
    runFolder: (runId) => store.runFolder(runId),
    predictFolder: (modelFolder, imagePaths) => predictFolder(modelFolder, imagePaths),
    lungModelOfModel,
    async terminateActive() {
      if (active) await active.handle.terminate()
    },
    async start(input: RunConfigInput, options?: { estimatedSeconds?: number }) {
      await ready
      if (closed) throw new RunsError('the runs service is closed')
      const config: RunConfig = RunConfigSchema.parse(input)
      const now = new Date()
      const record: RunRecord = newRunRecord(store.newId(now), config, now.toISOString())
      record.timings.estimatedSeconds = options?.estimatedSeconds ?? null
      await lease(record, 'started')
      records.set(record.id, record)
      record.owner = await ownerNow(store.runFolder(record.id))
      await persist(record)
      emitChange(record, 'created')
      queue.push(record.id)
      void runNext()
      return { runId: record.id }
    },
    async list() {
      await ready
      return [...records.values()].sort((a, b) => b.timings.createdAt.localeCompare(a.timings.createdAt) || b.id.localeCompare(a.id)).map(snapshot)
    },
    async get(request) {
      await ready
      return snapshot(requireRecord(RunIdRequestSchema.parse(request).runId))
    },
    async cancel(request) {
      await ready
      const record = requireRecord(RunIdRequestSchema.parse(request).runId)
      const folder = store.runFolder(record.id)
      if (active?.runId === record.id) {
        log(record, 'cancel requested: stopping after the current step')
        active.handle.cancel()
      } else if (record.state === 'queued' && leases.holds(folder)) {
        queue.splice(queue.indexOf(record.id), 1)
        log(record, 'cancelled before it started')
        await setState(record, 'cancelled')
      } else if ((record.state === 'running' || record.state === 'queued') && !leases.holds(folder)) {
        // Trained by another process: ask it; its loop stops after the current step and saves a checkpoint.
        await writeFile(join(folder, CANCEL_REQUEST_FILE), JSON.stringify({ requestedAt: new Date().toISOString(), by: process.pid }))
      }
    },
    async resume(request) {
      await ready
      const record = requireRecord(RunIdRequestSchema.parse(request).runId)
      if (!RESUMABLE_STATES.includes(record.state)) {
        if (record.owner && !record.owner.thisProcess) throw new RunsError(`${nameOf(record)} is being trained by ${record.owner.kind === 'cli' ? 'the command line (cxr)' : 'another app window'}; it cannot be resumed from here`)
        throw new RunsError(`${nameOf(record)} is ${record.state}; only failed, cancelled or interrupted runs can be resumed`)
      }
      await lease(record, 'resumed')
      try {
        // Refused now rather than queued to fail: the lung model a run started with must still be installed.
        await runLungModel(record)
      } catch (error) {
        await leases.release(store.runFolder(record.id))
        throw new RunsError((error as Error).message)
      }
      await rm(join(store.runFolder(record.id), CANCEL_REQUEST_FILE), { force: true })
      record.failureReason = null
      record.timings.finishedAt = null
      await setState(record, 'queued')
      queue.push(record.id)
      void runNext()
    },
    async delete(request) {
      await ready
      const record = requireRecord(RunIdRequestSchema.parse(request).runId)
      if (active?.runId === record.id) throw new RunsError(`${nameOf(record)} is training: cancel it first`)
      const folder = store.runFolder(record.id)
      await lease(record, 'deleted')
      const queued = queue.indexOf(record.id)
      if (queued >= 0) queue.splice(queued, 1)
      records.delete(record.id)
      await writes
      await leases.release(folder)
      await store.remove(record.id)
      emitChange(record, 'deleted')
    },
    async restore(request) {
      await ready
      const { runId } = RunIdRequestSchema.parse(request)
      if (records.has(runId)) return
      if (!(await store.restore(runId))) throw new RunsError('this run can no longer be restored: a deleted run is kept for an hour')
      const record = await store.read(runId)
      records.set(record.id, record)
      await adoptOrInterrupt(record)
      emitChange(record, 'created')
    },
    async predict(request): Promise<Prediction[]> {
      await ready
      const { runId, imagePaths } = PredictRequestSchema.parse(request)
      const record = requireRecord(runId)
      if (record.state !== 'completed' || !record.modelFolder) throw new RunsError(`${nameOf(record)} has no model: it is ${record.state}`)
      return predictFolder(record.modelFolder, imagePaths)
    },
    async estimate(input): Promise<RunEstimate> {
      await ready
      const config = RunConfigSchema.parse(input)
      const finetune = await planFinetune(deps.library, config.compositionId)
      const pretrain: DataPlan | null = config.pretraining.kind === 'train' ? await planPretrain(deps.library, config.pretraining, config.seed) : null
      const count = (plan: DataPlan | null, split: 'train' | 'validation') => plan?.images.filter((image) => image.split === split).length ?? 0
      return jobs.launch('estimate', {
        kind: 'estimate',
        config,
        trainImages: { finetune: count(finetune, 'train'), pretrain: count(pretrain, 'train') },
        validationImages: { finetune: count(finetune, 'validation'), pretrain: count(pretrain, 'validation') },
      }).done
    },
    async waitForRun(request) {
      await ready
      const record = requireRecord(RunIdRequestSchema.parse(request).runId)
      if (SETTLED.includes(record.state) && !queue.includes(record.id) && active?.runId !== record.id) return snapshot(record)
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
      if (polling) clearInterval(polling)
      queue.length = 0
      if (active) await active.handle.terminate()
      await writes
      await leases.close()
    },
  }
}

/** How messages name a run: its name when it has one, else its id. */
function nameOf(record: RunRecord): string {
  return record.config.name ? `the run "${record.config.name}"` : `run ${record.id}`
}
