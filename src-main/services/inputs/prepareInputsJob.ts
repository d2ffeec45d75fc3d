import type { LungModelRef } from '@shared/runs/record'
import type { JobExecutor } from '../workers/jobIo'
import { JobFailure } from '../workers/jobIo'
import { createInputPipeline, type InputImage } from './inputPipeline'
import type { InputSettings } from './inputSettings'
import { createLungMasker } from './lungMasker'

/** Images to prepare into the input cache, on one lane of a run's preparation. */
export interface PrepareInputsJob {
  dataFolder: string
  settings: InputSettings
  lungModel: LungModelRef | null
  images: InputImage[]
}

/** What a preparation lane reports: each image as it is done, and log lines (images with no lungs found). */
export type PrepareInputsEvent = { type: 'prepared'; index: number; cached: boolean; masked: boolean } | { type: 'log'; line: string }

/** Prepares images into the cache, in order, stopping between images when asked; the lung model loads once per lane. */
export async function prepareImages(job: PrepareInputsJob, emit: (event: PrepareInputsEvent) => void, shouldStop: () => boolean): Promise<number> {
  const masker = job.lungModel ? createLungMasker(job.lungModel) : null
  try {
    const pipeline = createInputPipeline({ dataFolder: job.dataFolder, settings: job.settings, lungMasker: masker, log: (line) => emit({ type: 'log', line }) })
    for (const [index, image] of job.images.entries()) {
      if (shouldStop()) throw new JobFailure('stopped while preparing inputs')
      const outcome = await pipeline.ensure(image)
      emit({ type: 'prepared', index, cached: outcome.cached, masked: outcome.masked })
    }
    return job.images.length
  } finally {
    masker?.dispose()
  }
}

/** One lane of input preparation in its own worker (decode, equalize, lung mask, resize, cache). */
export const prepareInputsExecutor: JobExecutor<PrepareInputsJob, PrepareInputsEvent, number> = {
  label: 'input preparation',
  needsEngine: true,
  run: (job, context) => prepareImages(job, (event) => context.emit(event), () => context.shouldStop()),
}
