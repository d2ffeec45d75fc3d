import type { EpochMetrics, RunProgress } from '@shared/runs/record'
import type { Prediction, RunEstimate } from '@shared/runs/service'
import type { JobContext, JobExecutor } from '../workers/jobIo'
import { executeEstimate, executePredict, executeTrain, type JobIo } from './executeJob'
import type { EstimateJob, PredictJob, RecordPatch, TrainJob } from './protocol'

/** What a training job reports while it runs. */
export type RunEvent =
  | { type: 'log'; line: string }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'patch'; patch: RecordPatch }
  | { type: 'batch'; phase: string; epoch: number; step: number; indices: number[] }

/** The runs' job IO over a job context: every report becomes an event. */
export function runIo(context: JobContext<RunEvent>): JobIo {
  if (!context.engine) throw new Error('a run job needs the engine')
  return {
    engine: context.engine,
    log: (line) => context.emit({ type: 'log', line }),
    progress: (progress) => context.emit({ type: 'progress', progress }),
    epoch: (metrics) => context.emit({ type: 'epoch', metrics }),
    patch: (patch) => context.emit({ type: 'patch', patch }),
    batch: (phase, epoch, step, indices) => context.emit({ type: 'batch', phase, epoch, step, indices: [...indices] }),
    shouldStop: () => context.shouldStop(),
    prepareInputs: context.helpers
      ? async (job, onEvent) => {
          const handle = context.helpers!.launch('prepare-inputs', job, onEvent)
          const stop = () => handle.cancel()
          context.signal.addEventListener('abort', stop)
          try {
            await handle.done
          } finally {
            context.signal.removeEventListener('abort', stop)
          }
        }
      : undefined,
  }
}

/** Train (or continue) one run. */
export const trainExecutor: JobExecutor<TrainJob, RunEvent, 'completed' | 'cancelled'> = {
  label: 'training',
  needsEngine: true,
  async run(job, context) {
    const io = runIo(context)
    io.log(`worker on ${io.engine.active}${io.engine.onednn ? ` (oneDNN ${io.engine.onednn.version}, ${io.engine.onednn.threads} threads)` : ''}`)
    return (await executeTrain(job, io)).outcome
  },
}

/** COVID+ probabilities of image files under a saved model. */
export const predictExecutor: JobExecutor<PredictJob, RunEvent, Prediction[]> = {
  label: 'prediction',
  needsEngine: true,
  run: (job, context) => executePredict(job, runIo(context)),
}

/** Time a few training steps of a configuration. */
export const estimateExecutor: JobExecutor<EstimateJob, RunEvent, RunEstimate> = {
  label: 'time estimate',
  needsEngine: true,
  run: (job, context) => executeEstimate(job, runIo(context)),
}
