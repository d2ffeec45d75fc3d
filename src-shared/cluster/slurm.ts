import { z } from 'zod'
import { BackendPreferenceSchema } from '../system/engineTypes'

/**
 * What each task of a study's Slurm job array asks for. Every field is checked so the batch script is written from
 * known-safe words only (a partition name cannot smuggle a shell command into `#SBATCH` lines).
 */
export const SlurmResourcesSchema = z.strictObject({
  /** CPUs per task; the run's kernels use as many threads (CXR_THREADS). */
  cpus: z.number().int().min(1).max(1024),
  /** Memory per task as Slurm writes it: 8G, 16000M. */
  memory: z.string().regex(/^\d+[KMGT]?$/, 'memory as Slurm writes it, e.g. 8G or 16000M'),
  /** GPUs per task (`--gres=gpu:N`); 0 for CPU nodes. */
  gpus: z.number().int().min(0).max(16).default(0),
  partition: z.string().regex(/^[\w.-]+$/, 'a partition name (letters, digits, . _ -)').nullable().default(null),
  /** Wall-time limit per task: HH:MM:SS or D-HH:MM:SS. */
  time: z.string().regex(/^(\d+-)?\d{1,2}:\d{2}:\d{2}$/, 'a time limit as HH:MM:SS or D-HH:MM:SS').nullable().default(null),
  /** Forces the nodes' TensorFlow.js backend (CXR_BACKEND); null lets each node take the best it has. */
  backend: BackendPreferenceSchema.nullable().default(null),
  /** How many tasks may run at once (`--array=0-N%M`); null: as many as the cluster gives. */
  maxParallel: z.number().int().min(1).nullable().default(null),
  /** Where the app is installed on the cluster (the script's default CXR_APP). */
  appDir: z.string().min(1).max(1000).refine((path) => !/[\n\r\0]/.test(path), { error: 'one line' }).default('$HOME/cxr-workstation'),
})
/** What each task asks for. */
export type SlurmResources = z.infer<typeof SlurmResourcesSchema>
/** Resources as written (defaults optional). */
export type SlurmResourcesInput = z.input<typeof SlurmResourcesSchema>

/** The batch script's file name in a bundle. */
export const SUBMIT_SCRIPT = 'submit.sbatch'
/** Where the tasks' Slurm output goes, inside the bundle. */
export const SLURM_LOG_FOLDER = 'logs'
/** Exit code of `cxr bundle run` when a task stopped on a signal after saving a checkpoint (EX_TEMPFAIL). */
export const STOPPED_EXIT_CODE = 75

/** What the script needs to know about the bundle. */
export interface SubmitScriptInput {
  name: string
  appVersion: string
  runs: readonly { task: number; runId: string; name: string }[]
  resources: SlurmResources
  /** A shell command that runs the app's `cxr` on a node, replacing `node "$CXR_APP/bin/cxr.mjs"` (the CLI's --cxr-command). */
  command?: string | null
}

/** A word for `#SBATCH --job-name`: letters, digits and dashes. */
function jobName(name: string): string {
  const word = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40)
  return `cxr-${word || 'runs'}`
}

/** A string as one single-quoted shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** The app folder for the script: `$HOME/…` stays expandable, anything else is quoted as it is. */
function appDirWord(appDir: string): string {
  return appDir.startsWith('$HOME/') ? `"$HOME"/${shellQuote(appDir.slice('$HOME/'.length))}` : shellQuote(appDir)
}

/**
 * The Slurm batch script of a bundle: a job array with one task per run. Each task trains its run with
 * `cxr bundle run`, which checks the run's files against the bundle's hashes, trains into `results/runs/<id>/`
 * and resumes from the run's last checkpoint when the task runs again. A task asked to stop (scancel, pre-emption:
 * SIGTERM) saves a checkpoint first; near its time limit (`--signal=B:USR1@120`) it saves one and requeues itself.
 */
