import { access } from 'node:fs/promises'
import type { InputPipeline } from '../inputs'
import type { DataPlan, PlannedImage } from './dataPlan'
import { RunFailure } from './runFailure'
import type { TensorSet } from './trainLoop'

/** A plan's train and validation splits as tensors-to-be. */
export interface PlanInputs {
  train: TensorSet
  validation: TensorSet
  /** Images read from the cache, and prepared now. */
  cached: number
  prepared: number
  /** Images in which `full` preprocessing found no lungs (trained unmasked). */
  unmasked: number
}

/** Options of {@link loadPlanInputs}. */
export interface LoadPlanInputsOptions {
  /** After each image (prepared or read from the cache). */
  onImage?: (done: number, total: number, cached: boolean) => void
  shouldStop?: () => boolean
}

/** How a message names a planned image. */
export function describePlannedImage(image: PlannedImage): string {
  return `image ${image.imageId} of dataset "${image.datasetId}"`
}

/**
 * Loads every image of a plan at the model input size through the input pipeline, in the plan's order (which
 * the composition fixes), so the same plan always gives the same tensors whichever images were cached. Every
 * file is checked to exist first, so a deleted image fails the run naming the file even when its input is
 * cached: the run's provenance must name files that exist.
 */
export async function loadPlanInputs(plan: DataPlan, pipeline: InputPipeline, options: LoadPlanInputsOptions = {}): Promise<PlanInputs> {
  for (const image of plan.images) {
    try {
      await access(image.path)
    } catch {
      throw new RunFailure(`the file of ${describePlannedImage(image)} is missing: ${image.path}; re-import the dataset or rebuild the composition`)
    }
  }
  const area = pipeline.size * pipeline.size
  const bySplit = { train: plan.images.filter((image) => image.split === 'train'), validation: plan.images.filter((image) => image.split === 'validation') }
  const sets = { train: emptySet(bySplit.train.length, pipeline.size), validation: emptySet(bySplit.validation.length, pipeline.size) }
  const counters = { cached: 0, prepared: 0, unmasked: 0, done: 0 }
  for (const split of ['train', 'validation'] as const) {
    for (const [index, image] of bySplit[split].entries()) {
      if (options.shouldStop?.()) throw new RunFailure('cancelled while preparing inputs')
      let prepared
      try {
        prepared = await pipeline.prepare({ path: image.path, contentHash: image.contentHash, description: describePlannedImage(image) })
      } catch (error) {
        throw new RunFailure((error as Error).message)
      }
      if (prepared.cached) counters.cached += 1
      else counters.prepared += 1
      if (!prepared.masked) counters.unmasked += 1
      sets[split].images.set(prepared.pixels, index * area)
      sets[split].labels[index] = image.label
      counters.done += 1
      options.onImage?.(counters.done, plan.images.length, prepared.cached)
    }
  }
  return { ...sets, cached: counters.cached, prepared: counters.prepared, unmasked: counters.unmasked }
}

function emptySet(count: number, size: number): TensorSet {
  return { images: new Float32Array(count * size * size), labels: new Int32Array(count), count, size }
}
