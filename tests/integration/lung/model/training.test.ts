import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { examplesToTensors, trainSegmentationModel, validate, type BatchLog, type EpochLog } from '../../../../src-main/services/lung/training/trainSegmentation'
import { buildUNet } from '../../../../src-main/services/lung/model/unet'
import { diceBceLoss, softDice } from '../../../../src-main/services/lung/model/loss'
import { syntheticBlobs } from './syntheticBlobs'
import { cosineLearningRate as cosineRate } from '../../../../src-main/services/engine/training/epochLoop'

const SIZE = 32
const train = syntheticBlobs(16, SIZE, 1)
const validation = syntheticBlobs(4, SIZE, 2)

beforeAll(async () => {
  await initWasmBackend()
})

describe('loss', () => {
  it('soft Dice is 1 for a perfect prediction and the loss is then the (tiny) cross-entropy', () => {
    const truth = tf.tensor4d([1, 0, 0, 1], [1, 2, 2, 1])
    expect(softDice(truth, truth).dataSync()[0]).toBeCloseTo(1, 6)
    expect(diceBceLoss(truth, truth).dataSync()[0]).toBeLessThan(1e-3)
    // Prediction 0.5 everywhere: Dice (2·1 + 1)/(2 + 2 + 1) = 0.6; BCE = ln 2.
    const half = tf.fill([1, 2, 2, 1], 0.5)
    expect(diceBceLoss(truth, half).dataSync()[0]).toBeCloseTo(1 - 0.6 + Math.log(2), 4)
    tf.dispose([truth, half])
  })
})

