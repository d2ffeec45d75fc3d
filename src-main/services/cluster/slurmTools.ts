import { execFile } from 'node:child_process'
import { userInfo } from 'node:os'
import { parseSacct, parseScontrolJobs, parseSqueue, SUBMIT_SCRIPT, type SchedulerTask } from '@shared/cluster'

/** Slurm's command-line tools as the cluster service uses them. */
export interface SlurmTools {
  /** Whether Slurm answers from this machine, and in words why not. */
  reachable(): Promise<{ reachable: boolean; note: string }>
  /** `sbatch --array=TASKS submit.sbatch` in the bundle folder; the array job's id. */
  submit(folder: string, tasks: readonly number[]): Promise<string>
  /** The tasks of these array jobs: the queue first, then accounting, then the controller's memory of ended jobs. */
  tasks(jobIds: readonly string[]): Promise<SchedulerTask[]>
}

/** How long a Slurm command may take before it counts as not answering. */
const COMMAND_TIMEOUT_MS = 20_000

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<{ ok: true; stdout: string } | { ok: false; missing: boolean; message: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout })
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
      const message = (stderr || error.message).trim().split('\n').filter(Boolean).pop() ?? error.message
      resolve({ ok: false, missing, message })
    })
  })
}

/** The tools of this machine, run with `env` (SLURM_CONF and the like). */
export function createSlurmTools(env: NodeJS.ProcessEnv = process.env): SlurmTools {
  return {
    async reachable() {
      const answer = await run('sinfo', ['-h', '-o', '%P'], env)
      if (answer.ok) return { reachable: true, note: `Slurm answers here (partitions: ${answer.stdout.split('\n').map((line) => line.trim()).filter(Boolean).join(', ') || 'none'})` }
      if (answer.missing) return { reachable: false, note: "Slurm's tools are not installed on this machine: copy the bundle to the cluster's login node and run the command in its README.txt there" }
      return { reachable: false, note: `Slurm does not answer from this machine (${answer.message}): copy the bundle to the cluster's login node and run the command in its README.txt there` }
    },
    async submit(folder, tasks) {
      const answer = await run('sbatch', ['--parsable', `--array=${tasks.join(',')}`, SUBMIT_SCRIPT], env, folder)
      if (!answer.ok) throw new Error(answer.missing ? 'sbatch is not installed on this machine: submit the bundle from the cluster’s login node' : `sbatch refused the bundle's job array: ${answer.message}`)
      const jobId = answer.stdout.trim().split(';')[0]
      if (!/^\d+$/.test(jobId)) throw new Error(`sbatch answered "${answer.stdout.trim()}" instead of a job id`)
      return jobId
    },
    async tasks(jobIds) {
      if (jobIds.length === 0) return []
      const wanted = new Set(jobIds)
      const found = new Map<string, SchedulerTask>()
      const keep = (tasks: SchedulerTask[]) => {
        for (const task of tasks) {
          const key = `${task.arrayJobId}_${task.task}`
          if (wanted.has(task.arrayJobId) && !found.has(key)) found.set(key, task)
        }
      }
      const queue = await run('squeue', ['-h', '-r', '-u', userInfo().username, '-o', '%i|%T|%N|%r'], env)
      if (queue.ok) keep(parseSqueue(queue.stdout))
      const accounting = await run('sacct', ['-n', '-P', '-X', '-j', jobIds.join(','), '--format=JobID,State,NodeList,ExitCode'], env)
      if (accounting.ok) keep(parseSacct(accounting.stdout))
      else {
        // Without accounting (a cluster without slurmdbd) the controller still remembers ended jobs for a while.
        for (const jobId of jobIds) {
          const shown = await run('scontrol', ['-o', 'show', 'job', jobId], env)
          if (shown.ok) keep(parseScontrolJobs(shown.stdout))
        }
      }
      return [...found.values()]
    },
  }
}
