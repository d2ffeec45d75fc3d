/**
 * A tiny-width COVID-Net with its own head (FC → FC → sigmoid) on the onednn and wasm backends against tfjs's cpu
 * backend (the reference), as tests/unit/engine/onednn-models.test.ts checks the paper's other networks. It
 * exercises what COVID-Net adds to them: depthwise convolutions (the onednn backend's TypeScript kernels, the wasm
 * backend's project gradient kernels) and many-input additions.
 *
 * Like the tiny ResNet-50 there, and more so, a tiny COVID-Net computing batch statistics is ill-conditioned: its
 * 80 batch norms in series turn a 1e-7 relative change of the input into a 1e-4 to 1e-2 change of the output on
 * the cpu backend itself (measured). So the training steps run batch norm on its moving statistics, where the
 * network is well-conditioned and every kernel's result can be held to 1e-4; the batch-statistics forward pass is
 * held to what a rounding-sized change of the input does to it on the cpu backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { attachHead } from '../../../src-main/services/engine/models/classifier'
import { buildCovidNetEncoder } from '../../../src-main/services/engine/models/covidNet'
import { initOneDnnBackend, ONEDNN_BACKEND_NAME } from '../../../src-main/services/engine/onednn/backend'
import { nativeRefusals } from '../../../src-main/services/engine/onednn/kernelUtils'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { classificationLoss } from '../../../src-main/services/runs/losses'
import { pseudoRandom, relativeError } from '../../helpers/numeric'
import { skipWithReason } from '../../helpers/skip'

const TOLERANCE = 1e-4
const SHAPE = [4, 32, 32, 1]
const unavailable = new Map<string, string>()

beforeAll(async () => {
  for (const [name, init] of [['wasm', initWasmBackend], [ONEDNN_BACKEND_NAME, initOneDnnBackend]] as const) {
    try {
      await init()
    } catch (error) {
      unavailable.set(name, `the ${name} backend cannot run here: ${error instanceof Error ? error.message : String(error)}`)
    }
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

function build(): tf.LayersModel {
  return attachHead(buildCovidNetEncoder({ inputShape: [32, 32, 1], baseWidth: 2, seed: 5 }), { hidden: [16, 8], units: 1, seed: 5 })
}

function inputValues(perturbation = 0, shape = SHAPE): Float32Array {
  const values = pseudoRandom(shape.reduce((a, b) => a * b, 1), 17, 'unit')
  const noise = pseudoRandom(values.length, 3)
  return values.map((value, index) => value * (1 + perturbation * noise[index]))
}

/** Builds the network on `backend`, trains 3 SGD-with-momentum steps (the runs' loss) and reads everything back. */
async function train(backend: string): Promise<Trained> {
  expect(await tf.setBackend(backend)).toBe(true)
  const model = build()
  const optimizer = tf.train.momentum(0.05, 0.9)
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable)
  const x = tf.tensor(inputValues(), SHAPE)
  const y = tf.tensor1d([0, 1, 1, 0], 'int32')
  const losses: number[] = []
  for (let step = 0; step < 3; step++) {
    const loss = optimizer.minimize(() => classificationLoss(model.apply(x, { training: false }) as tf.Tensor, y, [1, 1], { kind: 'bce' }), true, variables)
    losses.push((await loss!.data())[0])
    loss!.dispose()
  }
  const predicted = model.predict(x) as tf.Tensor
  const predictions = (await predicted.data()) as Float32Array
  const weights = new Map(model.weights.map((weight) => [weight.originalName, weight.read().dataSync() as Float32Array]))
  tf.dispose([x, y, predicted])
  optimizer.dispose()
  model.dispose()
  return { losses, predictions, weights }
}

/**
 * The batch-statistics (training-mode) forward pass of the untrained network, on 8 images: with 4, the last stage's
 * 1×1 maps are normalised over four numbers per channel, which amplifies rounding chaotically (seen: 0.35 apart
 * from cpu at the output on one seed's weights, the gap growing smoothly layer by layer, no kernel at fault).
 */
const TRAINING_MODE_SHAPE = [8, 32, 32, 1]
async function trainingModeOutput(backend: string, perturbation = 0): Promise<Float32Array> {
  expect(await tf.setBackend(backend)).toBe(true)
  const model = build()
  const output = tf.tidy(() => (model.apply(tf.tensor(inputValues(perturbation, TRAINING_MODE_SHAPE), TRAINING_MODE_SHAPE), { training: true }) as tf.Tensor).dataSync().slice() as Float32Array)
  model.dispose()
  return output
}

