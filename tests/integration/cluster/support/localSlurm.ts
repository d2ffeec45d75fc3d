import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { processAlive } from '../../../../src-main/services/system/processAlive'

/** The programs a single-node Slurm needs (Debian's slurm-wlm and munge). */
const PROGRAMS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'sinfo']

/** A running single-node Slurm: the environment its clients need, and how to stop it. */
export interface LocalSlurm {
  /** The test process's environment plus SLURM_CONF. */
  env: NodeJS.ProcessEnv
  stop(): void
}

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0
}

/** Why a local Slurm cannot start here, or null when it can be tried. */
export function whyNoSlurm(): string | null {
  if (process.platform !== 'linux') return 'a local Slurm runs on Linux only'
  if (process.getuid?.() !== 0) return 'starting munged, slurmctld and slurmd needs root (run the tests as root, as .ci/run does)'
  const missing = PROGRAMS.filter((program) => !onPath(program))
  if (missing.length) return `${missing.join(', ')} not installed (apt-get install -y slurm-wlm munge)`
  return null
}

/**
 * Starts munged (with its own key and socket, so a system munged is left alone), slurmctld and slurmd on localhost
 * in `root`, as Debian's packages allow on one machine: `ProctrackType=proctrack/linuxproc` and `TaskPlugin=task/none`
 * (no cgroups), no accounting. Ports are drawn at random so a stale daemon of an earlier run cannot answer. Waits
 * until the node is idle; throws with the daemons' last log lines when it does not come up.
 */
export function startLocalSlurm(root: string, cpus = 2): LocalSlurm {
  const node = hostname().split('.')[0]
  for (const folder of ['munge', 'state', 'spool', 'log']) mkdirSync(join(root, folder), { recursive: true, mode: 0o755 })
  chmodSync(join(root, 'munge'), 0o711)
  const key = join(root, 'munge', 'munge.key')
  writeFileSync(key, randomBytes(1024), { mode: 0o400 })
  const socket = join(root, 'munge', 'munge.sock')
  const pidFiles = [join(root, 'munge', 'munged.pid'), join(root, 'slurmctld.pid'), join(root, 'slurmd.pid')]
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const conf = join(root, 'slurm.conf')
  writeFileSync(
    conf,
    [
      'ClusterName=cxrtest',
      `SlurmctldHost=${node}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU_Memory',
      'SchedulerType=sched/backfill',
      'MpiDefault=none',
      'ReturnToService=2',
      // Ended jobs stay visible to scontrol for 10 minutes (there is no accounting to ask).
      'MinJobAge=600',
      `StateSaveLocation=${join(root, 'state')}`,
      `SlurmdSpoolDir=${join(root, 'spool')}`,
      `SlurmctldPidFile=${pidFiles[1]}`,
      `SlurmdPidFile=${pidFiles[2]}`,
      `SlurmctldLogFile=${join(root, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(root, 'log', 'slurmd.log')}`,
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=4000 State=UNKNOWN`,
      `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  )
  const env = { ...process.env, SLURM_CONF: conf }
  // Waits for each daemon to be gone: slurmctld saves its state into StateSaveLocation as it shuts down, so a caller
  // that deletes the folder right after a bare SIGTERM races those writes (seen in CI: ENOTEMPTY on slurm/state).
  const stop = () => {
    for (const file of [...pidFiles].reverse()) {
      if (!existsSync(file)) continue
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (!(pid > 0) || !signal(pid, 'SIGTERM')) continue
      const deadline = Date.now() + 20_000
      while (processAlive(pid) && Date.now() < deadline) pause(50)
      if (processAlive(pid)) {
        signal(pid, 'SIGKILL')
        const killed = Date.now() + 5_000
        while (processAlive(pid) && Date.now() < killed) pause(50)
      }
    }
  }
  const start = (program: string, args: string[]) => {
    const started = spawnSync(program, args, { env, encoding: 'utf8', timeout: 20_000 })
    if (started.status !== 0) {
      stop()
      throw new Error(`${program} did not start (${started.status}): ${(started.stderr || started.stdout).trim()}`)
    }
  }
  start('munged', ['--force', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${pidFiles[0]}`, `--log-file=${join(root, 'munge', 'munged.log')}`, `--seed-file=${join(root, 'munge', 'munged.seed')}`])
  start('slurmctld', ['-f', conf])
  start('slurmd', ['-f', conf])
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const state = spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8', timeout: 10_000 })
    if (state.status === 0 && /^(idle|mix|alloc)/m.test(state.stdout)) return { env, stop }
    pause(500)
  }
  const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ') : 'no log')
  stop()
  throw new Error(`the local Slurm node did not become idle: slurmctld: ${tail(join(root, 'log', 'slurmctld.log'))}; slurmd: ${tail(join(root, 'log', 'slurmd.log'))}`)
}

/** Sends a signal; false when the process is already gone. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name)
    return true
  } catch {
    return false
  }
}

/** Sleeps this thread without spinning (the hooks that stop the cluster are synchronous). */
function pause(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds)
}
