import type { JobExecutor } from '../../workers/jobIo'
import { JobFailure } from '../../workers/jobIo'
import type { LungMaskSource } from './lungDataset'
import type { MaskPairListing } from './maskPairs'
import type { BatchLog, EpochLog } from './trainSegmentation'
import { trainLungModel, type LungTrainingPhase, type TrainLungModelOptions, type TrainLungModelResult } from './trainLungModel'

/** A lung mask source with its pairs listed and their patients looked up: plain data that can cross into a worker. */
export type ListedLungSource = Omit<LungMaskSource, 'list' | 'patientOf'> & { listing: MaskPairListing; patients: Record<string, string> }

/** A lung-model training as a job. */
export interface TrainLungModelJob {
  options: Omit<TrainLungModelOptions, 'sources' | 'signal' | 'log' | 'onBatchEnd' | 'onEpochEnd' | 'onPhase'>
  sources: ListedLungSource[]
  /** Refuse a patient split with no held-out or no validation images (the app's jobs must report held-out scores). */
  requireHeldOut: boolean
}

/** What a lung training job reports. */
export type TrainLungModelEvent =
  | { type: 'log'; line: string }
  | { type: 'phase'; phase: LungTrainingPhase }
  | { type: 'batch'; batch: BatchLog }
  | { type: 'epoch'; epoch: EpochLog }

/** Lists a source's pairs now, so the training can run where the library is not at hand. */
export async function listLungSource(source: LungMaskSource): Promise<ListedLungSource> {
  const { list, patientOf, ...rest } = source
  const listing = await list()
  const patients: Record<string, string> = {}
  for (const pair of listing.pairs) {
    const patient = patientOf?.(pair.fileName)
    if (patient !== undefined) patients[pair.fileName] = patient
  }
  return { ...rest, listing, patients }
}

/** Lung U-Net training in a worker: steps, evaluation and saving all off the main thread; stops between steps when asked. */
export const trainLungModelExecutor: JobExecutor<TrainLungModelJob, TrainLungModelEvent, TrainLungModelResult> = {
  label: 'lung model training',
  needsEngine: true,
  async run(job, context) {
    const abort = new AbortController()
    const stop = () => abort.abort(new JobFailure('lung training cancelled'))
    if (context.signal.aborted) stop()
    else context.signal.addEventListener('abort', stop)
    try {
      return await trainLungModel({
      ...job.options,
      backend: { ...job.options.backend, name: context.engine?.active ?? 'unknown', threads: context.engine?.onednn?.threads ?? null },
      sources: job.sources.map(({ listing, patients, ...source }) => ({ ...source, list: async () => listing, patientOf: (fileName: string) => patients[fileName] })),
      signal: abort.signal,
      log: (line) => context.emit({ type: 'log', line }),
      onPhase: (phase) => {
        if (job.requireHeldOut && phase.phase === 'training' && (phase.test === 0 || phase.validation === 0)) {
          throw new JobFailure(`the patient split left ${phase.test} held-out and ${phase.validation} validation images (${phase.train} train): the datasets need more patients with lung masks`)
        }
        context.emit({ type: 'phase', phase })
      },
      onBatchEnd: (batch) => context.emit({ type: 'batch', batch }),
      onEpochEnd: (epoch) => context.emit({ type: 'epoch', epoch }),
      })
    } finally {
      context.signal.removeEventListener('abort', stop)
    }
  },
}
