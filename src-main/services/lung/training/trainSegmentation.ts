import * as tf from '@tensorflow/tfjs'
import type { GreyImage } from '@shared/imaging/preprocess'
import { createRandom, type RandomSource } from '@shared/metrics/random'
import { augmentPair, DEFAULT_AUGMENTATION, diceCoefficient, intersectionOverUnion, sampleAugmentation, threshold, type AugmentationRanges } from '@shared/lung'
import { diceBceLoss } from '../model/loss'
import { predictProbabilities } from '../model/segmentImage'

/** One training example at the network size: image in [0, 1], mask 0/1. */
export interface SegmentationExample {
  image: GreyImage
  mask: GreyImage
}

/** Options of {@link trainSegmentationModel}. */
export interface SegmentationTrainingOptions {
  /** Maximum number of epochs. */
  epochs: number
  /** Images per step (default 4). */
  batchSize?: number
  /** Adam's initial learning rate (default 1e-3). */
  learningRate?: number
  /** Seeds the shuffling and the augmentation. */
  seed: number
  /** Augmentation ranges, or null for none (default {@link DEFAULT_AUGMENTATION}). */
  augmentation?: AugmentationRanges | null
  /** Stop after this many epochs without a better validation Dice (default 8); best weights are restored. */
  patience?: number
  /** Halve the learning rate after this many epochs without improvement (default 3; 0 disables). Plateau schedule only. */
  reduceLearningRatePatience?: number
  /** Lowest learning rate the schedule reaches (default 1e-5). */
  minLearningRate?: number
  /** How the learning rate changes over epochs (default `plateau`); see {@link LearningRateSchedule}. */
  learningRateSchedule?: LearningRateSchedule
  /** Epochs of linear warm-up from a tenth of the rate, cosine schedule only (default 0). */
  warmupEpochs?: number
  /**
   * Wall-time budget in ms. Training stops before an epoch that would probably end past it (judged by the
   * slowest epoch so far), so a run on a shared machine finishes on time.
   */
  timeBudgetMs?: number
  /** Cancels training between steps; the returned promise rejects with the signal's reason. */
  signal?: AbortSignal
  /** After every step. */
  onBatchEnd?: (log: BatchLog) => void | Promise<void>
  /** After every epoch's validation. */
  onEpochEnd?: (log: EpochLog) => void | Promise<void>
}

/**
 * `plateau`: halve the rate after `reduceLearningRatePatience` epochs without a better validation Dice.
 * `cosine`: from the initial rate down to the minimum along half a cosine over `epochs` (Loshchilov & Hutter,
 * SGDR, ICLR 2017, without restarts), after an optional linear warm-up; set at the start of each epoch.
 */
export type LearningRateSchedule = 'plateau' | 'cosine'

/** Reported after each step. */
export interface BatchLog {
  /** 0-based. */
  epoch: number
  /** 0-based within the epoch. */
  batch: number
  batches: number
  loss: number
  stepMs: number
}

/** Reported after each epoch. */
export interface EpochLog {
  /** 0-based. */
  epoch: number
  /** Mean loss of the epoch's steps (Dice + BCE, on augmented images). */
  trainLoss: number
  /** Mean Dice of the thresholded (0.5) prediction on the validation images, at network size. */
  valDice: number
  valIoU: number
  /** True when this epoch is the best so far (its weights are kept). */
  improved: boolean
  learningRate: number
  epochMs: number
  elapsedMs: number
}

/** Why training ended. */
export type StopReason = 'epochs' | 'early-stopping' | 'time-budget'

/** Outcome of {@link trainSegmentationModel}; the model holds the best epoch's weights. */
export interface SegmentationTrainingResult {
  history: EpochLog[]
  /** 0-based epoch whose weights the model now holds. */
  bestEpoch: number
  bestValDice: number
  bestValIoU: number
  epochsRun: number
  stopReason: StopReason
  trainingMs: number
  /** Median ms per training step (one batch), for the model card and budget planning. */
  medianStepMs: number
}

