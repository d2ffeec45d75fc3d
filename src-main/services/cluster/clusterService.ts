import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  BundleError,
  ExportBundleRequestSchema,
  SlurmResourcesSchema,
  type BundleStatus,
  type ClusterProgressEvent,
  type ClusterService,
  type ExportBundleRequest,
  type ExportResult,
  type ImportResult,
  type SlurmResources,
} from '@shared/cluster'
import type { LungModelRef } from '@shared/runs/record'
import type { JobLauncher } from '../workers/launcher'
import { bundleStatus, createBundleRegistry, recordSubmission } from './bundleStatus'
import { planExport, type ExportPlanningDeps, type ExportSource } from './planExport'
import { openBundle } from './readBundle'
import type { SlurmTools } from './slurmTools'

/** What the cluster service needs besides what planning an export reads. */
export interface ClusterDeps extends ExportPlanningDeps {
  jobs: JobLauncher
  /** Slurm's tools on this machine (null: never ask Slurm, as in tests of the folder-only path). */
  slurm: SlurmTools | null
  /** Threads this workstation's kernels use (the default CPUs per task: the same count repeats its runs bit for bit). */
  threads(): Promise<number | null>
  /** A folder the renderer names must be one the user granted (the CLI passes its paths through as typed). */
  writableFolder?: (path: string) => Promise<string>
}

/** What `exportTo` is given: the bundle folder itself (it must not exist), and what to put in it. */
export interface ExportOptions {
  source: ExportSource
  /** The bundle folder to create. */
  folder: string
  images: boolean
  /** Every run of a study again, completed ones too (to check that a cluster repeats this workstation). */
  everyRun?: boolean
  /** Resources per task; fields left out come from the study and this workstation. */
  resources?: Partial<SlurmResources>
  /** Replaces `node "$CXR_APP/bin/cxr.mjs"` in the batch script (a site's own launcher, or the sources in tests). */
  command?: string | null
  /** Submit with sbatch at once when Slurm answers here. */
  submit?: boolean
}

/** The service as the CLI uses it: the contract plus exports into an exact folder. */
export interface ClusterServiceImpl extends ClusterService {
  exportTo(options: ExportOptions): Promise<ExportResult & { status: BundleStatus | null }>
}

/** Memory per task when nothing says otherwise: a CPU run of the paper's networks at 224 px stays well within it. */
const DEFAULT_MEMORY = '8G'

/**
 * Runs on a cluster: exports a study's runs (or one run's configuration) as a bundle with its Slurm job array,
 * submits it where Slurm answers, follows its tasks, and imports the finished runs after checking them against
 * their hashes. The heavy parts (preparing inputs, hashing, copying) run in a job worker.
 */
