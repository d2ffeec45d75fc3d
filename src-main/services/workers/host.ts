import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { releaseFreedMemory } from '../engine/onednn/freedMemory'
import { configureOpenMp } from '../engine/onednn/openmpEnvironment'
import { JobFailure } from './jobIo'
import type { FromWorker, ToWorker, WorkerBackend } from './protocol'

/** How to start a job worker: a script, with optional Node flags and data (e.g. a TypeScript loader in tests). */
export interface WorkerEntry {
  file: string | URL
  execArgv?: string[]
  workerData?: unknown
}

/** File name of the bundled worker (electron.vite.config.ts: main `rollupOptions.input.jobWorker`). */
export const WORKER_BUNDLE = 'jobWorker.js'

/**
 * The bundled worker, next to the main bundle. Code from this module may sit in out/main/ or in a shared chunk
 * in out/main/chunks/, so both folders are tried. Run from its TypeScript sources (tests), it is the worker's
 * source started through tsx. Throws when there is neither.
 */
export function defaultWorkerEntry(from: string = import.meta.url): WorkerEntry {
  if (from.endsWith('.ts')) return sourceWorkerEntry()
  const here = dirname(fileURLToPath(from))
  for (const folder of [here, join(here, '..')]) {
    const file = join(folder, WORKER_BUNDLE)
    if (existsSync(file)) return { file }
  }
  throw new Error(`the job worker ${WORKER_BUNDLE} was not found next to ${here}: build the app (npm run build)`)
}

/** The job worker from its TypeScript source, through tsx (see sourceWorker.mjs). */
export function sourceWorkerEntry(): WorkerEntry {
  const root = fileURLToPath(new URL('../../../', import.meta.url))
  return {
    file: new URL('./sourceWorker.mjs', import.meta.url),
    workerData: { entry: new URL('./jobWorker.ts', import.meta.url).href, tsconfig: join(root, 'tsconfig.node.json') },
  }
}

/** A worker that stopped without reporting (crash, out of memory, killed): its job can be resumed or retried. */
export class WorkerCrash extends Error {
  override name = 'WorkerCrash'
}

/** A running job. */
export interface JobHandle<Result> {
  /** Resolves with the job's result; rejects with a JobFailure (expected), WorkerCrash, or Error. */
  done: Promise<Result>
  /** Ask the job to stop at its next step (training saves a checkpoint first), optionally saying why. */
  cancel(reason?: string): void
  /** Ends the worker at once (tests simulate a crash; closing the app ends running jobs). */
  terminate(): Promise<void>
}

/**
 * Starts a worker for one job and routes its events to `onEvent`. The worker is ended once it reports a result or
 * a failure, which frees every tensor, wasm buffer and native thread the job made. It needs nothing from this
 * thread while it works: it loads its own models, opens its own database connection and reads its own files.
 */
export function launchWorkerJob<Result>(
  entry: WorkerEntry,
  job: { kind: string; label: string; payload: unknown },
  backend: WorkerBackend,
  onEvent: (event: unknown) => void,
  transfer: ArrayBuffer[] = [],
): JobHandle<Result> {
  const { kind, label, payload } = job
  // A worker may be the first to load the oneDNN addon, and only this thread can set what its OpenMP reads.
  configureOpenMp()
  const env = backend.threads ? { ...process.env, CXR_THREADS: String(backend.threads) } : process.env
  const worker = new Worker(entry.file, { execArgv: entry.execArgv, workerData: entry.workerData, env })
  let settled = false
  const done = new Promise<Result>((resolve, reject) => {
    const finish = (action: () => void) => {
      if (settled) return
      settled = true
      action()
      // What the job's thread freed stays in the process under the onednn memory policy until it is given back.
      void worker.terminate().then(releaseFreedMemory, () => undefined)
    }
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'result') return finish(() => resolve(message.result as Result))
      if (message.type === 'failed') {
        // Expected failures are the caller's to show; anything else is a bug, and its stack belongs in the log.
        if (!message.expected) console.error(`the ${label} failed unexpectedly: ${message.stack ?? message.reason}`)
        return finish(() => reject(message.expected ? new JobFailure(message.reason) : Object.assign(new Error(message.reason), { stack: message.stack ?? undefined })))
      }
      try {
        onEvent(message.event)
      } catch (error) {
        // A listener's bug must not lose the job; it is reported, the job goes on.
        console.warn(`a ${label} job's event listener failed: ${(error as Error).message}`)
      }
    })
    worker.on('error', (error) => {
      if (!settled) console.error(`the ${label} crashed: ${error.stack ?? error.message}`)
      finish(() => reject(new WorkerCrash(`the ${label} crashed: ${error.message}`)))
    })
    worker.on('exit', (code) => finish(() => reject(new WorkerCrash(`the ${label} stopped unexpectedly (its worker thread ended with exit code ${code})`))))
  })
  const send = (message: ToWorker, moved: ArrayBuffer[] = []) => worker.postMessage(message, moved)
  send({ type: 'job', kind, payload, backend }, transfer)
  return {
    done,
    cancel: (reason) => {
      if (!settled) send({ type: 'cancel', reason })
    },
    terminate: async () => {
      await worker.terminate()
    },
  }
}
