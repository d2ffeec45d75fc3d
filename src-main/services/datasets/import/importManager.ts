import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { LibraryError } from '@shared/library/errors'
import { targetDatasetId } from '@shared/library/importSpecs'
import type { ImportSpec } from '@shared/library/importSpecs'
import type { ImportJobSummary, ImportProgress, ImportReport } from '@shared/library/jobs'
import type { ImportPreview } from '@shared/library/summaries'
import type { DatasetRepository } from '../../library/datasetRepository'
import type { ImageRepository } from '../../library/imageRepository'
import type { ImportJobRepository, JobRow } from '../../library/importJobRepository'
import type { MaskRepository } from '../../library/maskRepository'
import { loadPseudonymiser } from '../../library/pseudonyms'
import type { Pseudonymiser } from '../../library/pseudonyms'
import type { ThumbnailCache } from '../../library/thumbnails'
import type { ReadableScope } from '../../files/folderPolicy'
import type { JobLauncher } from '../../workers/launcher'
import { importRunnerDeps, type ImportWorkspace } from './importJob'
import { runImportJob, SHUTDOWN } from './jobRunner'
import type { ImportTestHooks } from './jobRunner'
import type { DecodeImage } from './outcomes'
import type { ReadableCheck } from './readable'
import { planImport } from './planImport'
import { summarisePlan } from './preview'
import { processAlive } from '../../system/processAlive'

/** What the import manager needs. */
export interface ImportManagerDeps extends Omit<ImportWorkspace, 'pseudonymiser'> {
  batchSize: number
  concurrency: number
  hooks?: ImportTestHooks
  /** Runs each import in a job worker (the app); absent: on this thread (tests, which use `hooks`). */
  workerJobs?: JobLauncher
  /** The folders the user chose, for a worker to check its reads against (null: read anything, the command line). */
  readableScope?: () => Promise<ReadableScope | null>
}

/** Imports as jobs: plan, record, run in the background, cancel, resume, report. */
export interface ImportManager {
  preview(spec: ImportSpec, sampleSize: number): Promise<ImportPreview>
  start(spec: ImportSpec): Promise<string>
  resume(jobId: string): string
  cancel(jobId: string): void
  wait(jobId: string, issueLimit?: number): Promise<ImportReport>
  summary(jobId: string): ImportJobSummary
  list(datasetId?: string): ImportJobSummary[]
  report(jobId: string, issueLimit: number): ImportReport
  onDidProgress(listener: (progress: ImportProgress) => void): () => void
  /** Stop every running job (they become `interrupted`, resumable) and wait for them. */
  close(): Promise<void>
}

/** A job whose process still exists but has not written a batch for this long is taken for dead (pid reuse). */
const SILENT_FOR_MS = 30 * 60 * 1000

/**
 * Create the import manager. Jobs left `queued` or `running` by a process that is gone (a crash, a power cut)
 * are marked `interrupted` here, so the UI offers to resume them.
 * @param deps the database, repositories and tools.
 */
