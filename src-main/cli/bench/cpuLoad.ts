import { spawn, type ChildProcess } from 'node:child_process'

/** Busy processes started by {@link startCpuLoad}. */
export interface CpuLoad {
  /** How many are spinning. */
  readonly processes: number
  /** Their process ids. */
  readonly pids: readonly number[]
  /** Ends them (each by its own pid) and waits until they are gone. */
  stop(): Promise<void>
}

/**
 * Starts `count` CPU-bound processes (Node spinning an empty loop, one core each) beside the benchmark, as other
 * programs on a workstation would be: `cxr bench --load 1` measures our figures and the PyTorch peer's under the
 * same load. They are ended with the bench, and on its exit if it dies first.
 */
export function startCpuLoad(count: number): CpuLoad {
  const children: ChildProcess[] = Array.from({ length: count }, () =>
    // ELECTRON_RUN_AS_NODE: in the packaged app execPath is Electron, which must behave as plain Node here.
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }),
  )
  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  process.once('exit', killAll)
  return {
    processes: count,
    pids: children.flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
    async stop() {
      process.removeListener('exit', killAll)
      const exited = children.map((child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()))))
      killAll()
      await Promise.all(exited)
    },
  }
}
