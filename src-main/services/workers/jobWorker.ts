/**
 * Entry of a job worker thread (bundled as out/main/jobWorker.js). It runs one job of any kind in jobKinds.ts:
 * it climbs the same backend ladder as the main engine when the job needs TensorFlow.js, runs the job and reports
 * through messages; the main thread only routes them. One job per worker: the main thread ends the worker after
 * the result, which also frees every tensor, wasm buffer and native thread the job made.
 */
import { parentPort } from 'node:worker_threads'
import { isImagingError } from '@shared/imaging/errors'
import { LibraryError } from '@shared/library/errors'
import { climbBackendLadder } from '../engine/backendLadder'
import { installNativeEqualization } from '../imaging/dicom/codecs/nativeCodecs'
import { JobFailure } from './jobIo'
import { executorOf } from './jobKinds'
import { createJobLauncher } from './launcher'
import type { FromWorker, ToWorker, WorkerBackend } from './protocol'

const port = parentPort
if (!port) throw new Error('jobWorker.ts must run in a worker thread')
installNativeEqualization()

let cancelled = false
let cancelReason: string | undefined
const stop = new AbortController()

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer)
}

/** Failures a user can act on (bad files, missing inputs, a diverged run): their message is shown as it is. */
function expected(error: unknown): boolean {
  return error instanceof JobFailure || error instanceof LibraryError || isImagingError(error)
}

async function run(kind: string, payload: unknown, backend: WorkerBackend): Promise<void> {
  try {
    const executor = executorOf(kind)
    if (!executor) throw new Error(`this worker does not know the job kind ${kind}`)
    const engine = executor.needsEngine ? await climbBackendLadder(backend.preference, backend.source) : null
    // Helpers run beside this job on the same cores: one kernel thread each.
    const helpers = createJobLauncher({ kind: 'worker', backend: () => ({ ...backend, threads: 1 }) })
    const result = await executor.run(payload, { emit: (event, transfer) => post({ type: 'event', event }, transfer), shouldStop: () => cancelled, stopReason: () => cancelReason, signal: stop.signal, engine, helpers })
    post({ type: 'result', result }, executor.transferables?.(result) ?? [])
  } catch (error) {
    const known = expected(error)
    post({ type: 'failed', reason: error instanceof Error ? error.message : String(error), expected: known, stack: known ? null : ((error as Error)?.stack ?? null) })
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'job':
      void run(message.kind, message.payload, message.backend)
      break
    case 'cancel':
      // Polled by the job between steps; training saves a checkpoint first.
      cancelled = true
      cancelReason ??= message.reason
      if (!stop.signal.aborted) stop.abort(message.reason)
      break
  }
})
