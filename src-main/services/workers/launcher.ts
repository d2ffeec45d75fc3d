import * as tf from '@tensorflow/tfjs'
import type { EngineReport } from '@shared/system/engineTypes'
import type { LungMaskers } from '../inputs/lungMasker'
import { defaultWorkerEntry, launchWorkerJob, type JobHandle, type WorkerEntry } from './host'
import { executorOf, type EventOf, type JobKind, type PayloadOf, type ResultOf } from './jobKinds'
import type { WorkerBackend } from './protocol'

/**
 * Where jobs run: in a worker thread each (the app and the command line), or on the calling thread on its current
 * TensorFlow.js backend (tests that need to look inside, or inject lung models).
 */
export type JobExecution =
  | { kind: 'worker'; entry?: WorkerEntry; backend: () => WorkerBackend }
  | { kind: 'in-process'; lungMaskers?: LungMaskers }

/** Starts jobs by kind. */
export interface JobLauncher {
  launch<K extends JobKind>(kind: K, payload: PayloadOf<K>, onEvent?: (event: EventOf<K>) => void): JobHandle<ResultOf<K>>
}

/** A launcher for one way of running jobs. */
export function createJobLauncher(execution: JobExecution): JobLauncher {
  return {
    launch(kind, payload, onEvent) {
      const executor = executorOf(kind)
      if (!executor) throw new Error(`no job kind ${kind}`)
      if (execution.kind === 'worker') {
        return launchWorkerJob(execution.entry ?? defaultWorkerEntry(), { kind, label: executor.label, payload }, execution.backend(), (event) => onEvent?.(event as never))
      }
      let stop = false
      let reason: string | undefined
      const controller = new AbortController()
      const engine = { active: tf.getBackend(), onednn: null, wasm: null, attempts: [], preference: 'auto', preferenceSource: 'default', projectKernels: [], tfjsVersion: tf.version.tfjs } as unknown as EngineReport
      const done = executor.run(payload, {
        emit: (event) => onEvent?.(event as never),
        shouldStop: () => stop,
        stopReason: () => reason,
        signal: controller.signal,
        engine: executor.needsEngine ? engine : null,
        lungMaskers: execution.lungMaskers,
      }) as Promise<ResultOf<typeof kind>>
      return {
        done,
        cancel: (why) => {
          stop = true
          reason ??= why
          if (!controller.signal.aborted) controller.abort(why)
        },
        terminate: async () => {
          stop = true
          if (!controller.signal.aborted) controller.abort()
        },
      }
    },
  }
}
