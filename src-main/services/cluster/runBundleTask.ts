import { existsSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { BUNDLE_RESULTS_FOLDER, BundleError, RUN_RESULT_FILE, RUN_RESULT_FORMAT, type BundlePlan, type BundleRun, type RunResult } from '@shared/cluster'
import { newRunRecord, RECORD_LOG_LINES, RESUMABLE_STATES, type RunProgress, type RunRecord, type RunState, type TrainedOn } from '@shared/runs/record'
import type { DataPlan, FinetunePlan } from '../runs/dataPlan'
import type { TrainJob } from '../runs/protocol'
import type { RunEvent } from '../runs/runExecutors'
import { createLeaseKeeper, describeHolder, LEASE_FILE } from '../runs/runLease'
import { createRunStore } from '../runs/runStore'
import { WorkerCrash } from '../workers/host'
import { JobFailure } from '../workers/jobIo'
import type { JobLauncher } from '../workers/launcher'
import { describeFile, filesIn } from './bundleFiles'
import { checkAppVersion, openBundle, runOfTask, verifyRun, type OpenedBundle } from './readBundle'

/** How a node trains one task of a bundle. */
export interface BundleTaskOptions {
  folder: string
  task: number
  jobs: JobLauncher
  appVersion: string
  /** Train a bundle of another app version anyway. */
  acceptVersion?: boolean
  /** The task's environment: Slurm's variables name the job, partition and restart. */
  env: NodeJS.ProcessEnv
  /** Every log line also goes here (the task's Slurm output file). */
  log: (line: string) => void
  /** Called with a function that stops the run after its current step, with a checkpoint (SIGTERM, Ctrl-C). */
  onStop?: (stop: (reason: string) => void) => void
  /** Each step's progress (a terminal's progress line; tests stop a run mid-epoch with it). */
  onProgress?: (progress: RunProgress) => void
}

/** How a task ended. */
export interface BundleTaskOutcome {
  runId: string
  state: Extract<RunState, 'completed' | 'cancelled' | 'failed'>
  record: RunRecord
}

/** The run folders of a bundle's results, as a data folder's runs are kept. */
export function resultsStore(bundleFolder: string) {
  return createRunStore(join(bundleFolder, BUNDLE_RESULTS_FOLDER))
}

/**
 * Trains one task of a bundle on this machine (a cluster node): checks the run's files against the bundle's hashes,
 * takes the run's lease, trains it with the app's own training code into `results/runs/<runId>/` — the record,
 * log, checkpoints and model of a local run — and, once completed, lists its files with their hashes in
 * result.json for the import. A task run again (resubmitted after a failure, pre-emption or time limit) continues
 * from the run's last checkpoint, exactly as a local resume does. The record says which node, backend and threads
 * trained it and whether they match the exporting workstation's (then the model is the one it would have trained,
 * bit for bit).
 */
export async function runBundleTask(options: BundleTaskOptions): Promise<BundleTaskOutcome> {
  const bundle = await openBundle(options.folder)
  const versionNote = checkAppVersion(bundle.manifest, options.appVersion, options.acceptVersion ?? false)
  const run = runOfTask(bundle.manifest, options.task)
  const store = resultsStore(options.folder)
  const runFolder = store.runFolder(run.runId)
  const slurmJob = slurmJobOf(options.env)
  // The lease names the Slurm job: a task Slurm requeued may start on another node before its killed first attempt's
  // lease goes stale, and Slurm guarantees that attempt is gone.
  const leases = createLeaseKeeper(slurmJob ? `slurm job ${slurmJob}` : 'cluster')
  let taken = await leases.acquire(runFolder)
  if (!taken.acquired && slurmJob && taken.holder.kind === `slurm job ${slurmJob}`) {
    await rm(join(runFolder, LEASE_FILE), { force: true })
    taken = await leases.acquire(runFolder)
  }
  if (!taken.acquired) throw new BundleError(`task ${run.task} (run ${run.runId}) is being trained by ${describeHolder(taken.holder)}; it cannot be trained twice at once`)
  try {
    const existing = existsSync(join(runFolder, 'record.json')) ? await store.read(run.runId) : null
    if (existing?.state === 'completed' && existsSync(join(runFolder, RUN_RESULT_FILE))) {
      options.log(`run ${run.runId} is completed already: nothing to do`)
      return { runId: run.runId, state: 'completed', record: existing }
    }
    const record = existing ?? newRecord(bundle, run)
    const tracker = createRecordTracker(record, store, options.log, options.onProgress)
    if (versionNote) await tracker.log(versionNote)
    await tracker.log(`checking the run's files against the bundle's hashes (${options.folder})`)
    const files = await verifyRun(bundle, run)
    record.timings.attempts += 1
    record.timings.startedAt ??= new Date().toISOString()
    record.timings.finishedAt = null
    record.failureReason = null
    await tracker.setState('running')
    await tracker.log(`${record.timings.attempts > 1 ? `attempt ${record.timings.attempts}: resuming` : 'started'} task ${run.task} on ${hostname()}${slurmJob ? ` (Slurm job ${slurmJob})` : ''}`)
    const trainedOn = (backend: string, threads: number | null): TrainedOn => ({
      host: hostname(),
      cluster: {
        scheduler: options.env.SLURM_JOB_ID ? 'slurm' : 'none',
        jobId: slurmJob,
        partition: options.env.SLURM_JOB_PARTITION ?? null,
        bundleId: bundle.manifest.bundleId,
        bundleDigest: bundle.digest,
        task: run.task,
        exportedFrom: { host: bundle.manifest.reference.host, backend: bundle.manifest.reference.backend, threads: bundle.manifest.reference.threads },
        sameEngine: backend === bundle.manifest.reference.backend && threads === bundle.manifest.reference.threads,
      },
    })
    const handle = options.jobs.launch('train', trainJobOf(bundle, run, files), (event) => tracker.onEvent(event, trainedOn))
    options.onStop?.((reason) => {
      void tracker.log(`stop asked (${reason}): saving a checkpoint after the current step`)
      handle.cancel(reason)
    })
    let outcome: BundleTaskOutcome['state']
    try {
      outcome = await handle.done
    } catch (error) {
      const reason = error instanceof JobFailure ? error.message : error instanceof WorkerCrash ? `${error.message}; submitting the task again continues from the last checkpoint` : `internal error: ${(error as Error).message}`
      await tracker.log(`failed: ${reason}`)
      record.failureReason = reason
      outcome = 'failed'
    }
    if (outcome === 'completed') {
      await tracker.log('completed')
      await tracker.setState('completed')
      await writeRunResult(bundle, run, runFolder)
    } else {
      if (outcome === 'cancelled') await tracker.log('stopped: checkpoint saved; submitting the task again continues from it')
      await tracker.setState(outcome)
    }
    return { runId: run.runId, state: outcome, record }
  } finally {
    await leases.close()
  }
}

/** `<array job>_<task>` from Slurm's variables, or the plain job id; null outside Slurm. */
function slurmJobOf(env: NodeJS.ProcessEnv): string | null {
  if (env.SLURM_ARRAY_JOB_ID && env.SLURM_ARRAY_TASK_ID) return `${env.SLURM_ARRAY_JOB_ID}_${env.SLURM_ARRAY_TASK_ID}`
  return env.SLURM_JOB_ID ?? null
}

function newRecord(bundle: OpenedBundle, run: BundleRun): RunRecord {
  const lungModel = run.lungModel ? { modelId: run.lungModel.modelId, name: run.lungModel.name, folder: join(bundle.folder, run.lungModel.folder) } : null
  // Created when exported: a study adopts runs made after it, and the library lists runs by this time.
  return newRunRecord(run.runId, run.config, bundle.manifest.createdAt, { lungModel, settingsKey: run.inputSettingsKey })
}

/** The bundle's run as the training code takes it: a TrainJob whose paths point inside the bundle. */
function trainJobOf(bundle: OpenedBundle, run: BundleRun, files: { finetune: BundlePlan; pretrain: BundlePlan | null }): TrainJob {
  const plan = (bundled: BundlePlan): DataPlan => ({
    classes: bundled.classes,
    classNames: bundled.classNames,
    // The input pipeline reads a prepared input from the bundle's cache by content hash; the file named here is
    // what it decodes when the bundle carries images instead, and what must exist either way.
    images: bundled.images.map((image) => ({ ...image, path: join(bundle.folder, (image.input ?? image.image)!) })),
  })
  const finetune: FinetunePlan = { ...plan(files.finetune), compositionId: files.finetune.compositionId ?? run.config.compositionId, compositionHash: files.finetune.compositionHash ?? '' }
  return {
    kind: 'train',
    runId: run.runId,
    runFolder: resultsStore(bundle.folder).runFolder(run.runId),
    dataFolder: bundle.folder,
    config: run.config,
    finetune,
    pretrain: files.pretrain ? plan(files.pretrain) : null,
    encoderFolder: run.encoder ? join(bundle.folder, run.encoder.folder) : null,
    lungModel: run.lungModel ? { modelId: run.lungModel.modelId, name: run.lungModel.name, folder: join(bundle.folder, run.lungModel.folder) } : null,
    appVersion: bundle.manifest.appVersion,
  }
}

/** Keeps a run's record and log as the runs service does for a local run: record.json at each change, every line in log.txt. */
function createRecordTracker(record: RunRecord, store: ReturnType<typeof resultsStore>, echo: (line: string) => void, onProgress?: (progress: RunProgress) => void) {
  let writes = Promise.resolve()
  const persist = () => {
    const snapshot = structuredClone({ ...record, owner: null, progress: record.state === 'running' ? record.progress : null })
    writes = writes.then(() => store.write(snapshot))
    return writes
  }
  const log = (line: string) => {
    const stamped = `${new Date().toISOString()} ${line}`
    record.log = [...record.log, stamped].slice(-RECORD_LOG_LINES)
    echo(line)
    writes = writes.then(() => store.appendLog(record.id, stamped))
    return writes
  }
  return {
    log,
    async setState(state: RunState) {
      record.state = state
      record.resumable = RESUMABLE_STATES.includes(state)
      if (state !== 'running') record.progress = null
      if (state !== 'running' && state !== 'queued') record.timings.finishedAt = new Date().toISOString()
      await persist()
    },
    onEvent(event: RunEvent, trainedOn: (backend: string, threads: number | null) => TrainedOn) {
      switch (event.type) {
        case 'log':
          void log(event.line)
          break
        case 'progress':
          record.progress = event.progress
          onProgress?.(event.progress)
          break
        case 'epoch':
          record.history = [...record.history.filter((entry) => !(entry.phase === event.metrics.phase && entry.epoch === event.metrics.epoch)), event.metrics]
          void persist()
          break
        case 'patch': {
          const { patch } = event
          if (patch.provenance) {
            const on = trainedOn(patch.provenance.backend, patch.provenance.determinism?.threads ?? null)
            record.provenance = { ...patch.provenance, trainedOn: on }
            if (on.cluster && !on.cluster.sameEngine) {
              const from = on.cluster.exportedFrom
              void log(
                `note: this node trains on ${patch.provenance.backend}${patch.provenance.determinism?.threads ? ` with ${patch.provenance.determinism.threads} threads` : ''}; the bundle was exported from ${from.backend}${from.threads ? ` with ${from.threads} threads` : ''}: the model will be close to, not bit for bit, the one the workstation would train (set CXR_BACKEND and the CPUs per task to match)`,
              )
            }
          }
          if (patch.history) record.history = patch.history
          if (patch.best !== undefined) record.best = patch.best
          if (patch.modelFolder) record.modelFolder = patch.modelFolder
          if (patch.prepareSeconds) record.timings.prepareSeconds += patch.prepareSeconds
          if (patch.trainSeconds) record.timings.trainSeconds += patch.trainSeconds
          void persist()
          break
        }
        default:
          break
      }
    },
  }
}

/** result.json: every file the import brings back (model, encoder, log, record) with its hash, written last. */
async function writeRunResult(bundle: OpenedBundle, run: BundleRun, runFolder: string): Promise<void> {
  const files = []
  for (const folder of ['model', 'encoder']) {
    if (!existsSync(join(runFolder, folder))) continue
    for (const name of await filesIn(join(runFolder, folder))) files.push(await describeFile(runFolder, `${folder}/${name}`, `a file of the run's ${folder === 'model' ? 'model' : 'pre-trained encoder'}`))
  }
  files.push(await describeFile(runFolder, 'log.txt', "the run's log"))
  files.push(await describeFile(runFolder, 'record.json', "the run's record"))
  const result: RunResult = {
    format: RUN_RESULT_FORMAT,
    version: 1,
    bundleId: bundle.manifest.bundleId,
    bundleDigest: bundle.digest,
    runId: run.runId,
    task: run.task,
    completedAt: new Date().toISOString(),
    files,
  }
  await writeFile(join(runFolder, RUN_RESULT_FILE), `${JSON.stringify(result, null, 2)}\n`)
}