/** The gradient of every trainable weight for the first batch, batch norm on its moving statistics. */
async function gradients(backend: string): Promise<Map<string, Float32Array>> {
  expect(await tf.setBackend(backend)).toBe(true)
  const model = build()
  const x = tf.tensor(inputValues(), SHAPE)
  const y = tf.tensor1d([0, 1, 1, 0], 'int32')
  const { value, grads } = tf.variableGrads(() => classificationLoss(model.apply(x, { training: false }) as tf.Tensor, y, [1, 1], { kind: 'bce' }))
  const byName = new Map(model.trainableWeights.map((weight) => [weight.originalName, grads[(weight.read() as tf.Variable).name].dataSync().slice() as Float32Array]))
  tf.dispose([x, y, value, ...Object.values(grads)])
  model.dispose()
  return byName
}

let reference: Trained | undefined
let referenceGradients: Map<string, Float32Array> | undefined
let referenceTrainingMode: { output: Float32Array; sensitivity: number } | undefined

async function expectSameAsCpu(backend: string): Promise<void> {
  reference ??= await train('cpu')
  const ours = await train(backend)
  ours.losses.forEach((loss, step) => expect(Math.abs(loss - reference!.losses[step]), `${backend} loss at step ${step + 1}`).toBeLessThan(TOLERANCE))
  expect(relativeError(ours.predictions, reference.predictions), `${backend} predictions`).toBeLessThanOrEqual(TOLERANCE)
  expect([...ours.weights.keys()]).toEqual([...reference.weights.keys()])
  expect(ours.weights.size).toBeGreaterThan(300)
  let worst = 0
  for (const [name, values] of ours.weights) {
    const error = relativeError(values, reference.weights.get(name)!)
    worst = Math.max(worst, error)
    expect(error, `${backend} ${name} after 3 steps`).toBeLessThanOrEqual(TOLERANCE)
  }
  // Every gradient on its own scale: a weight that barely moves in 3 steps (the first stage's depthwise filters
  // change by 1e-5 of their size) is still checked to 1e-4 of its gradient.
  referenceGradients ??= await gradients('cpu')
  const ourGradients = await gradients(backend)
  expect([...ourGradients.keys()]).toEqual([...referenceGradients.keys()])
  let worstGradient = 0
  for (const [name, expected] of referenceGradients) {
    const error = relativeError(ourGradients.get(name)!, expected)
    worstGradient = Math.max(worstGradient, error)
    expect(error, `${backend} gradient of ${name}`).toBeLessThanOrEqual(TOLERANCE)
  }

  if (!referenceTrainingMode) {
    const output = await trainingModeOutput('cpu')
    referenceTrainingMode = { output, sensitivity: relativeError(await trainingModeOutput('cpu', 1e-7), output) }
  }
  const trainingMode = relativeError(await trainingModeOutput(backend), referenceTrainingMode.output)
  // Ten times what a 1e-7 change of the input does on cpu: rounding differences pass, a wrong kernel (errors of
  // order 1) does not.
  expect(trainingMode, `${backend} batch-statistics forward pass`).toBeLessThanOrEqual(Math.max(TOLERANCE, 10 * referenceTrainingMode.sensitivity))
  console.log(
    `covidnet on ${backend}: losses ${ours.losses.map((l) => l.toFixed(5)).join(', ')}; ${ours.weights.size} weights, worst error vs cpu ${worst.toExponential(2)}, ` +
      `worst of ${ourGradients.size} gradients ${worstGradient.toExponential(2)}; ` +
      `batch-statistics output ${trainingMode.toExponential(2)} vs cpu (cpu's own change under a 1e-7 input change: ${referenceTrainingMode.sensitivity.toExponential(2)})`,
  )
}

describe('COVID-Net trains on the fast backends like the cpu reference', () => {
  it('onednn: 1-channel 32×32, batch 4, 3 SGD steps', async (context) => {
    const reason = unavailable.get(ONEDNN_BACKEND_NAME)
    if (reason) return skipWithReason(context, reason)
    nativeRefusals.clear()
    await expectSameAsCpu(ONEDNN_BACKEND_NAME)
    expect(Object.fromEntries(nativeRefusals)).toEqual({})
  }, 120_000)

  it('wasm: 1-channel 32×32, batch 4, 3 SGD steps', async (context) => {
    const reason = unavailable.get('wasm')
    if (reason) return skipWithReason(context, reason)
    await expectSameAsCpu('wasm')
  }, 120_000)
})
