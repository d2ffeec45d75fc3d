import * as tf from '@tensorflow/tfjs'
import type { RunConfig } from '@shared/runs/config'
import type { EpochMetrics, RunProgress } from '@shared/runs/record'
import { rocAuc } from '@shared/metrics/auc'
import type { InputSet } from '../inputs/inputSet'
import { augmentBatch } from './augment'
import { classificationLoss, kernelL2 } from './losses'
import { decayedKernels } from './models'
import { batchIndices, epochOrder, stepsPerEpoch } from './random'
import { RunFailure } from './runFailure'
import { initialEpochLoopState, runEpochLoop, type EpochLoopState } from '../engine/training/epochLoop'


/** The loop's state between steps: everything a resumed run needs to continue as if never stopped. */
export interface LoopState extends EpochLoopState<ClassifierBest> {
  phase: 'pretrain' | 'finetune'
  /** Sum and count of this epoch's step data losses so far, so a resumed epoch reports the same mean. */
  lossSum: number
  lossCount: number
  /** Sum of this epoch's weight-decay penalties (absent in checkpoints written before it was logged). */
  penaltySum?: number
  /** Every finished epoch of the run, both phases. */
  history: EpochMetrics[]
}

/** The best epoch of a phase, by the checkpoint metric (AUC, or −loss when validation has one class only). */
export interface ClassifierBest {
  epoch: number
  valAuc: number | null
  valLoss: number
  score: number
}

/** The fresh state of a phase. */
export function initialLoopState(phase: LoopState['phase'], learningRate: number, history: EpochMetrics[] = []): LoopState {
  return { ...initialEpochLoopState<ClassifierBest>(learningRate), phase, lossSum: 0, lossCount: 0, penaltySum: 0, history }
}

/** Settings of one phase of training (pre-training or fine-tuning). */
export interface PhaseSettings {
  epochs: number
  batchSize: number
  seed: number
  loss: RunConfig['loss']
  /** Loss weight per class index. */
  classWeights: number[]
  weightDecay: number
  augmentation: RunConfig['augmentation']
  reduceOnPlateau: RunConfig['reduceOnPlateau']
  earlyStoppingPatience: number | null
  checkpointMetric: RunConfig['checkpointMetric']
  checkpointEverySteps: number
}

/** What the loop tells its caller. Every hook may be async; the loop awaits it. */
export interface LoopHooks {
  /** After each step: progress, and the item indices the step trained on (tests compare the sequence). */
  onStep?(progress: RunProgress, indices: readonly number[]): void | Promise<void>
  /** After each epoch's validation, before the checkpoint. */
  onEpoch?(metrics: EpochMetrics): void | Promise<void>
  /** Save a resumable checkpoint of model, optimizer and state. */
  saveLast(state: LoopState): Promise<void>
  /** Save the model as the best so far. */
  saveBest(state: LoopState): Promise<void>
  /** Polled before each step: true stops after saving a checkpoint. */
  shouldStop(): boolean
}

/** How a phase ended. */
export type LoopOutcome = 'completed' | 'stopped'

/**
 * Trains `model` for one phase from `state` (fresh or restored), with seeded data order per epoch, per-step
 * progress, validation each epoch, best-checkpoint selection, reduce-on-plateau and early stopping (the shared
 * epoch loop). A loss that is not finite throws a {@link RunFailure}: continuing would only save NaN weights.
 */