export function renderSubmitScript(input: SubmitScriptInput): string {
  const { resources } = input
  const last = input.runs.length - 1
  const array = `0-${last}${resources.maxParallel ? `%${resources.maxParallel}` : ''}`
  const directives = [
    `--job-name=${jobName(input.name)}`,
    `--array=${array}`,
    '--ntasks=1',
    `--cpus-per-task=${resources.cpus}`,
    `--mem=${resources.memory}`,
    ...(resources.time ? [`--time=${resources.time}`] : []),
    ...(resources.partition ? [`--partition=${resources.partition}`] : []),
    ...(resources.gpus > 0 ? [`--gres=gpu:${resources.gpus}`] : []),
    '--requeue',
    '--signal=B:USR1@120',
    '--open-mode=append',
    `--output=${SLURM_LOG_FOLDER}/task-%a.out`,
  ]
  const command = input.command ? input.command : 'node "$CXR_APP/bin/cxr.mjs"'
  return [
    '#!/bin/bash',
    `# CXR Workstation ${input.appVersion}: the ${input.runs.length} run${input.runs.length === 1 ? '' : 's'} of "${input.name.replace(/[\r\n]/g, ' ')}" as a Slurm job array, one task per run.`,
    '# Submit it on the login node from this folder (on a filesystem every node sees):  sbatch submit.sbatch',
    '# A task that failed, ran out of time or was pre-empted continues from its last checkpoint when submitted again',
    '# (sbatch --array=TASKS submit.sbatch, or: cxr bundle submit . for every unfinished task).',
    ...directives.map((directive) => `#SBATCH ${directive}`),
    '',
    ...input.runs.map((run) => `# task ${run.task}: ${run.runId}  ${run.name.replace(/[\r\n]/g, ' ')}`),
    '',
    'set -u',
    'BUNDLE="${SLURM_SUBMIT_DIR:-$(pwd)}"',
    `# The app on the cluster: the same version (${input.appVersion}) installed with npm ci. Set CXR_APP to override.`,
    `CXR_APP_DEFAULT=${appDirWord(resources.appDir)}`,
    'CXR_APP="${CXR_APP:-$CXR_APP_DEFAULT}"',
    `cxr() { ${command} "$@"; }`,
    '# The kernels use the CPUs Slurm gave the task; the same count as the exporting workstation repeats its numbers bit for bit.',
    `export CXR_THREADS="\${SLURM_CPUS_PER_TASK:-${resources.cpus}}"`,
    'export OMP_NUM_THREADS="$CXR_THREADS"',
    ...(resources.backend ? [`export CXR_BACKEND="\${CXR_BACKEND:-${resources.backend}}"`] : []),
    ...(resources.gpus > 0 ? ['# GPU nodes: @tensorflow/tfjs-node-gpu with CUDA 11.2 and cuDNN 8.1 (see the README); numbers then repeat closely, not bit for bit.'] : []),
    'cd "$BUNDLE" || exit 1',
    'echo "task ${SLURM_ARRAY_TASK_ID} of job ${SLURM_ARRAY_JOB_ID:-?} on $(hostname), attempt $(( ${SLURM_RESTART_COUNT:-0} + 1 ))"',
    'cxr bundle run "$BUNDLE" --task "$SLURM_ARRAY_TASK_ID" &',
    'child=$!',
    'requeue=0',
    '# scancel and pre-emption send SIGTERM: the run stops after its current step and saves a checkpoint.',
    `trap 'kill -TERM "$child" 2>/dev/null' TERM INT`,
    '# Near the time limit: save a checkpoint, then go back into the queue to continue from it.',
    `trap 'requeue=1; kill -TERM "$child" 2>/dev/null' USR1`,
    'status=0',
    'while :; do',
    '  wait "$child"; status=$?',
    '  kill -0 "$child" 2>/dev/null || break',
    'done',
    'if [ "$requeue" = 1 ]; then scontrol requeue "$SLURM_JOB_ID"; fi',
    'exit "$status"',
    '',
  ].join('\n')
}

/** What README.txt tells the person on the cluster. */
export interface ClusterReadmeInput extends SubmitScriptInput {
  exportedFrom: { host: string; backend: string; threads: number | null }
  createdAt: string
  folderName: string
}