/**
 * Trains a segmentation model with Adam on (1 − soft Dice) + BCE, one seeded augmentation per example and
 * step, validating after each epoch with the Dice of the thresholded prediction: the number that is reported,
 * so early stopping selects on it. The best epoch's weights (batch-norm statistics included) are restored at
 * the end. The model is compiled here; any previous compile is replaced.
 * @throws the signal's reason when aborted.
 */
export async function trainSegmentationModel(
  model: tf.LayersModel,
  data: { train: readonly SegmentationExample[]; validation: readonly SegmentationExample[] },
  options: SegmentationTrainingOptions,
): Promise<SegmentationTrainingResult> {
  const batchSize = options.batchSize ?? 4
  const patience = options.patience ?? 8
  const reducePatience = options.reduceLearningRatePatience ?? 3
  const minLearningRate = options.minLearningRate ?? 1e-5
  const schedule = options.learningRateSchedule ?? 'plateau'
  const initialLearningRate = options.learningRate ?? 1e-3
  const augmentation = options.augmentation === undefined ? DEFAULT_AUGMENTATION : options.augmentation
  if (data.train.length === 0) throw new Error('trainSegmentationModel: no training examples')
  if (data.validation.length === 0) throw new Error('trainSegmentationModel: no validation examples (early stopping needs them)')

  const optimizer = tf.train.adam(initialLearningRate)
  model.compile({ optimizer, loss: diceBceLoss })
  const random = createRandom(options.seed)
  const began = performance.now()
  const history: EpochLog[] = []
  const stepTimes: number[] = []
  let best: { epoch: number; dice: number; iou: number; weights: tf.Tensor[] } | undefined
  let sinceImprovement = 0
  let sinceReduction = 0
  let stopReason: StopReason = 'epochs'
  let slowestEpochMs = 0
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const elapsed = performance.now() - began
      if (options.timeBudgetMs !== undefined && epoch > 0 && elapsed + slowestEpochMs > options.timeBudgetMs) {
        stopReason = 'time-budget'
        break
      }
      if (schedule === 'cosine') setLearningRate(optimizer, cosineLearningRate(epoch, options.epochs, initialLearningRate, minLearningRate, options.warmupEpochs ?? 0))
      const epochBegan = performance.now()
      const order = shuffledIndices(data.train.length, random)
      const batches = Math.ceil(order.length / batchSize)
      let lossSum = 0
      for (let batch = 0; batch < batches; batch++) {
        throwIfAborted(options.signal)
        const members = order.slice(batch * batchSize, (batch + 1) * batchSize).map((index) => data.train[index])
        const augmented = augmentBatch(members, augmentation, random)
        const stepBegan = performance.now()
        const { images: xs, masks: ys } = examplesToTensors(augmented)
        let loss: number
        try {
          const result = await model.trainOnBatch(xs, ys)
          loss = Array.isArray(result) ? result[0] : result
        } finally {
          xs.dispose()
          ys.dispose()
        }
        const stepMs = performance.now() - stepBegan
        stepTimes.push(stepMs)
        lossSum += loss
        await options.onBatchEnd?.({ epoch, batch, batches, loss, stepMs })
      }
      throwIfAborted(options.signal)
      const { dice, iou } = await validate(model, data.validation)
      const improved = !best || dice > best.dice
      if (improved) {
        best?.weights.forEach((tensor) => tensor.dispose())
        // Clones outlive any tidy scope; getWeights includes batch norm's moving statistics.
        best = { epoch, dice, iou, weights: model.getWeights().map((weight) => weight.clone()) }
        sinceImprovement = 0
        sinceReduction = 0
      } else {
        sinceImprovement++
        sinceReduction++
      }
      const learningRate = currentLearningRate(optimizer)
      const epochMs = performance.now() - epochBegan
      slowestEpochMs = Math.max(slowestEpochMs, epochMs)
      const log: EpochLog = { epoch, trainLoss: lossSum / batches, valDice: dice, valIoU: iou, improved, learningRate, epochMs, elapsedMs: performance.now() - began }
      history.push(log)
      await options.onEpochEnd?.(log)
      if (sinceImprovement >= patience) {
        stopReason = 'early-stopping'
        break
      }
      if (schedule === 'plateau' && reducePatience > 0 && sinceReduction >= reducePatience && learningRate > minLearningRate) {
        setLearningRate(optimizer, Math.max(minLearningRate, learningRate / 2))
        sinceReduction = 0
      }
    }
    if (!best) throw new Error('trainSegmentationModel: no epoch completed (epochs must be ≥ 1)')
    model.setWeights(best.weights)
    return {
      history,
      bestEpoch: best.epoch,
      bestValDice: best.dice,
      bestValIoU: best.iou,
      epochsRun: history.length,
      stopReason,
      trainingMs: performance.now() - began,
      medianStepMs: median(stepTimes),
    }
  } finally {
    best?.weights.forEach((tensor) => tensor.dispose())
    optimizer.dispose()
  }
}

