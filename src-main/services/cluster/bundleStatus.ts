import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { describeTask, RUN_RESULT_FILE, SUBMIT_SCRIPT, SubmissionSchema, type BundleStatus, type SchedulerTask, type Submission } from '@shared/cluster'
import { isLeaseAlive, readLease } from '../runs/runLease'
import type { OpenedBundle } from './readBundle'
import { resultsStore } from './runBundleTask'
import type { SlurmTools } from './slurmTools'

/** The submissions of a bundle, kept in the bundle (they travel with it): `slurm.json`. */
const SUBMISSIONS_FILE = 'slurm.json'
const SubmissionsSchema = z.object({ submissions: z.array(SubmissionSchema) })

/** Every sbatch of a bundle made from this machine, oldest first. */
export async function readSubmissions(folder: string): Promise<Submission[]> {
  const file = join(folder, SUBMISSIONS_FILE)
  if (!existsSync(file)) return []
  const parsed = SubmissionsSchema.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => '{}')))
  return parsed.success ? parsed.data.submissions : []
}

/** Records one more sbatch of the bundle. */
export async function recordSubmission(folder: string, submission: Submission): Promise<void> {
  const submissions = [...(await readSubmissions(folder)), submission]
  const file = join(folder, SUBMISSIONS_FILE)
  await writeFile(`${file}.tmp`, `${JSON.stringify({ submissions }, null, 2)}\n`)
  await rename(`${file}.tmp`, file)
}

/**
 * The state of each task of a bundle, from its results (record, lease, result.json), the data folder (imported or
 * not) and, when Slurm answers here, the scheduler's view of the latest submission that covered the task.
 */
export async function bundleStatus(bundle: OpenedBundle, dataFolder: string, tools: SlurmTools | null): Promise<BundleStatus> {
  const { folder, manifest } = bundle
  const submissions = await readSubmissions(folder)
  const slurm = tools ? await tools.reachable() : { reachable: false, note: 'Slurm was not asked' }
  const scheduler = new Map<number, SchedulerTask>()
  if (slurm.reachable && submissions.length) {
    const found = await tools!.tasks([...new Set(submissions.map((submission) => submission.jobId))])
    // The latest submission that covered a task speaks for it.
    for (const submission of submissions) {
      for (const task of submission.tasks) {
        const seen = found.find((candidate) => candidate.arrayJobId === submission.jobId && candidate.task === task)
        if (seen) scheduler.set(task, seen)
        else scheduler.delete(task)
      }
    }
  }
  const store = resultsStore(folder)
  const tasks = []
  for (const run of manifest.runs) {
    const runFolder = store.runFolder(run.runId)
    const record = existsSync(join(runFolder, 'record.json')) ? await store.read(run.runId).catch(() => null) : null
    const lease = await readLease(runFolder)
    const ownerAlive = lease !== null && isLeaseAlive(lease)
    const progress = (ownerAlive ? lease?.progress : null) ?? record?.progress ?? null
    const seen = scheduler.get(run.task) ?? null
    const { state, detail } = describeTask({
      record: record && {
        state: record.state,
        failureReason: record.failureReason,
        phase: progress?.phase ?? null,
        epoch: progress?.epoch ?? null,
        epochs: progress?.epochs ?? null,
        host: record.provenance?.trainedOn?.host ?? (ownerAlive ? lease!.host : null),
      },
      finished: existsSync(join(runFolder, RUN_RESULT_FILE)),
      imported: existsSync(join(dataFolder, 'runs', run.runId, 'record.json')),
      scheduler: seen,
      ownerAlive,
      submitted: submissions.some((submission) => submission.tasks.includes(run.task)),
    })
    tasks.push({ task: run.task, runId: run.runId, name: run.config.name || run.runId, state, detail, node: seen?.node ?? record?.provenance?.trainedOn?.host ?? null, schedulerState: seen?.state ?? null })
  }
  return {
    folder,
    bundleId: manifest.bundleId,
    name: manifest.source.name,
    createdAt: manifest.createdAt,
    tasks,
    slurm,
    submissions,
    hasScript: existsSync(join(folder, SUBMIT_SCRIPT)),
  }
}

/** The bundles a data folder exported: `<dataFolder>/cluster/bundles.json`, newest last. */
export function createBundleRegistry(dataFolder: string) {
  const file = join(dataFolder, 'cluster', 'bundles.json')
  const EntrySchema = z.object({ folder: z.string(), bundleId: z.string(), name: z.string(), createdAt: z.string() })
  const read = async () => {
    if (!existsSync(file)) return []
    const parsed = z.array(EntrySchema).safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => '[]')))
    return parsed.success ? parsed.data : []
  }
  return {
    /** Bundles still on disk. */
    async list() {
      return (await read()).filter((entry) => existsSync(join(entry.folder, 'bundle.json')))
    },
    async add(entry: z.infer<typeof EntrySchema>) {
      const entries = [...(await read()).filter((known) => known.folder !== entry.folder), entry]
      await mkdir(join(dataFolder, 'cluster'), { recursive: true })
      await writeFile(`${file}.tmp`, `${JSON.stringify(entries, null, 2)}\n`)
      await rename(`${file}.tmp`, file)
    },
  }
}
