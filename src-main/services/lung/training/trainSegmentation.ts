import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { GreyImage } from '@shared/imaging/preprocess'
import { createRandom, fnv1a32, type RandomSource } from '@shared/metrics/random'
import { augmentPair, DEFAULT_AUGMENTATION, diceCoefficient, intersectionOverUnion, sampleAugmentation, threshold, type AugmentationRanges } from '@shared/lung'
import { diceBceLoss } from '../model/loss'
import { predictProbabilities } from '../model/segmentImage'
import { hasCheckpoint, loadOptimizer, loadWeightsInto, readCheckpointState, saveCheckpoint, type CheckpointState } from '../../engine/training/checkpoints'
import { initialEpochLoopState, runEpochLoop, type EpochLoopState } from '../../engine/training/epochLoop'

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
  /**
   * A folder for the training's checkpoint (after every epoch and at a stop): a training started again with the
   * same folder and options resumes from it and ends with the same model as one never stopped.
   */
  checkpointFolder?: string
  /** Told when a checkpoint was found and training continues from it (0-based epoch and step). */
  onResume?: (epoch: number, step: number) => void | Promise<void>
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

/** What a lung training saves between epochs and at a stop, beside its weights and Adam's moments. */
interface SegmentationLoopState extends EpochLoopState<SegmentationBest> {
  /** Sum of this epoch's step losses so far, so a resumed epoch reports the same mean. */
  lossSum: number
  history: EpochLog[]
  stepTimes: number[]
  /** Training time of earlier sessions of this training (a resumed one adds its own). */
  priorMs: number
}

interface SegmentationBest {
  epoch: number
  score: number
  iou: number
}

/**
 * Trains a segmentation model with Adam on (1 − soft Dice) + BCE, one seeded augmentation per example and
 * step, validating after each epoch with the Dice of the thresholded prediction: the number that is reported,
 * so early stopping selects on it. The epochs, the schedule and early stopping are the app's one training loop
 * (engine/training/epochLoop.ts), shared with the classifier. The order of an epoch and the augmentation of a step
 * are drawn from (seed, epoch, step) alone, so with `checkpointFolder` a stopped or killed training resumes
 * exactly where it was: the checkpoint is written after every epoch and at a stop. The best epoch's weights
 * (batch-norm statistics included) are restored at the end. The model is compiled here; any previous compile is
 * replaced.
 * @throws the signal's reason when aborted (after saving the checkpoint).
 */
