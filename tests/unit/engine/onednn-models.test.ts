/**
 * Whole networks on the onednn backend against tfjs's cpu backend (the reference): the paper's encoders with a
 * classification head, trained a few steps from the same weights on the same batch, must give the same losses,
 * predictions, weights and batch-norm moving statistics. Small widths and images keep it fast; the kernels are
 * the same ones the full-size networks run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initOneDnnBackend, ONEDNN_BACKEND_NAME } from '../../../src-main/services/engine/onednn/backend'
import { nativeRefusals } from '../../../src-main/services/engine/onednn/kernelUtils'
import { attachHead } from '../../../src-main/services/engine/models/classifier'
import { buildConv8Encoder } from '../../../src-main/services/engine/models/conv8'
import { buildResNetEncoder } from '../../../src-main/services/engine/models/resnet'
import { pseudoRandom, relativeError } from '../../helpers/numeric'
import { skipWithReason } from '../../helpers/skip'

const TOLERANCE = 1e-4
let unavailable: string | undefined

beforeAll(async () => {
  try {
    await initOneDnnBackend()
  } catch (error) {
    unavailable = `the onednn backend cannot run here: ${error instanceof Error ? error.message : String(error)}`
  }
})

afterAll(async () => {
  await tf.setBackend('cpu')
})

interface Trained {
  losses: number[]
  predictions: Float32Array
  weights: Map<string, Float32Array>
}

/** Builds the network on `backend`, trains `steps` SGD-with-momentum steps and reads everything back. */
async function train(backend: string, build: () => tf.LayersModel, shape: number[], steps: number): Promise<Trained> {
  expect(await tf.setBackend(backend)).toBe(true)
  const model = build()
  model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'binaryCrossentropy' })
  const batch = shape[0]
  const x = tf.tensor(pseudoRandom(shape.reduce((a, b) => a * b, 1), 11, 'unit'), shape)
  const y = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 2), [batch, 1])
  const losses: number[] = []
  for (let step = 0; step < steps; step++) losses.push(Number(await model.trainOnBatch(x, y)))
  const predicted = model.predict(x) as tf.Tensor
  const predictions = (await predicted.data()) as Float32Array
  const weights = new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]))
  tf.dispose([x, y, predicted])
  model.dispose()
  return { losses, predictions, weights }
}

async function expectSameTraining(label: string, build: () => tf.LayersModel, shape: number[]): Promise<void> {
  const reference = await train('cpu', build, shape, 3)
  const ours = await train(ONEDNN_BACKEND_NAME, build, shape, 3)
  ours.losses.forEach((loss, step) => expect(Math.abs(loss - reference.losses[step]), `${label} loss at step ${step + 1}`).toBeLessThan(TOLERANCE))
  expect(relativeError(ours.predictions, reference.predictions), `${label} predictions`).toBeLessThanOrEqual(TOLERANCE)
  expect([...ours.weights.keys()]).toEqual([...reference.weights.keys()])
  let worst = 0
  for (const [name, values] of ours.weights) {
    const error = relativeError(values, reference.weights.get(name)!)
    worst = Math.max(worst, error)
    expect(error, `${label} ${name} after 3 steps`).toBeLessThanOrEqual(TOLERANCE)
  }
  console.log(`${label}: losses ${ours.losses.map((l) => l.toFixed(5)).join(', ')}; worst weight error vs cpu ${worst.toExponential(2)}`)
}

describe('onednn backend trains the paper networks like the cpu reference', () => {
  it('ResNet-18 layout (stride-2 stem, max pool, projections), 1-channel 40×40, batch 4', async (context) => {
    if (unavailable) return skipWithReason(context, unavailable)
    nativeRefusals.clear()
    await expectSameTraining(
      'resnet18',
      () => attachHead(buildResNetEncoder({ depth: 18, inputShape: [40, 40, 1], baseWidth: 4, seed: 3 }), { units: 1, seed: 3 }),
      [4, 40, 40, 1],
    )
    expect(Object.fromEntries(nativeRefusals)).toEqual({})
  }, 120_000)

  // A tiny-width ResNet-50 trained on batch statistics is ill-conditioned: tfjs's own wasm backend ends one step
  // up to 1e-1 away from cpu on it (measured), from 1e-7 rounding differences amplified through 16 batch norms of
  // a few channels. So its bottleneck kernels are checked on the quantities that are well-conditioned: the
  // training-mode forward pass, and every weight's gradient with batch norm on its moving statistics.
  it('ResNet-50 bottlenecks, 1-channel 64×64, batch 4: training-mode output and all gradients', async (context) => {
    if (unavailable) return skipWithReason(context, unavailable)
    const x = pseudoRandom(4 * 64 * 64, 13, 'unit')
    const run = async (backend: string) => {
      expect(await tf.setBackend(backend)).toBe(true)
      const model = attachHead(buildResNetEncoder({ depth: 50, inputShape: [64, 64, 1], baseWidth: 4, seed: 5 }), { units: 1, seed: 5 })
      const input = tf.tensor(x, [4, 64, 64, 1])
      const labels = tf.tensor2d([0, 1, 0, 1], [4, 1])
      const trainingOutput = tf.tidy(() => (model.apply(input, { training: true }) as tf.Tensor).dataSync().slice())
      const { value, grads } = tf.variableGrads(
        () => tf.losses.sigmoidCrossEntropy(labels, model.apply(input, { training: false }) as tf.Tensor) as tf.Scalar,
      )
      const gradients = new Map(model.trainableWeights.map((w) => [w.originalName, grads[(w.read() as tf.Variable).name]?.dataSync().slice()]))
      const loss = value.dataSync()[0]
      tf.dispose([input, labels, value, ...Object.values(grads)])
      model.dispose()
      return { trainingOutput, gradients, loss }
    }
    const reference = await run('cpu')
    const ours = await run(ONEDNN_BACKEND_NAME)
    expect(relativeError(ours.trainingOutput, reference.trainingOutput), 'training-mode output').toBeLessThanOrEqual(TOLERANCE)
    expect(Math.abs(ours.loss - reference.loss)).toBeLessThan(TOLERANCE)
    expect(reference.gradients.size).toBeGreaterThan(100)
    let worst = 0
    for (const [name, expected] of reference.gradients) {
      expect(expected, `${name} has a gradient`).toBeDefined()
      const error = relativeError(ours.gradients.get(name)!, expected!)
      worst = Math.max(worst, error)
      expect(error, `gradient of ${name}`).toBeLessThanOrEqual(TOLERANCE)
    }
    console.log(`resnet50: ${reference.gradients.size} gradients, worst error vs cpu ${worst.toExponential(2)}`)
  }, 120_000)

  it('Conv8 with a hidden dense layer, 1-channel 32×32, batch 4', async (context) => {
    if (unavailable) return skipWithReason(context, unavailable)
    await expectSameTraining(
      'conv8',
      () => attachHead(buildConv8Encoder({ inputShape: [32, 32, 1], baseWidth: 4, seed: 7 }), { units: 1, hidden: [8], seed: 7 }),
      [4, 32, 32, 1],
    )
  }, 120_000)
})