export function createClusterService(deps: ClusterDeps): ClusterServiceImpl {
  const registry = createBundleRegistry(deps.dataFolder)
  const listeners = new Set<(event: ClusterProgressEvent) => void>()
  const emit = (event: ClusterProgressEvent) => listeners.forEach((listener) => listener(event))

  async function resourcesFor(given: Partial<SlurmResources> | undefined, estimateSeconds: number | null): Promise<SlurmResources> {
    const threads = await deps.threads()
    return SlurmResourcesSchema.parse({
      cpus: given?.cpus ?? threads ?? 1,
      memory: given?.memory ?? DEFAULT_MEMORY,
      gpus: given?.gpus ?? 0,
      partition: given?.partition ?? null,
      time: given?.time ?? (estimateSeconds === null ? null : timeLimit(estimateSeconds)),
      backend: given?.backend ?? null,
      maxParallel: given?.maxParallel ?? null,
      ...(given?.appDir ? { appDir: given.appDir } : {}),
    })
  }

  async function submitTasks(folder: string): Promise<BundleStatus> {
    const bundle = await openBundle(folder)
    if (!deps.slurm) throw new BundleError('Slurm is not used from this program: copy the bundle to the cluster and run the command in its README.txt')
    const before = await bundleStatus(bundle, deps.dataFolder, deps.slurm)
    if (!before.slurm.reachable) throw new BundleError(before.slurm.note)
    if (!before.hasScript) throw new BundleError(`${folder} has no Slurm batch script (submit.sbatch): export the bundle again`)
    const tasks = before.tasks.filter((task) => task.state === 'waiting' || task.state === 'stopped' || task.state === 'failed').map((task) => task.task)
    if (tasks.length === 0) throw new BundleError('every task of the bundle is queued, running or finished: there is nothing to submit')
    const jobId = await deps.slurm.submit(folder, tasks)
    await recordSubmission(folder, { jobId, tasks, submittedAt: new Date().toISOString() })
    return bundleStatus(bundle, deps.dataFolder, deps.slurm)
  }

  async function exportTo(options: ExportOptions): Promise<ExportResult & { status: BundleStatus | null }> {
    const folder = resolve(options.folder)
    if (existsSync(folder)) throw new BundleError(`${folder} exists already: give a new folder for the bundle`)
    let estimateSeconds: number | null = null
    if (options.source.kind === 'study') {
      const overview = await deps.studies.get({ studyId: options.source.studyId })
      const cells = overview.record.estimate?.cells ?? []
      if (cells.length) estimateSeconds = Math.max(...cells.map((cell) => cell.secondsPerRun))
    }
    const resources = await resourcesFor(options.resources, estimateSeconds)
    const planned = await planExport(deps, options.source, { folder, images: options.images, everyRun: options.everyRun ?? false, slurm: { resources, command: options.command ?? null } })
    const handle = deps.jobs.launch('bundle-export', planned.job, (event) => {
      if (event.type === 'progress') emit({ folder, action: 'export', step: event.step, done: event.done, total: event.total })
    })
    const written = await handle.done
    await registry.add({ folder, bundleId: written.manifest.bundleId, name: written.manifest.source.name, createdAt: written.manifest.createdAt })
    const notes = [...planned.notes]
    if (written.manifest.reference.backend !== 'onednn' && written.manifest.reference.backend !== 'wasm') {
      notes.push(`this workstation trains on ${written.manifest.reference.backend}, which does not repeat runs bit for bit: the cluster's runs will be close to, not equal to, this workstation's`)
    }
    let status: BundleStatus | null = null
    if (options.submit) {
      status = await submitTasks(folder)
      notes.push(`submitted to Slurm as job ${status.submissions.at(-1)!.jobId}`)
    }
    return {
      folder,
      bundleId: written.manifest.bundleId,
      runs: written.manifest.runs.length,
      files: written.manifest.files.length,
      bytes: written.bytes,
      command: 'sbatch submit.sbatch',
      notes,
      status,
    }
  }

  return {
    exportTo,
    async exportBundle(request: ExportBundleRequest) {
      const parsed = ExportBundleRequestSchema.parse(request)
      const parent = deps.writableFolder ? await deps.writableFolder(parsed.folder) : parsed.folder
      const source: ExportSource = parsed.source
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-')
      const { status: _status, ...result } = await exportTo({ source, folder: join(parent, `cxr-bundle-${stamp}`), images: parsed.images, resources: parsed.slurm ?? undefined })
      return result
    },
    async bundles() {
      const statuses: BundleStatus[] = []
      for (const entry of (await registry.list()).reverse()) {
        const bundle = await openBundle(entry.folder).catch(() => null)
        if (bundle) statuses.push(await bundleStatus(bundle, deps.dataFolder, deps.slurm))
      }
      return statuses
    },
    async status({ folder }) {
      return bundleStatus(await openBundle(folder), deps.dataFolder, deps.slurm)
    },
    submit: ({ folder }) => submitTasks(folder),
    async importResults({ folder }): Promise<ImportResult> {
      const bundleFolder = resolve(folder)
      // Imported records point at this workstation's copy of their lung model when it is installed here.
      const lungModels: Record<string, LungModelRef> = {}
      for (const run of (await openBundle(bundleFolder)).manifest.runs) {
        const found = run.lungModel ? await deps.lungModels?.find(run.lungModel.modelId) : null
        if (found) lungModels[found.modelId] = found
      }
      const handle = deps.jobs.launch('bundle-import', { kind: 'bundle-import', dataFolder: deps.dataFolder, folder: bundleFolder, lungModels }, (event) => {
        if (event.type === 'progress') emit({ folder: bundleFolder, action: 'import', step: event.step, done: event.done, total: event.total })
      })
      const outcome = await handle.done
      // A study adopts the runs made for its open slots when it is resumed (it matches them by configuration).
      const studies = new Map<string, { studyId: string; name: string; linked: number }>()
      for (const run of outcome.imported) {
        if (!run.study) continue
        const entry = studies.get(run.study.studyId) ?? { studyId: run.study.studyId, name: run.study.studyName, linked: 0 }
        entry.linked++
        studies.set(run.study.studyId, entry)
      }
      return {
        imported: outcome.imported.map(({ runId, name, host }) => ({ runId, name, host })),
        skipped: outcome.skipped,
        studies: [...studies.values()],
      }
    },
    onDidProgress(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** A wall-time limit from a run's estimate: three times it plus half an hour (estimates time a few steps only), in whole hours. */
export function timeLimit(secondsPerRun: number): string {
  const hours = Math.max(1, Math.ceil((secondsPerRun * 3 + 1800) / 3600))
  return hours >= 24 ? `${Math.floor(hours / 24)}-${String(hours % 24).padStart(2, '0')}:00:00` : `${String(hours).padStart(2, '0')}:00:00`
}

/** Where a bundle's task stands, as a line for a terminal. */
export function describeStatus(status: BundleStatus): string {
  const rows = status.tasks.map((task) => `  ${String(task.task).padStart(3)}  ${task.state.padEnd(9)}  ${task.name}: ${task.detail}`)
  return [`${status.name} (${status.bundleId}), ${status.tasks.length} task${status.tasks.length === 1 ? '' : 's'}; ${status.slurm.note}`, ...rows, ''].join('\n')
}
