import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { FromWorker, JobResult, ToWorker, WorkerBackend, WorkerJob } from './protocol'
import { RunFailure } from './runFailure'

/** How to start a run worker: a script, with optional Node flags and data (e.g. a TypeScript loader in tests). */
export interface WorkerEntry {
  file: string | URL
  execArgv?: string[]
  workerData?: unknown
}

/** File name of the bundled worker (electron.vite.config.ts: main `rollupOptions.input.runWorker`). */
export const WORKER_BUNDLE = 'runWorker.js'

/**
 * The bundled worker, next to the main bundle. Code from this module may sit in out/main/ or in a shared chunk
 * in out/main/chunks/, so both folders are tried. Throws when neither has it (running from TypeScript sources:
 * pass an entry, see tests/integration/runs/support).
 */
export function defaultWorkerEntry(from: string = import.meta.url): WorkerEntry {
  const here = dirname(fileURLToPath(from))
  for (const folder of [here, join(here, '..')]) {
    const file = join(folder, WORKER_BUNDLE)
    if (existsSync(file)) return { file }
  }
  throw new Error(`the run worker ${WORKER_BUNDLE} was not found next to ${here}: build the app (npm run build)`)
}

/** A worker that stopped without reporting (crash, out of memory, killed): the run is resumable. */
export class WorkerCrash extends Error {
  override name = 'WorkerCrash'
}

/** A running job. */
export interface JobHandle {
  /** Resolves with the job's result; rejects with a RunFailure (expected), WorkerCrash, or Error. */
  done: Promise<JobResult>
  /** Ask the job to stop at the next step (training saves a checkpoint first). */
  cancel(): void
  /** Ends the worker at once (tests simulate a crash; `close` ends a running run). */
  terminate(): Promise<void>
  threadId: number
}

/**
 * Starts a worker for one job and routes its messages to `onMessage`. The worker is ended once it reports a
 * result or a failure. It needs nothing from this thread while it works: it loads its own models (the lung
 * U-Net included) and reads its own files.
 */
export function launchJob(entry: WorkerEntry, job: WorkerJob, backend: WorkerBackend, onMessage: (message: FromWorker) => void): JobHandle {
  const worker = new Worker(entry.file, { execArgv: entry.execArgv, workerData: entry.workerData })
  let settled = false
  const done = new Promise<JobResult>((resolve, reject) => {
    const finish = (action: () => void) => {
      if (settled) return
      settled = true
      action()
      void worker.terminate()
    }
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'result') return finish(() => resolve(message.result))
      if (message.type === 'failed') {
        return finish(() => reject(message.expected ? new RunFailure(message.reason) : Object.assign(new Error(message.reason), { stack: message.stack ?? undefined })))
      }
      onMessage(message)
    })
    worker.on('error', (error) => finish(() => reject(new WorkerCrash(`the run worker crashed: ${error.message}`))))
    worker.on('exit', (code) => finish(() => reject(new WorkerCrash(`the run worker stopped unexpectedly (exit code ${code})`))))
  })
  const send = (message: ToWorker) => worker.postMessage(message)
  send({ type: 'job', job, backend })
  return {
    done,
    threadId: worker.threadId,
    cancel: () => send({ type: 'cancel' }),
    terminate: async () => {
      await worker.terminate()
    },
  }
}