/** README.txt of a bundle with a Slurm script: what to copy where, the one command, and how to bring results back. */
export function renderClusterReadme(input: ClusterReadmeInput): string {
  const { resources } = input
  const threads = input.exportedFrom.threads === null ? '' : ` on ${input.exportedFrom.threads} thread${input.exportedFrom.threads === 1 ? '' : 's'}`
  return [
    `CXR Workstation run bundle: ${input.name}`,
    `${input.runs.length} run${input.runs.length === 1 ? '' : 's'}, exported ${input.createdAt} from ${input.exportedFrom.host} (app ${input.appVersion}, ${input.exportedFrom.backend} backend${threads}).`,
    '',
    '1. Copy this folder to the cluster, onto a filesystem every compute node sees (home, project or scratch):',
    `     rsync -a ${input.folderName}/ LOGIN-NODE:${input.folderName}/`,
    `2. Once, on the login node: Node.js 20 and the same app version (${input.appVersion}), installed with npm ci`,
    `   into ${resources.appDir} (or set CXR_APP to where it is). CPU nodes: install libdnnl-dev first for the fast`,
    '   onednn backend; GPU nodes: CUDA 11.2 and cuDNN 8.1, and npm ci with internet access installs @tensorflow/tfjs-node-gpu.',
    '3. The one command, on the login node, in the copied folder:',
    '     sbatch submit.sbatch',
    `   Each of the ${input.runs.length} tasks trains one run with ${resources.cpus} CPU${resources.cpus === 1 ? '' : 's'}, ${resources.memory} of memory${resources.gpus ? ` and ${resources.gpus} GPU${resources.gpus === 1 ? '' : 's'}` : ''}${resources.time ? `, for at most ${resources.time}` : ''}.`,
    '4. Follow it with squeue -u $USER; each run writes its log to results/runs/<run id>/log.txt.',
    '5. A task that failed, ran out of time or was pre-empted continues from its last checkpoint when submitted again:',
    '     sbatch --array=<task numbers> submit.sbatch',
    '6. Copy the folder back and bring the results into the library: Runs page, "Import cluster results",',
    `   or: cxr runs import ${input.folderName}`,
    '',
    `Bit for bit: a node on the ${input.exportedFrom.backend} backend${threads} gives exactly the runs this workstation would;`,
    'another backend or thread count gives close numbers, and each run records which it was.',
    '',
    'Tasks:',
    ...input.runs.map((run) => `  ${String(run.task).padStart(3)}  ${run.runId}  ${run.name}`),
    '',
  ].join('\n')
}

/** A task as the scheduler reports it. */
export interface SchedulerTask {
  /** The array job's id. */
  arrayJobId: string
  task: number
  /** Slurm's state word (PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, PREEMPTED, …). */
  state: string
  node: string | null
  reason: string | null
  exitCode: string | null
}

/** Task indices of an array expression: `3`, `0-3`, `[0-2,5]`, `0-7%2`. */
function taskIndices(expression: string): number[] {
  const body = expression.replace(/^\[|\]$/g, '').replace(/%\d+$/, '')
  return body.split(',').flatMap((part) => {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!range) return []
    const from = Number(range[1])
    const to = range[2] === undefined ? from : Number(range[2])
    return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index)
  })
}

/** A tool's output as its non-empty lines, trimmed. */
const linesOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)

const meaningful = (value: string | undefined) => (value && !['(null)', 'None', 'N/A', ''].includes(value) ? value : null)

/** `squeue -h -r -o '%i|%T|%N|%r'`: one line per task (`12_3|RUNNING|node07|None`). */
export function parseSqueue(text: string): SchedulerTask[] {
  return linesOf(text).flatMap((line) => {
    const [id, state, node, reason] = line.split('|')
    const match = /^(\d+)_(.+)$/.exec(id ?? '')
    if (!match || !state) return []
    return taskIndices(match[2]).map((task) => ({ arrayJobId: match[1], task, state: state.trim(), node: meaningful(node?.trim()), reason: meaningful(reason?.trim()), exitCode: null }))
  })
}

/** `sacct -n -P -X -j JOB --format=JobID,State,NodeList,ExitCode`: finished tasks too (`12_3|CANCELLED by 0|node07|0:15`). */
export function parseSacct(text: string): SchedulerTask[] {
  return linesOf(text).flatMap((line) => {
    const [id, state, node, exitCode] = line.split('|')
    const match = /^(\d+)_([^.]+)$/.exec(id ?? '')
    if (!match || !state) return []
    const word = state.trim().split(/\s+/)[0]
    return taskIndices(match[2]).map((task) => ({ arrayJobId: match[1], task, state: word, node: meaningful(node?.trim()), reason: state.trim() === word ? null : state.trim(), exitCode: meaningful(exitCode?.trim()) }))
  })
}

/** `scontrol -o show job JOB`: one line per task with `Key=Value` pairs (kept for a while after a task ends; works without accounting). */
export function parseScontrolJobs(text: string): SchedulerTask[] {
  return linesOf(text).flatMap((line) => {
    const fields = new Map<string, string>()
    for (const match of line.matchAll(/(\w+)=(\S*)/g)) if (!fields.has(match[1])) fields.set(match[1], match[2])
    const arrayJobId = fields.get('ArrayJobId')
    const state = fields.get('JobState')
    if (!arrayJobId || !state || !fields.has('ArrayTaskId')) return []
    return taskIndices(fields.get('ArrayTaskId')!).map((task) => ({
      arrayJobId,
      task,
      state,
      node: meaningful(fields.get('NodeList')),
      reason: meaningful(fields.get('Reason')),
      exitCode: meaningful(fields.get('ExitCode')),
    }))
  })
}