export async function runTrainingLoop(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  train: InputSet,
  validation: InputSet,
  settings: PhaseSettings,
  state: LoopState,
  hooks: LoopHooks,
): Promise<LoopOutcome> {
  const steps = stepsPerEpoch(train.count, settings.batchSize)
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable)
  const kernels = settings.weightDecay > 0 ? decayedKernels(model) : []
  // tfjs passes `training` to every layer and batch norm updates its moving statistics in training mode even
  // when not trainable. A frozen encoder (its batch norms not trainable) therefore runs in inference mode, as
  // in Keras; the head (dense layers only) computes the same either way.
  const training = !model.layers.some((layer) => layer.getClassName() === 'BatchNormalization' && !layer.trainable)
  const timing = { began: performance.now(), steps: 0, images: 0 }
  let epochBegan = performance.now()
  let order: number[] = []
  // The next batch is read while this one trains: file reads run on Node's thread pool meanwhile.
  let upcoming: Promise<Float32Array> | null = null
  const readAhead = (step: number) => {
    upcoming = step < steps ? train.read(batchIndices(order, step, settings.batchSize)) : null
    upcoming?.catch(() => undefined)
  }
  let lastIndices: number[] = []
  let lastStepLoss = Number.NaN
  return runEpochLoop<ClassifierBest>(
    state,
    {
      epochs: settings.epochs,
      stepsPerEpoch: steps,
      schedule: settings.reduceOnPlateau ? { kind: 'plateau', ...settings.reduceOnPlateau } : { kind: 'constant' },
      earlyStoppingPatience: settings.earlyStoppingPatience,
    },
    {
      setLearningRate: (rate) => setLearningRate(optimizer, rate),
      beginEpoch: () => {
        order = epochOrder(train.count, settings.seed, state.phase, state.epoch)
        readAhead(state.step)
      },
      step: async () => {
        const indices = batchIndices(order, state.step, settings.batchSize)
        const read = await (upcoming ?? train.read(indices))
        readAhead(state.step + 1)
        const labels = new Int32Array(indices.length)
        indices.forEach((item, position) => (labels[position] = train.labels[item]))
        const batch = augmentBatch(read, indices.length, train.size, settings.augmentation, [settings.seed, state.phase, state.epoch, state.step])
        // The step minimises data loss + weight-decay penalty; the two are read apart so the log shows a BCE that
        // can be compared with chance (ln 2 ≈ 0.69), not one inflated by the L2 term.
        let dataLossTensor: tf.Scalar | null = null
        const totalTensor = tf.tidy(() => {
          const xs = tf.tensor4d(batch, [indices.length, train.size, train.size, 1])
          const ys = tf.tensor1d(labels, 'int32')
          return optimizer.minimize(
            () => {
              const predictions = model.apply(xs, { training }) as tf.Tensor
              const loss = classificationLoss(predictions, ys, settings.classWeights, settings.loss)
              dataLossTensor = tf.keep(loss.clone())
              return kernels.length > 0 ? (loss.add(kernelL2(kernels).mul(settings.weightDecay / 2)) as tf.Scalar) : loss
            },
            true,
            variables,
          ) as tf.Scalar
        })
        const [loss, total] = await Promise.all([(dataLossTensor as unknown as tf.Scalar).data(), totalTensor.data()]).then(([data, all]) => [data[0], all[0]])
        ;(dataLossTensor as unknown as tf.Scalar).dispose()
        totalTensor.dispose()
        if (!Number.isFinite(total)) {
          throw new RunFailure(
            `the training loss became ${total} at ${state.phase} epoch ${state.epoch + 1}, step ${state.step + 1} (learning rate ${state.learningRate}); ` +
              'training stopped: lower the learning rate or check the inputs',
          )
        }
        state.lossSum += loss
        state.penaltySum = (state.penaltySum ?? 0) + (total - loss)
        state.lossCount += 1
        timing.steps += 1
        timing.images += indices.length
        lastIndices = indices
        lastStepLoss = loss
      },
      afterStep: async () => {
        const seconds = (performance.now() - timing.began) / 1000
        const remainingSteps = (settings.epochs - state.epoch - 1) * steps + (steps - state.step)
        await hooks.onStep?.(
          {
            phase: state.phase,
            epoch: state.epoch,
            epochs: settings.epochs,
            step: state.step,
            stepsPerEpoch: steps,
            imagesPerSecond: seconds > 0 ? timing.images / seconds : 0,
            // Too few steps timed say little (the first includes warm-up): no ETA until three.
            etaSeconds: timing.steps >= 3 ? (remainingSteps * seconds) / timing.steps : null,
            loss: lastStepLoss,
          },
          lastIndices,
        )
        if (settings.checkpointEverySteps > 0 && state.step < steps && state.step % settings.checkpointEverySteps === 0) await hooks.saveLast(state)
      },
      validate: async () => {
        const { valLoss, valAuc } = await validate(model, validation, settings)
        const metrics: EpochMetrics = {
          phase: state.phase,
          epoch: state.epoch,
          trainLoss: state.lossCount > 0 ? state.lossSum / state.lossCount : Number.NaN,
          trainPenalty: state.lossCount > 0 ? (state.penaltySum ?? 0) / state.lossCount : 0,
          valLoss,
          valAuc,
          learningRate: state.learningRate,
          seconds: (performance.now() - epochBegan) / 1000,
        }
        if (!Number.isFinite(valLoss)) throw new RunFailure(`the validation loss became ${valLoss} after ${state.phase} epoch ${state.epoch + 1}: the weights diverged; lower the learning rate`)
        state.history.push(metrics)
        await hooks.onEpoch?.(metrics)
        // Higher is better for both scores; AUC falls back to −loss when validation has one class only.
        const score = settings.checkpointMetric === 'valAuc' && valAuc !== null ? valAuc : -valLoss
        return { epoch: state.epoch, valAuc, valLoss, score }
      },
      keepBest: () => hooks.saveBest(state),
      endEpoch: async () => {
        state.lossSum = 0
        state.penaltySum = 0
        state.lossCount = 0
        await hooks.saveLast(state)
        epochBegan = performance.now()
      },
      shouldStop: () => hooks.shouldStop(),
      saveStopped: () => hooks.saveLast(state),
    },
  )
}