export function createImportManager(deps: ImportManagerDeps): ImportManager {
  const running = new Map<string, { datasetId: string; controller: AbortController; done: Promise<unknown> }>()
  const busyDatasets = new Set<string>()
  const listeners = new Set<(progress: ImportProgress) => void>()
  let pseudonymiser: Pseudonymiser | undefined
  markStaleJobs(deps)

  const emit = (progress: ImportProgress) => {
    for (const listener of listeners) {
      try {
        listener(progress)
      } catch {
        // A broken listener (a closed window) must not stop the import.
      }
    }
  }

  const pseudonyms = () => (pseudonymiser ??= loadPseudonymiser(deps.dataFolder))
  const planContext = { ...deps, pseudonymiser: pseudonyms }

  const workspace: ImportWorkspace = { ...deps, pseudonymiser: pseudonyms }

  const launch = (job: JobRow) => {
    const controller = new AbortController()
    busyDatasets.add(job.datasetId)
    const settings = { batchSize: deps.batchSize, concurrency: deps.concurrency }
    let run: Promise<unknown>
    if (deps.workerJobs) {
      // In the app: the import runs in a job worker on its own database connection; this thread relays progress.
      const launcher = deps.workerJobs
      run = (async () => {
        let handle
        try {
          const scope = (await deps.readableScope?.()) ?? null
          handle = launcher.launch('import', { dataFolder: deps.dataFolder, jobId: job.id, scope, ...settings }, (event) => emit(event.progress))
        } catch (error) {
          // The worker could not even start (a damaged installation): the job must not sit queued for ever.
          deps.jobs.finish(job.id, 'failed', deps.now(), `the import could not start: ${(error as Error).message}`)
          throw error
        }
        const started = handle
        const stop = () => started.cancel(typeof controller.signal.reason === 'string' ? controller.signal.reason : undefined)
        if (controller.signal.aborted) stop()
        controller.signal.addEventListener('abort', stop)
        try {
          return await started.done
        } catch (error) {
          // A worker that died mid-import leaves its job `running` with this process as owner: record it, so it can be resumed.
          const row = deps.jobs.get(job.id)
          if (row && (row.status === 'running' || row.status === 'queued')) deps.jobs.finish(job.id, 'interrupted', deps.now(), `the import stopped unexpectedly: ${(error as Error).message}`)
          throw error
        } finally {
          controller.signal.removeEventListener('abort', stop)
        }
      })()
    } else {
      run = runImportJob(job.id, importRunnerDeps(workspace, settings, emit, deps.hooks), controller.signal)
    }
    const done = run
      // The runner records its own failures; this only guards `wait` against a database closed underneath it.
      .catch(() => 'failed' as const)
      .finally(() => {
        running.delete(job.id)
        busyDatasets.delete(job.datasetId)
      })
    running.set(job.id, { datasetId: job.datasetId, controller, done })
  }

  const requireJob = (jobId: string): JobRow => {
    const job = deps.jobs.get(jobId)
    if (!job) throw new LibraryError('not-found', `No import job "${jobId}"`)
    return job
  }

  const summary = (job: JobRow): ImportJobSummary => {
    const counts = deps.jobs.itemCounts(job.id)
    const result: ImportJobSummary = {
      jobId: job.id,
      datasetId: job.datasetId,
      kind: job.kind,
      status: job.status,
      phase: job.phase,
      createdAt: job.createdAt,
      images: counts.image,
      masks: counts.mask,
      resumable: !running.has(job.id) && ['queued', 'cancelled', 'failed', 'interrupted'].includes(job.status),
    }
    if (job.startedAt) result.startedAt = job.startedAt
    if (job.finishedAt) result.finishedAt = job.finishedAt
    if (job.error) result.error = job.error
    return result
  }

  const report = (jobId: string, issueLimit: number): ImportReport => {
    const job = requireJob(jobId)
    return {
      ...summary(job),
      spec: job.spec,
      issues: deps.jobs.issues(jobId, issueLimit),
      issueCount: Object.values(deps.jobs.issueCounts(jobId)).reduce((sum, n) => sum + n, 0),
      issueCounts: deps.jobs.issueCounts(jobId),
      importedByClass: deps.jobs.importedByClass(jobId),
      durationSeconds: job.runSeconds,
    }
  }

  return {
    async preview(spec, sampleSize) {
      const plan = await planImport(spec, planContext)
      const datasetExists = deps.datasets.get(plan.datasetId) !== undefined
      const existingLabels = datasetExists ? new Map(deps.images.identities(plan.datasetId).map((image) => [image.sourceKey, image.label])) : undefined
      return summarisePlan(plan.spec ?? spec, plan, { datasetExists, sampleSize, existingLabels })
    },
    async start(spec) {
      const datasetId = targetDatasetId(spec)
      if (busyDatasets.has(datasetId)) throw new LibraryError('busy', `Dataset "${datasetId}" is being imported; wait for that job or cancel it first`)
      // Reserved while planning, which awaits file reads: a second start on the same dataset must not slip in.
      busyDatasets.add(datasetId)
      try {
        const plan = await planImport(spec, planContext)
        if (plan.blocking.length > 0) {
          const first = plan.blocking.slice(0, 3).map((issue) => issue.message).join('; ')
          const more = plan.blocking.length > 3 ? ` (and ${plan.blocking.length - 3} more)` : ''
          throw new LibraryError('import-blocked', `The import cannot start: ${first}${more}`, plan.blocking)
        }
        const jobId = randomUUID()
        const now = deps.now()
        deps.db.transaction(() => {
          if (spec.kind !== 'masks' && plan.dataset) deps.datasets.ensure(spec.dataset, plan.dataset.sourceKind, plan.dataset.rootFolder, now)
          deps.jobs.create(
            { id: jobId, datasetId, spec: plan.spec ?? spec, createdAt: now },
            plan.items.map((item, ordinal) => ({ ordinal, kind: item.kind, sourceKey: item.sourceKey, path: item.path, payload: item.payload })),
            plan.issues,
          )
        }).immediate()
        launch(requireJob(jobId))
        return jobId
      } finally {
        if (![...running.values()].some((job) => job.datasetId === datasetId)) busyDatasets.delete(datasetId)
      }
    },
    resume(jobId) {
      const job = requireJob(jobId)
      if (running.has(jobId)) throw new LibraryError('not-resumable', `Import job ${jobId} is already running`)
      if (job.status === 'completed') throw new LibraryError('not-resumable', `Import job ${jobId} is completed: nothing to resume`)
      if (job.status === 'running' && !isStale(job)) throw new LibraryError('busy', `Import job ${jobId} is running in another process (pid ${job.ownerPid})`)
      if (busyDatasets.has(job.datasetId)) throw new LibraryError('busy', `Dataset "${job.datasetId}" is being imported; wait for that job first`)
      launch(job)
      return jobId
    },
    cancel(jobId) {
      const job = running.get(jobId)
      if (job) job.controller.abort()
      else requireJob(jobId)
    },
    async wait(jobId, issueLimit = 1000) {
      await running.get(jobId)?.done
      return report(jobId, issueLimit)
    },
    summary: (jobId) => summary(requireJob(jobId)),
    list: (datasetId) => deps.jobs.list(datasetId).map(summary),
    report,
    onDidProgress(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      for (const job of running.values()) job.controller.abort(SHUTDOWN)
      await Promise.all([...running.values()].map((job) => job.done))
    },
  }
}

function markStaleJobs(deps: ImportManagerDeps): void {
  for (const job of deps.jobs.active()) {
    if (isStale(job)) deps.jobs.finish(job.id, 'interrupted', deps.now(), 'the process running this import stopped (crash or forced quit)')
  }
}

/**
 * True when the process recorded as running a job is gone. A queued job without an owner is dead too: a job is
 * recorded and started in the same tick. The long silence guards against a recycled pid.
 */
function isStale(job: JobRow): boolean {
  if (job.ownerPid === undefined) return true
  if (!processAlive(job.ownerPid)) return true
  const heartbeat = Date.parse(job.heartbeatAt ?? job.createdAt)
  return Number.isFinite(heartbeat) && Date.now() - heartbeat > SILENT_FOR_MS
}