export async function trainSegmentationModel(
  model: tf.LayersModel,
  data: { train: readonly SegmentationExample[]; validation: readonly SegmentationExample[] },
  options: SegmentationTrainingOptions,
): Promise<SegmentationTrainingResult> {
  const batchSize = options.batchSize ?? 4
  const minLearningRate = options.minLearningRate ?? 1e-5
  const initialLearningRate = options.learningRate ?? 1e-3
  const augmentation = options.augmentation === undefined ? DEFAULT_AUGMENTATION : options.augmentation
  if (data.train.length === 0) throw new Error('trainSegmentationModel: no training examples')
  if (data.validation.length === 0) throw new Error('trainSegmentationModel: no validation examples (early stopping needs them)')

  const optimizer = tf.train.adam(initialLearningRate)
  model.compile({ optimizer, loss: diceBceLoss })
  const folders = options.checkpointFolder ? { last: join(options.checkpointFolder, 'last'), best: join(options.checkpointFolder, 'best') } : null
  const began = performance.now()
  let state: SegmentationLoopState = { ...initialEpochLoopState<SegmentationBest>(initialLearningRate), lossSum: 0, history: [], stepTimes: [], priorMs: 0 }
  if (folders && hasCheckpoint(folders.last)) {
    state = await readCheckpointState<SegmentationLoopState>(folders.last)
    await loadWeightsInto(model, folders.last)
    await loadOptimizer(optimizer, folders.last)
    await options.onResume?.(state.epoch, state.step)
  }
  const batches = Math.ceil(data.train.length / batchSize)
  const elapsedMs = () => state.priorMs + performance.now() - began
  let order: number[] = []
  let epochBegan = performance.now()
  let slowestEpochMs = Math.max(0, ...state.history.map((entry) => entry.epochMs))
  // Clones outlive any tidy scope; getWeights includes batch norm's moving statistics.
  let bestWeights: tf.Tensor[] | null = null
  let latest: SegmentationBest | null = null
  const saveLast = async () => {
    if (!folders) return
    const priorMs = elapsedMs()
    await saveCheckpoint(folders.last, model, optimizer, { ...state, priorMs } as unknown as CheckpointState)
  }
  try {
    const outcome = await runEpochLoop<SegmentationBest>(
      state,
      {
        epochs: options.epochs,
        stepsPerEpoch: batches,
        schedule:
          (options.learningRateSchedule ?? 'plateau') === 'cosine'
            ? { kind: 'cosine', initial: initialLearningRate, minLearningRate, warmupEpochs: options.warmupEpochs ?? 0 }
            : (options.reduceLearningRatePatience ?? 3) > 0
              ? { kind: 'plateau', factor: 0.5, patience: options.reduceLearningRatePatience ?? 3, minLearningRate }
              : { kind: 'constant' },
        earlyStoppingPatience: options.patience ?? 8,
      },
      {
        setLearningRate: (rate) => setLearningRate(optimizer, rate),
        beginEpoch: () => {
          const elapsed = elapsedMs()
          if (state.step === 0 && options.timeBudgetMs !== undefined && state.epoch > 0 && elapsed + slowestEpochMs > options.timeBudgetMs) return false
          order = shuffledIndices(data.train.length, createRandom(fnv1a32(`${options.seed}|lung order|${state.epoch}`)))
          epochBegan = performance.now()
        },
        step: async () => {
          const members = order.slice(state.step * batchSize, (state.step + 1) * batchSize).map((index) => data.train[index])
          const augmented = augmentBatch(members, augmentation, createRandom(fnv1a32(`${options.seed}|lung augmentation|${state.epoch}|${state.step}`)))
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
          state.stepTimes.push(stepMs)
          state.lossSum += loss
          await options.onBatchEnd?.({ epoch: state.epoch, batch: state.step, batches, loss, stepMs })
        },
        validate: async () => {
          const { dice, iou } = await validate(model, data.validation)
          latest = { epoch: state.epoch, score: dice, iou }
          return latest
        },
        keepBest: async () => {
          bestWeights?.forEach((tensor) => tensor.dispose())
          bestWeights = model.getWeights().map((weight) => weight.clone())
          if (folders) await saveCheckpoint(folders.best, model, null, { epoch: state.epoch })
        },
        endEpoch: async () => {
          // The loop has advanced to the next epoch: this log is of the one just validated.
          const epoch = state.epoch - 1
          const validated = latest!
          const epochMs = performance.now() - epochBegan
          slowestEpochMs = Math.max(slowestEpochMs, epochMs)
          const log: EpochLog = { epoch, trainLoss: state.lossSum / batches, valDice: validated.score, valIoU: validated.iou, improved: state.best?.epoch === epoch, learningRate: currentLearningRate(optimizer), epochMs, elapsedMs: elapsedMs() }
          state.history.push(log)
          state.lossSum = 0
          await saveLast()
          await options.onEpochEnd?.(log)
        },
        shouldStop: () => options.signal?.aborted ?? false,
        saveStopped: saveLast,
      },
    )
    if (outcome === 'stopped') throw options.signal?.reason ?? new DOMException('Training was cancelled', 'AbortError')
    const best = state.best
    if (!best) throw new Error('trainSegmentationModel: no epoch completed (epochs must be ≥ 1)')
    if (bestWeights) model.setWeights(bestWeights)
    else if (folders) await loadWeightsInto(model, folders.best)
    return {
      history: state.history,
      bestEpoch: best.epoch,
      bestValDice: best.score,
      bestValIoU: best.iou,
      epochsRun: state.history.length,
      stopReason: state.stopped === 'early' ? 'early-stopping' : state.stopped === 'time-budget' ? 'time-budget' : 'epochs',
      trainingMs: elapsedMs(),
      medianStepMs: median(state.stepTimes),
    }
  } finally {
    ;(bestWeights as tf.Tensor[] | null)?.forEach((tensor) => tensor.dispose())
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

function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
