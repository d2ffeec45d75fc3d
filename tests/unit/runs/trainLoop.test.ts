/**
 * The training loop on the wasm backend with tiny versions of the three networks: losses fall on a separable
 * task, a stopped-and-resumed run replays the uninterrupted one batch for batch, a NaN loss fails with a
 * reason, and inference leaves no tensors behind.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { RunConfigSchema, type Architecture } from '@shared/runs/config'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { hasCheckpoint, loadOptimizer, loadWeightsInto, readCheckpointState, saveCheckpoint } from '../../../src-main/services/engine/training/checkpoints'
import { buildClassifier, buildEncoder } from '../../../src-main/services/runs/models'
import { RunFailure } from '../../../src-main/services/runs/runFailure'
import {
  createOptimizer,
  initialLoopState,
  predictProbabilities,
  runTrainingLoop,
  type LoopHooks,
  type LoopState,
  type PhaseSettings,
} from '../../../src-main/services/runs/trainLoop'
import { blobSet } from './synthetic'

const SIZE = 32
let folder: string

beforeAll(async () => {
  await initWasmBackend()
  folder = mkdtempSync(join(tmpdir(), 'cxr-loop-'))
})
afterAll(() => rmSync(folder, { recursive: true, force: true }))

function tinyConfig(architecture: Architecture, overrides: Record<string, unknown> = {}) {
  return RunConfigSchema.parse({
    architecture,
    compositionId: 'synthetic',
    // Width 4 for all three: ResNet-50 at width 2 (2-channel bottlenecks) learns or not depending on the seed.
    baseWidth: 4,
    input: { resize: SIZE, crop: SIZE },
    headHidden: [8],
    optimizer: { kind: 'adam' },
    learningRate: 0.01,
    batchSize: 8,
    seed: 3,
    ...overrides,
  })
}

function settings(config: ReturnType<typeof tinyConfig>, epochs: number): PhaseSettings {
  return {
    epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    loss: config.loss,
    classWeights: [1, 1],
    weightDecay: config.weightDecay,
    augmentation: config.augmentation,
    reduceOnPlateau: null,
    earlyStoppingPatience: null,
    checkpointMetric: 'valAuc',
    checkpointEverySteps: 0,
  }
}

function recordingHooks(overrides: Partial<LoopHooks> = {}) {
  const losses: number[] = []
  const batches: number[][] = []
  const hooks: LoopHooks = {
    onStep: (progress, indices) => {
      losses.push(progress.loss ?? Number.NaN)
      batches.push([...indices])
    },
    saveLast: async () => {},
    saveBest: async () => {},
    shouldStop: () => false,
    ...overrides,
  }
  return { hooks, losses, batches }
}

describe('training loop', () => {
  const train = blobSet(32, SIZE, 1)
  const validation = blobSet(8, SIZE, 2)

  for (const architecture of ['conv8', 'resnet18', 'resnet50'] as const) {
    it(`${architecture} (tiny) learns a separable task`, async () => {
      const config = tinyConfig(architecture)
      const model = buildClassifier(buildEncoder(config), config, 1)
      const optimizer = createOptimizer(config, config.learningRate)
      const { hooks, losses } = recordingHooks()
      const state = initialLoopState('finetune', config.learningRate)
      const outcome = await runTrainingLoop(model, optimizer, train, validation, settings(config, 3), state, hooks)
      expect(outcome).toBe('completed')
      expect(losses).toHaveLength(12)
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
      expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)))
      expect(state.history).toHaveLength(3)
      expect(state.history[2].trainLoss).toBeLessThan(state.history[0].trainLoss)
      optimizer.dispose()
      model.dispose()
    })
  }

  it('resumes at the same step with the same batches and the same losses', async () => {
    const config = tinyConfig('conv8', { optimizer: { kind: 'sgd', momentum: 0.9 }, augmentation: { horizontalFlip: true, affine: { rotateDegrees: 5 } } })
    const epochs = 2
    // Uninterrupted.
    const fullModel = buildClassifier(buildEncoder(config), config, 1)
    const fullOptimizer = createOptimizer(config, config.learningRate)
    const full = recordingHooks()
    await runTrainingLoop(fullModel, fullOptimizer, train, validation, settings(config, epochs), initialLoopState('finetune', config.learningRate), full.hooks)
    fullOptimizer.dispose()
    fullModel.dispose()

    // Stopped after 6 of 8 steps (mid-epoch 2), checkpointed, then continued by fresh objects as a new process would.
    const last = join(folder, 'last')
    const firstModel = buildClassifier(buildEncoder(config), config, 1)
    const firstOptimizer = createOptimizer(config, config.learningRate)
    let steps = 0
    const first = recordingHooks({
      onStep: (progress, indices) => {
        steps += 1
        first.losses.push(progress.loss ?? Number.NaN)
        first.batches.push([...indices])
      },
      shouldStop: () => steps >= 6,
      saveLast: (state) => saveCheckpoint(last, firstModel, firstOptimizer, state as unknown as Record<string, unknown>),
    })
    const stopped = await runTrainingLoop(firstModel, firstOptimizer, train, validation, settings(config, epochs), initialLoopState('finetune', config.learningRate), first.hooks)
    expect(stopped).toBe('stopped')
    expect(hasCheckpoint(last)).toBe(true)
    firstOptimizer.dispose()
    firstModel.dispose()

    const state = await readCheckpointState<LoopState>(last)
    expect({ epoch: state.epoch, step: state.step }).toEqual({ epoch: 1, step: 2 })
    const model = buildClassifier(buildEncoder({ ...config, seed: 99 }), config, 1)
    const optimizer = createOptimizer(config, config.learningRate)
    await loadWeightsInto(model, last)
    expect(await loadOptimizer(optimizer, last)).toBe(true)
    const second = recordingHooks()
    await runTrainingLoop(model, optimizer, train, validation, settings(config, epochs), state, second.hooks)
    optimizer.dispose()

    expect([...first.batches, ...second.batches]).toEqual(full.batches)
    const resumedLosses = [...first.losses, ...second.losses]
    resumedLosses.forEach((loss, index) => expect(loss).toBeCloseTo(full.losses[index], 4))
    expect(state.history.map((epoch) => epoch.trainLoss)[1]).toBeCloseTo(full.losses.slice(4).reduce((a, b) => a + b, 0) / 4, 4)

    // Inference frees every tensor it makes.
    const before = tf.memory().numTensors
    const probabilities = await predictProbabilities(model, validation.images, validation.count, SIZE, 4)
    expect(probabilities).toHaveLength(validation.count)
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
  })

  it('fails with a reason when the loss becomes NaN', async () => {
    const config = tinyConfig('conv8')
    const poisoned = blobSet(16, SIZE, 5)
    poisoned.images.fill(Number.NaN, 0, SIZE * SIZE * 16)
    const model = buildClassifier(buildEncoder(config), config, 1)
    const optimizer = createOptimizer(config, config.learningRate)
    const error = await runTrainingLoop(model, optimizer, poisoned, validation, settings(config, 1), initialLoopState('finetune', config.learningRate), recordingHooks().hooks).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RunFailure)
    expect((error as Error).message).toMatch(/training loss became NaN at finetune epoch 1, step 1/)
    optimizer.dispose()
    model.dispose()
  })
})