describe('trainSegmentationModel', () => {
  it('a tiny U-Net learns synthetic blobs on wasm: loss falls, Dice rises, callbacks fire, best weights restored', async () => {
    const model = buildUNet({ inputSize: SIZE, depth: 2, baseFilters: 4, seed: 3 })
    const batches: BatchLog[] = []
    const epochs: EpochLog[] = []
    const before = tf.memory().numTensors
    const result = await trainSegmentationModel(model, { train, validation }, {
      epochs: 8,
      batchSize: 4,
      learningRate: 0.01,
      seed: 4,
      patience: 8,
      onBatchEnd: (log) => {
        batches.push(log)
      },
      onEpochEnd: (log) => {
        epochs.push(log)
      },
    })
    expect(batches).toHaveLength(8 * 4)
    expect(epochs.map((log) => log.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(epochs[7].trainLoss).toBeLessThan(epochs[0].trainLoss * 0.8)
    expect(result.bestValDice).toBeGreaterThan(0.8)
    expect(result.bestValDice).toBe(Math.max(...epochs.map((log) => log.valDice)))
    // The model now holds the best epoch's weights: validating again gives its Dice.
    expect((await validate(model, validation)).dice).toBeCloseTo(result.bestValDice, 6)
    expect(result.stopReason).toBe('epochs')
    // Training leaves only the model's own variables behind (the optimizer's are freed).
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
  })

  it('stops early and reports why', async () => {
    // A learning rate of ~0 cannot improve after the first epoch, so patience 2 stops at epoch 3 (without batch norm,
    // whose running statistics would still move and could nudge the validation score).
    const model = buildUNet({ inputSize: SIZE, depth: 1, baseFilters: 2, seed: 5, batchNorm: false })
    const result = await trainSegmentationModel(model, { train: train.slice(0, 4), validation }, { epochs: 10, learningRate: 1e-9, seed: 1, patience: 2, augmentation: null })
    expect(result.stopReason).toBe('early-stopping')
    expect(result.epochsRun).toBe(3)
    expect(result.bestEpoch).toBe(0)
    model.dispose()
  })

  it('cancels through an AbortSignal', async () => {
    const model = buildUNet({ inputSize: SIZE, depth: 1, baseFilters: 2, seed: 6 })
    const controller = new AbortController()
    const before = tf.memory().numTensors
    const training = trainSegmentationModel(model, { train, validation }, {
      epochs: 50,
      seed: 1,
      signal: controller.signal,
      onBatchEnd: ({ batch }) => {
        if (batch === 1) controller.abort(new Error('user cancelled'))
      },
    })
    await expect(training).rejects.toThrow('user cancelled')
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
  })

  it('is reproducible for a seed', async () => {
    const run = async () => {
      const model = buildUNet({ inputSize: SIZE, depth: 1, baseFilters: 2, seed: 7 })
      const result = await trainSegmentationModel(model, { train: train.slice(0, 8), validation }, { epochs: 2, seed: 8 })
      model.dispose()
      return result.history.map((log) => [log.trainLoss, log.valDice])
    }
    expect(await run()).toEqual(await run())
  })

  it('resumes from its checkpoint after a stop mid-epoch and ends with the model of a training never stopped', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cxr-lung-resume-'))
    const options = { epochs: 3, seed: 4, batchSize: 4, patience: 10 }
    const weightsOf = async (model: tf.LayersModel) => Promise.all(model.getWeights().map(async (weight) => Array.from(await weight.data())))
    try {
      const uninterrupted = buildUNet({ inputSize: SIZE, depth: 1, baseFilters: 2, seed: 3 })
      const whole = await trainSegmentationModel(uninterrupted, { train: train.slice(0, 12), validation }, options)
      const expected = await weightsOf(uninterrupted)
      uninterrupted.dispose()

      const controller = new AbortController()
      const first = buildUNet({ inputSize: SIZE, depth: 1, baseFilters: 2, seed: 3 })
      const stopped = trainSegmentationModel(first, { train: train.slice(0, 12), validation }, {
        ...options,
        checkpointFolder: folder,
        signal: controller.signal,
        onBatchEnd: ({ epoch, batch }) => {
          if (epoch === 1 && batch === 1) controller.abort(new Error('stopped by the user'))
        },
      })
      await expect(stopped).rejects.toThrow('stopped by the user')
      first.dispose()

      // A new model (as after a restart): everything comes from the checkpoint.
      const resumedAt: number[][] = []
      const second = buildUNet({ inputSize: SIZE, depth: 1, baseFilters: 2, seed: 99 })
      const resumed = await trainSegmentationModel(second, { train: train.slice(0, 12), validation }, { ...options, checkpointFolder: folder, onResume: (epoch, step) => void resumedAt.push([epoch, step]) })
      expect(resumedAt).toEqual([[1, 2]])
      expect(resumed.history.map((log) => [log.trainLoss, log.valDice, log.learningRate])).toEqual(whole.history.map((log) => [log.trainLoss, log.valDice, log.learningRate]))
      expect(resumed.bestEpoch).toBe(whole.bestEpoch)
      expect(await weightsOf(second)).toEqual(expected)
      second.dispose()
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})

const cosineLearningRate = (epoch: number, epochs: number, initial: number, minLearningRate: number, warmupEpochs = 0) => cosineRate(epoch, epochs, { initial, minLearningRate, warmupEpochs })

describe('learning-rate schedules', () => {
  it('cosine: from the initial rate to the floor over the epochs, after a linear warm-up from a tenth', () => {
    expect(cosineLearningRate(0, 11, 1e-3, 1e-5)).toBe(1e-3)
    // Halfway the cosine term is 0: the mean of the two ends.
    expect(cosineLearningRate(5, 11, 1e-3, 1e-5)).toBeCloseTo((1e-3 + 1e-5) / 2, 12)
    expect(cosineLearningRate(10, 11, 1e-3, 1e-5)).toBeCloseTo(1e-5, 12)
    expect(cosineLearningRate(0, 12, 1e-3, 1e-5, 2)).toBeCloseTo(1e-4, 12)
    expect(cosineLearningRate(1, 12, 1e-3, 1e-5, 2)).toBeCloseTo(5.5e-4, 12)
    expect(cosineLearningRate(2, 12, 1e-3, 1e-5, 2)).toBe(1e-3)
  })

  it('trains with the cosine rate of each epoch, and the plateau schedule is left alone', async () => {
    const model = buildUNet({ inputSize: SIZE, depth: 1, baseFilters: 2, seed: 9 })
    const result = await trainSegmentationModel(model, { train: train.slice(0, 4), validation }, { epochs: 4, seed: 2, learningRate: 0.01, minLearningRate: 0.001, learningRateSchedule: 'cosine', warmupEpochs: 1, patience: 10, augmentation: null })
    expect(result.history.map((log) => log.learningRate)).toEqual([0, 1, 2, 3].map((epoch) => cosineLearningRate(epoch, 4, 0.01, 0.001, 1)))
    model.dispose()
  })
})

describe('examplesToTensors', () => {
  it('stacks images and masks as [n, h, w, 1] in order', () => {
    const examples = syntheticBlobs(2, 8, 3)
    const { images, masks } = examplesToTensors(examples)
    expect(images.shape).toEqual([2, 8, 8, 1])
    expect(Array.from(images.dataSync().subarray(64, 128))).toEqual(Array.from(examples[1].image.data))
    expect(Array.from(masks.dataSync().subarray(0, 64))).toEqual(Array.from(examples[0].mask.data))
    tf.dispose([images, masks])
  })
})