/** Validation loss (unweighted by augmentation, weighted by class as training) and AUC over the whole split. */
export async function validate(model: tf.LayersModel, set: InputSet, settings: Pick<PhaseSettings, 'batchSize' | 'classWeights' | 'loss'>): Promise<{ valLoss: number; valAuc: number | null; probabilities: Float32Array }> {
  const probabilities = await predictSetProbabilities(model, set, settings.batchSize)
  const units = probabilities.length / Math.max(1, set.count)
  if (!probabilities.every(Number.isFinite)) throw new RunFailure('the network outputs became NaN on the validation split: the weights diverged; lower the learning rate or check the inputs')
  const valLoss = tf.tidy(() => {
    const predictions = tf.tensor2d(probabilities, [set.count, units])
    return classificationLoss(predictions, tf.tensor1d(set.labels, 'int32'), settings.classWeights, settings.loss).dataSync()[0]
  })
  // Binary: AUC of COVID+. Three classes: AUC of pneumonia (bacteria or virus) against normal, 1 − p(normal).
  const scores = new Float64Array(set.count)
  const binaryLabels = new Uint8Array(set.count)
  for (let item = 0; item < set.count; item++) {
    scores[item] = units === 1 ? probabilities[item] : 1 - probabilities[item * units]
    binaryLabels[item] = set.labels[item] > 0 ? 1 : 0
  }
  const auc = rocAuc(binaryLabels, scores).auc
  return { valLoss, valAuc: Number.isFinite(auc) ? auc : null, probabilities }
}

/** Model outputs for every item of a set, read and predicted batch by batch, as one flat array ([count × units]). */
export async function predictSetProbabilities(model: tf.LayersModel, set: InputSet, batchSize: number): Promise<Float32Array> {
  const chunks: Float32Array[] = []
  for (let start = 0; start < set.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(set.count, start + batchSize) - start }, (_, offset) => start + offset)
    chunks.push(await predictProbabilities(model, await set.read(indices), indices.length, set.size, batchSize))
  }
  return concatenate(chunks)
}

/** Model outputs for `count` images, in batches, as one flat array ([count × units]); frees every tensor. */
export async function predictProbabilities(model: tf.LayersModel, images: Float32Array, count: number, size: number, batchSize: number): Promise<Float32Array> {
  const area = size * size
  const chunks: Float32Array[] = []
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize)
    const output = tf.tidy(() => model.predict(tf.tensor4d(images.subarray(start * area, end * area), [end - start, size, size, 1])) as tf.Tensor)
    try {
      chunks.push((await output.data()) as Float32Array)
    } finally {
      output.dispose()
    }
  }
  return concatenate(chunks)
}

function concatenate(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/** Sets the learning rate of SGD/momentum (through `setLearningRate`) or Adam (its field). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const target = optimizer as unknown as { setLearningRate?: (rate: number) => void; learningRate: number }
  if (typeof target.setLearningRate === 'function') target.setLearningRate(learningRate)
  else target.learningRate = learningRate
}

/** The optimizer a configuration asks for. */
export function createOptimizer(config: Pick<RunConfig, 'optimizer'>, learningRate: number): tf.Optimizer {
  return config.optimizer.kind === 'sgd'
    ? tf.train.momentum(learningRate, config.optimizer.momentum)
    : tf.train.adam(learningRate, config.optimizer.beta1, config.optimizer.beta2)
}

/** Loss weight per class: all 1, inverse class frequency of the training split (mean 1), or the configured pair. */
export function resolveClassWeights(weights: RunConfig['classWeights'], labels: Int32Array, classes: number): number[] {
  if (weights === 'none') return Array.from({ length: classes }, () => 1)
  if (weights !== 'balanced') return classes === 2 ? [weights.negative, weights.positive] : Array.from({ length: classes }, () => 1)
  const counts = new Array<number>(classes).fill(0)
  for (const label of labels) counts[label] += 1
  const present = counts.filter((count) => count > 0).length
  return counts.map((count) => (count > 0 ? labels.length / (present * count) : 0))
}
