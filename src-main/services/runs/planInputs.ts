import { access } from 'node:fs/promises'
import { cachedInputSet, isCached, startPreparation, type InputCacheLayout, type InputImage, type InputSet, type PrepareChunk, type PreparationCounts } from '../inputs'
import type { DataPlan, PlannedImage } from './dataPlan'
import { epochOrder } from './random'
import { RunFailure } from './runFailure'

/** A phase's train and validation splits, read from the input cache batch by batch. */
export interface PlanInputs {
  train: InputSet
  validation: InputSet
}

/** How a plan's missing inputs are prepared: lanes (workers in the app) and how one lane prepares its images. */
export interface PlanPreparation {
  lanes: number
  prepare: PrepareChunk
}

/** How a message names a planned image. */
export function describePlannedImage(image: PlannedImage): string {
  return `image ${image.imageId} of dataset "${image.datasetId}"`
}

/** Every plan's inputs, and the preparation that fills the cache with those not in it yet. */
export interface RunInputs {
  plans: PlanInputs[]
  /** Resolves once every input is in the cache, with the counts. */
  prepared: Promise<PreparationCounts>
  stop(): void
  /** Inputs not in the cache yet, and the lanes preparing them. */
  missing: number
  lanes: number
}

/**
 * The inputs of a run's plans through the input cache. Every file is checked to exist first, so a deleted image
 * fails the run naming the file even when its input is cached: the run's provenance must name files that exist.
 * Inputs not cached yet are prepared on the given lanes in the order training will first read them (the first
 * epoch of the first phase, then validation, then the next phase), so training starts as soon as its first batch
 * is ready; a batch waits only for its own images. Memory holds labels and file names, never the pixels of a split.
 */
export async function planInputSets(plans: { plan: DataPlan; phase: 'pretrain' | 'finetune' }[], layout: InputCacheLayout, seed: number, preparation: PlanPreparation, onImage?: (done: number, total: number) => void): Promise<RunInputs> {
  for (const { plan } of plans) {
    for (const image of plan.images) {
      try {
        await access(image.path)
      } catch {
        throw new RunFailure(`the file of ${describePlannedImage(image)} is missing: ${image.path}; re-import the dataset or rebuild the composition`)
      }
    }
  }
  // One list of every distinct image (a content hash once), in the order it is first needed.
  const images: InputImage[] = []
  const positionOf = new Map<string, number>()
  const add = (image: PlannedImage) => {
    if (!positionOf.has(image.contentHash)) {
      positionOf.set(image.contentHash, images.length)
      images.push({ path: image.path, contentHash: image.contentHash, description: describePlannedImage(image) })
    }
    return positionOf.get(image.contentHash)!
  }
  const splits = plans.map(({ plan, phase }) => {
    const train = plan.images.filter((image) => image.split === 'train')
    const validation = plan.images.filter((image) => image.split === 'validation')
    const firstEpoch = epochOrder(train.length, seed, phase, 0)
    for (const index of firstEpoch) add(train[index])
    for (const image of validation) add(image)
    return { train, validation }
  })
  const missing = images.flatMap((image, index) => (isCached(layout.cacheFileOf(image)) ? [] : [index]))
  const running = startPreparation(images, missing, preparation.prepare, { parallelism: preparation.lanes, onItem: onImage })
  const setOf = (split: PlannedImage[]) =>
    cachedInputSet(
      split.map((image) => layout.cacheFileOf(images[positionOf.get(image.contentHash)!])),
      Int32Array.from(split.map((image) => image.label)),
      layout.size,
      (item) => running.ready(positionOf.get(split[item].contentHash)!),
    )
  return {
    plans: splits.map(({ train, validation }) => ({ train: setOf(train), validation: setOf(validation) })),
    prepared: running.done,
    stop: () => running.stop(),
    missing: running.missing,
    lanes: running.lanes,
  }
}
