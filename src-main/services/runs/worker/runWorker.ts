/**
 * Entry of a run worker thread (bundled as out/main/runWorker.js). It loads its own TensorFlow.js, climbs the
 * same backend ladder as the main engine, runs one job and reports through messages; the main thread only
 * routes them. One job per worker: the main thread ends the worker after the result, which also frees every
 * tensor and wasm buffer the job made.
 */
import { parentPort } from 'node:worker_threads'
import { climbBackendLadder } from '../../engine/backendLadder'
import { executeJob, type JobIo } from '../executeJob'
import type { FromWorker, ToWorker, WorkerBackend, WorkerJob } from '../protocol'
import { RunFailure } from '../runFailure'

const port = parentPort
if (!port) throw new Error('runWorker.ts must run in a worker thread')

let cancelled = false

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer)
}

async function run(job: WorkerJob, backend: WorkerBackend): Promise<void> {
  try {
    const report = await climbBackendLadder(backend.preference, backend.source)
    const io: JobIo = {
      engine: report,
      log: (line) => post({ type: 'log', line }),
      progress: (progress) => post({ type: 'progress', progress }),
      epoch: (metrics) => post({ type: 'epoch', metrics }),
      patch: (patch) => post({ type: 'patch', patch }),
      batch: (phase, epoch, step, indices) => post({ type: 'batch', phase, epoch, step, indices: [...indices] }),
      shouldStop: () => cancelled,
    }
    io.log(`worker on ${report.active} (${report.attempts.find((attempt) => attempt.status === 'active')?.reason ?? ''})`)
    post({ type: 'result', result: await executeJob(job, io) })
  } catch (error) {
    const expected = error instanceof RunFailure
    post({ type: 'failed', reason: error instanceof Error ? error.message : String(error), expected, stack: expected ? null : ((error as Error)?.stack ?? null) })
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'job':
      void run(message.job, message.backend)
      break
    case 'cancel':
      // Polled by the loop before each step; it saves a checkpoint, then reports `cancelled`.
      cancelled = true
      break
  }
})
