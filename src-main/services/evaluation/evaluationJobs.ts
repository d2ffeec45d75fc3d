import type { EvaluationVariant } from '@shared/evaluation/types'
import type { LungModelRef } from '@shared/runs/record'
import { loadLayersModelFromFolder } from '../engine/modelFiles'
import { createLungMaskers, type InputImage, type InputSettings, type LungMaskers } from '../inputs'
import { predictProbabilities } from '../runs/trainLoop'
import type { JobContext, JobExecutor } from '../workers/jobIo'
import { extractFeatures } from './features'
import { computeGradCam, type GradCamJob, type GradCamResult } from './gradCam'
import { prepareInputs } from './modelInputs'
import { tsne2d, type Tsne2dOptions } from './tsne'

/** A saved classifier's outputs on a list of images: COVID+ probabilities, or encoder features. */
export interface ModelOutputsJob {
  dataFolder: string
  modelFolder: string
  images: InputImage[]
  /** How the run prepared its inputs (its preprocessing and lung model id). */
  settings: InputSettings
  /** The run's lung model (required when `settings` masks). */
  lungModel: LungModelRef | null
  /** The lung model that finds the lungs to remove in the lungs-removed variant, when the run has none. */
  lungsModel: LungModelRef | null
  variant: EvaluationVariant
  output: 'probability' | 'features'
  batchSize: number
}

/** Progress of a model-outputs job: inputs prepared, then images through the network. */
export type ModelOutputsEvent = { type: 'progress'; stage: 'preparing' | 'predicting'; done: number; total: number }

/** One row of `dimension` values per image, in the images' order. */
export interface ModelOutputs {
  values: Float32Array
  dimension: number
}

/** Runs a model-outputs job with the given lung models (a worker's own, or a test's). */
export async function computeModelOutputs(job: ModelOutputsJob, maskers: LungMaskers, emit: (event: ModelOutputsEvent) => void, shouldStop: () => boolean): Promise<ModelOutputs> {
  const inputs = await prepareInputs(job.images, {
    dataFolder: job.dataFolder,
    settings: job.settings,
    masker: job.lungModel ? maskers.for(job.lungModel) : null,
    lungsMasker: job.lungsModel ? maskers.for(job.lungsModel) : null,
    variant: job.variant,
    onImage: (done, total) => emit({ type: 'progress', stage: 'preparing', done, total }),
    shouldStop,
  })
  const size = job.settings.input.crop
  const count = job.images.length
  const model = await loadLayersModelFromFolder(job.modelFolder)
  try {
    if (job.output === 'probability') {
      const values = await predictProbabilities(model, inputs, count, size, job.batchSize)
      emit({ type: 'progress', stage: 'predicting', done: count, total: count })
      return { values, dimension: count > 0 ? values.length / count : 1 }
    }
    const rows = await extractFeatures(model, inputs, count, size, job.batchSize)
    emit({ type: 'progress', stage: 'predicting', done: count, total: count })
    const dimension = rows[0]?.length ?? 0
    const values = new Float32Array(count * dimension)
    rows.forEach((row, index) => values.set(row, index * dimension))
    return { values, dimension }
  } finally {
    model.dispose()
  }
}

const maskersOf = (context: JobContext<unknown>) => context.lungMaskers ?? createLungMaskers()

/** Probabilities or features of a saved classifier on images, in a worker. */
export const modelOutputsExecutor: JobExecutor<ModelOutputsJob, ModelOutputsEvent, ModelOutputs> = {
  label: 'evaluation',
  needsEngine: true,
  async run(job, context) {
    const maskers = maskersOf(context)
    try {
      return await computeModelOutputs(job, maskers, (event) => context.emit(event), () => context.shouldStop())
    } finally {
      if (!context.lungMaskers) maskers.dispose()
    }
  },
  transferables: (result) => [result.values.buffer as ArrayBuffer],
}

/** 2-D t-SNE of feature rows. */
export interface TsneJob {
  values: number[][]
  options: Tsne2dOptions
}

/** t-SNE in a worker: a few seconds of pure computation for a few hundred points, never on the main thread. */
export const tsneExecutor: JobExecutor<TsneJob, TsneEvent, [number, number][]> = {
  label: 't-SNE map',
  needsEngine: false,
  async run(job, context) {
    return tsne2d(job.values, job.options, (done, total) => context.emit({ type: 'progress', stage: 'mapping', done, total }))
  },
}

/** How far a t-SNE map is: iterations done of all. */
export type TsneEvent = { type: 'progress'; stage: 'mapping'; done: number; total: number }

/** Grad-CAM of one image in a worker. */
export const gradCamExecutor: JobExecutor<GradCamJob, never, GradCamResult> = {
  label: 'Grad-CAM map',
  needsEngine: true,
  async run(job, context) {
    const maskers = maskersOf(context)
    try {
      return await computeGradCam(job, maskers)
    } finally {
      if (!context.lungMaskers) maskers.dispose()
    }
  },
  transferables: (result) => [result.heatmap.buffer as ArrayBuffer],
}
