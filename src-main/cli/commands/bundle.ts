import { BackendPreferenceSchema } from '@shared/system/engineTypes'
import { SlurmResourcesSchema, type SlurmResources } from '@shared/cluster'
import type { AppServices } from '../../app/createServices'
import { APP_VERSION } from '../../app/version'
import { describeStatus, type ExportOptions } from '../../services/cluster/clusterService'
import { runBundleTask } from '../../services/cluster/runBundleTask'
import { createJobLauncher } from '../../services/workers/launcher'
import { UsageError, type CliCommand, type CliIo } from '../command'
import { numberFlag, parseStrict } from '../datasets/args'

const USAGE = `cxr bundle export RUN_OR_STUDY --out DIR [--all] [--images] [--cpus N] [--mem 8G] [--gpus N] [--partition NAME]
                  [--time HH:MM:SS] [--backend onednn|wasm|tensorflow|tensorflow-gpu] [--max-parallel N]
                  [--app-dir DIR] [--cxr-command COMMAND] [--submit] [--json]
       cxr bundle run DIR --task N [--accept-version]
       cxr bundle submit DIR [--json]
       cxr bundle status DIR [--json]
'export' writes a self-contained bundle (every file listed with its SHA-256) and a Slurm job array (submit.sbatch,
one task per run); --all puts a study's completed runs in too. 'run' trains one task on a cluster node (it
continues from the run's checkpoint when run again). 'submit' sbatches the unfinished tasks where Slurm answers.
Bring the results back with: cxr runs import DIR`

/**
 * `cxr bundle`: a study's runs (or a run's configuration) trained on a Slurm cluster, through the same training code
 * as the app: export here, run one task per node there, follow and submit from wherever Slurm answers.
 */
export const bundleCommand: CliCommand = {
  name: 'bundle',
  summary: 'export a study or run as a cluster bundle with its Slurm job array; train, submit or follow its tasks',
  usage: USAGE,
  async run(args, { io, services }) {
    const [action, ...rest] = args
    switch (action) {
      case 'export':
        return exportBundle(rest, io, services())
      case 'run':
        return runTask(rest, io)
      case 'submit':
      case 'status':
        return statusOrSubmit(action, rest, io, services())
      default:
        throw new UsageError(action ? `unknown action '${action}': export, run, submit or status` : 'give an action: export, run, submit or status')
    }
  },
}