/** Mean Dice and IoU of the thresholded predictions against the masks, at network size. */
export async function validate(model: tf.LayersModel, examples: readonly SegmentationExample[]): Promise<{ dice: number; iou: number }> {
  const probabilities = await predictProbabilities(model, examples.map((example) => example.image))
  let dice = 0
  let iou = 0
  probabilities.forEach((probability, index) => {
    const predicted = threshold(probability, 0.5)
    const truth = threshold(examples[index].mask, 0.5)
    dice += diceCoefficient(predicted, truth)
    iou += intersectionOverUnion(predicted, truth)
  })
  return { dice: dice / examples.length, iou: iou / examples.length }
}

/**
 * Stacks network-sized examples into an image batch and a mask batch, [n, size, size, 1] each; the caller
 * owns (and disposes) both tensors.
 */
export function examplesToTensors(examples: readonly SegmentationExample[]): { images: tf.Tensor4D; masks: tf.Tensor4D } {
  if (examples.length === 0) throw new RangeError('examplesToTensors: no examples')
  const { width, height } = examples[0].image
  const pixels = width * height
  const images = new Float32Array(examples.length * pixels)
  const masks = new Float32Array(examples.length * pixels)
  examples.forEach((example, index) => {
    for (const part of [example.image, example.mask]) {
      if (part.width !== width || part.height !== height) throw new RangeError(`examplesToTensors: example ${index} is ${part.width}x${part.height}, the first is ${width}x${height}`)
    }
    images.set(example.image.data, index * pixels)
    masks.set(example.mask.data, index * pixels)
  })
  return { images: tf.tensor4d(images, [examples.length, height, width, 1]), masks: tf.tensor4d(masks, [examples.length, height, width, 1]) }
}

function augmentBatch(members: readonly SegmentationExample[], augmentation: AugmentationRanges | null, random: RandomSource): SegmentationExample[] {
  if (!augmentation) return [...members]
  return members.map((example) => augmentPair(example.image, example.mask, sampleAugmentation(random, example.image.width, example.image.height, augmentation)))
}

/** Fisher–Yates with the seeded source. */
function shuffledIndices(count: number, random: RandomSource): number[] {
  const order = Array.from({ length: count }, (_, index) => index)
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1))
    ;[order[index], order[other]] = [order[other], order[index]]
  }
  return order
}

// tfjs's Adam keeps its rate in a `protected learningRate` field that `applyGradients` reads at every step;
// there is no public setter, and a new optimizer would lose the moment estimates.
type WithLearningRate = { learningRate: number }

function currentLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as WithLearningRate).learningRate
}

function setLearningRate(optimizer: tf.Optimizer, value: number): void {
  ;(optimizer as unknown as WithLearningRate).learningRate = value
}

/** The cosine schedule's rate for a 0-based epoch (see {@link LearningRateSchedule}). */
export function cosineLearningRate(epoch: number, epochs: number, initial: number, minimum: number, warmupEpochs = 0): number {
  if (epoch < warmupEpochs) return initial * (0.1 + (0.9 * epoch) / warmupEpochs)
  const span = Math.max(1, epochs - warmupEpochs - 1)
  const progress = Math.min(1, (epoch - warmupEpochs) / span)
  return minimum + 0.5 * (initial - minimum) * (1 + Math.cos(Math.PI * progress))
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('Training was cancelled', 'AbortError')
}

function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
