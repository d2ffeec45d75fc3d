import { isMainThread } from 'node:worker_threads'

/**
 * How long (busy-wait iterations) an OpenMP thread spins at a barrier, or waiting for the next parallel region,
 * before it sleeps. libgomp's default (300,000 when OMP_WAIT_POLICY is unset, i.e. about a millisecond) suits a
 * machine that runs nothing else; on a shared one the spinning thread burns the time slice the thread it waits
 * for needs, and every one of the hundreds of parallel regions of a training step waits for a descheduled
 * thread. A short spin keeps the quick hand-over between back-to-back kernels on a quiet machine, then sleeps.
 */
export const OPENMP_SPIN_COUNT = '10000'

/** Whether {@link configureOpenMp} chose the spin count (rather than the user's environment). */
let setHere = false

/**
 * The OpenMP settings the onednn backend runs with, written into this process's environment unless the user set
 * their own: libgomp reads them once, when it is loaded (as a dependency of the addon) by whichever thread loads
 * the addon first. Only the main thread can change the environment native code sees (a worker's `process.env` is
 * its own copy), so this runs in the main thread before it loads the addon and before it starts any worker that
 * may. Returns the settings now in effect.
 */
export function configureOpenMp(env: NodeJS.ProcessEnv = process.env): { waitPolicy: string | null; spinCount: string | null } {
  if (isMainThread && env === process.env && env.OMP_WAIT_POLICY === undefined && env.GOMP_SPINCOUNT === undefined) {
    env.GOMP_SPINCOUNT = OPENMP_SPIN_COUNT
    setHere = true
  }
  return { waitPolicy: env.OMP_WAIT_POLICY ?? null, spinCount: env.GOMP_SPINCOUNT ?? null }
}

/** The environment other programs (the PyTorch peer) should get: the user's, without the spin count chosen here. */
export function environmentForOtherPrograms(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!setHere) return env
  const { GOMP_SPINCOUNT: _ours, ...rest } = env
  return rest
}