async function exportBundle(args: string[], io: CliIo, app: AppServices): Promise<number> {
  const { values, positionals } = parseStrict(args, {
    out: { type: 'string' },
    all: { type: 'boolean' },
    images: { type: 'boolean' },
    cpus: { type: 'string' },
    mem: { type: 'string' },
    gpus: { type: 'string' },
    partition: { type: 'string' },
    time: { type: 'string' },
    backend: { type: 'string' },
    'max-parallel': { type: 'string' },
    'app-dir': { type: 'string' },
    'cxr-command': { type: 'string' },
    submit: { type: 'boolean' },
    json: { type: 'boolean' },
  })
  if (positionals.length !== 1) throw new UsageError('give one run or study (its id, a beginning of it, or a study name)')
  if (!values.out) throw new UsageError('give the bundle folder to create: --out DIR')
  const given: Partial<SlurmResources> = {
    cpus: numberFlag('cpus', values.cpus, { what: 'a whole number of CPUs per task', ok: (n) => Number.isInteger(n) && n >= 1 }),
    memory: values.mem,
    gpus: numberFlag('gpus', values.gpus, { what: 'a whole number of GPUs per task', ok: (n) => Number.isInteger(n) && n >= 0 }),
    partition: values.partition,
    time: values.time,
    maxParallel: numberFlag('max-parallel', values['max-parallel'], { what: 'a whole number of tasks at once', ok: (n) => Number.isInteger(n) && n >= 1 }),
    appDir: values['app-dir'],
  }
  if (values.backend !== undefined) {
    const backend = BackendPreferenceSchema.safeParse(values.backend)
    if (!backend.success) throw new UsageError(`--backend must be one of ${BackendPreferenceSchema.options.join(', ')}, got '${values.backend}'`)
    given.backend = backend.data
  }
  const resources = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as Partial<SlurmResources>
  const checked = SlurmResourcesSchema.partial().safeParse(resources)
  if (!checked.success) throw new UsageError(checked.error.issues.map((issue) => `--${flagOf(String(issue.path[0]))}: ${issue.message}`).join('; '))
  try {
    const options: ExportOptions = {
      source: await sourceOf(app, positionals[0]),
      folder: values.out,
      images: values.images ?? false,
      everyRun: values.all ?? false,
      resources,
      command: values['cxr-command'] ?? null,
      submit: values.submit ?? false,
    }
    const stop = app.cluster.onDidProgress((event) => io.stderr(`${event.step} ${event.done}/${event.total}\n`))
    const result = await app.cluster.exportTo(options).finally(stop)
    if (values.json) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`)
      return 0
    }
    for (const note of result.notes) io.stderr(`note: ${note}\n`)
    io.stderr(`bundle ${result.bundleId}: ${result.runs} run${result.runs === 1 ? '' : 's'}, ${result.files} files, ${(result.bytes / 1e6).toFixed(1)} MB\n`)
    if (!result.status) io.stderr(`copy the folder to the cluster and run there, in it: ${result.command} (see README.txt)\n`)
    io.stdout(`${result.folder}\n`)
    return 0
  } finally {
    await app.runs.close()
    await app.studies.close()
  }
}

function flagOf(field: string): string {
  return ({ memory: 'mem', maxParallel: 'max-parallel', appDir: 'app-dir' } as Record<string, string>)[field] ?? field
}

/** A study by id or name, else a run by id (or a unique beginning of it). */
async function sourceOf(app: AppServices, given: string): Promise<ExportOptions['source']> {
  const study = await app.studies.get({ studyId: given }).catch(() => null)
  if (study) return { kind: 'study', studyId: study.record.id }
  const run = await app.runs.get({ runId: given }).catch(() => null)
  if (run) return { kind: 'run', runId: run.id }
  throw new Error(`no study or run '${given}' in this data folder ('cxr study list' and 'cxr runs' list them)`)
}

/** Trains one task on this machine; exit 0 when the run completed, 1 when it failed or was stopped (with a checkpoint). */
async function runTask(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseStrict(args, { task: { type: 'string' }, 'accept-version': { type: 'boolean' } })
  if (positionals.length !== 1) throw new UsageError('give the bundle folder')
  const task = numberFlag('task', values.task, { what: 'a task number (0, 1, …)', ok: (n) => Number.isInteger(n) && n >= 0 })
  if (task === undefined) throw new UsageError('give the task to train: --task N (Slurm: --task "$SLURM_ARRAY_TASK_ID")')
  const fromEnv = BackendPreferenceSchema.safeParse(process.env.CXR_BACKEND?.trim())
  const jobs = createJobLauncher({ kind: 'worker', backend: () => (fromEnv.success ? { preference: fromEnv.data, source: 'environment' } : { preference: 'auto', source: 'default' }) })
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']
  let stop: ((reason: string) => void) | null = null
  const onSignal = (signal: NodeJS.Signals) => stop?.(signal === 'SIGTERM' ? 'the scheduler asked the task to stop' : 'interrupted')
  for (const signal of signals) process.on(signal, onSignal)
  try {
    const outcome = await runBundleTask({
      folder: positionals[0],
      task,
      jobs,
      appVersion: APP_VERSION,
      acceptVersion: values['accept-version'] ?? false,
      env: process.env,
      log: (line) => io.stderr(`${line}\n`),
      onStop: (handler) => {
        stop = handler
      },
    })
    io.stderr(`run ${outcome.runId}: ${outcome.state}${outcome.record.failureReason ? `: ${outcome.record.failureReason}` : ''}\n`)
    return outcome.state === 'completed' ? 0 : 1
  } finally {
    for (const signal of signals) process.off(signal, onSignal)
  }
}

async function statusOrSubmit(action: 'status' | 'submit', args: string[], io: CliIo, app: AppServices): Promise<number> {
  const { values, positionals } = parseStrict(args, { json: { type: 'boolean' } })
  if (positionals.length !== 1) throw new UsageError('give the bundle folder')
  const status = await (action === 'submit' ? app.cluster.submit({ folder: positionals[0] }) : app.cluster.status({ folder: positionals[0] })).finally(() => app.runs.close())
  if (values.json) io.stdout(`${JSON.stringify(status, null, 2)}\n`)
  else {
    if (action === 'submit') io.stderr(`submitted as Slurm job ${status.submissions.at(-1)!.jobId}\n`)
    io.stdout(describeStatus(status))
  }
  return 0
}
