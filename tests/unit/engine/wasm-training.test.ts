/**
 * A small conv net must actually learn on the wasm backend with the project's
 * kernels, and repeated training steps must not leak tensors or wasm buffers.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'

const IMAGE_SIZE = 16
const BATCH_SIZE = 32
const STEPS = 25

/**
 * Images with one bright Gaussian blob, label 1 when it sits in the right half.
 * Learnable only from where the blob is, so the net has to use its convolutions
 * and the dense layer's spatial weights, not a global brightness cue.
 */
function blobImages(count: number, seed: number): { images: Float32Array; labels: Float32Array } {
  let state = seed >>> 0
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
  const images = new Float32Array(count * IMAGE_SIZE * IMAGE_SIZE)
  const labels = new Float32Array(count)
  for (let image = 0; image < count; image++) {
    const right = image % 2 === 1
    labels[image] = right ? 1 : 0
    const centreColumn = (right ? IMAGE_SIZE / 2 : 0) + 2 + random() * (IMAGE_SIZE / 2 - 4)
    const centreRow = 2 + random() * (IMAGE_SIZE - 4)
    for (let row = 0; row < IMAGE_SIZE; row++) {
      for (let column = 0; column < IMAGE_SIZE; column++) {
        const distanceSquared = (row - centreRow) ** 2 + (column - centreColumn) ** 2
        const noise = (random() - 0.5) * 0.2
        images[(image * IMAGE_SIZE + row) * IMAGE_SIZE + column] = Math.exp(-distanceSquared / 4) + noise
      }
    }
  }
  return { images, labels }
}

/** conv-BN-relu, a max pool, a strided conv, a residual add, then dense to a sigmoid. */
function buildModel(): tf.LayersModel {
  const initializer = () => tf.initializers.glorotUniform({ seed: 7 })
  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1] })
  const convolution = (filters: number, strides: number, activation?: 'relu') => (x: tf.SymbolicTensor) => {
    let y = tf.layers.conv2d({
      filters, kernelSize: 3, strides, padding: 'same', useBias: false, kernelInitializer: initializer(),
    }).apply(x) as tf.SymbolicTensor
    y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor
    return activation ? tf.layers.activation({ activation }).apply(y) as tf.SymbolicTensor : y
  }
  let x = convolution(8, 1, 'relu')(input)
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor
  const branch = convolution(8, 1)(convolution(8, 1, 'relu')(x))
  x = tf.layers.activation({ activation: 'relu' }).apply(tf.layers.add().apply([x, branch])) as tf.SymbolicTensor
  x = convolution(16, 2, 'relu')(x)
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: initializer() }).apply(x)
  return tf.model({ inputs: input, outputs: output as tf.SymbolicTensor })
}

interface TrainingTrace {
  losses: number[]
  /** Accuracy on images the net never saw, so memorising the batch is not enough. */
  heldOutAccuracy: number
  tensorCounts: number[]
  bufferCounts: number[]
}

async function train(optimizer: tf.Optimizer): Promise<TrainingTrace> {
  const model = buildModel()
  model.compile({ optimizer, loss: 'binaryCrossentropy' })
  const { images, labels } = blobImages(BATCH_SIZE, 42)
  const inputs = tf.tensor4d(images, [BATCH_SIZE, IMAGE_SIZE, IMAGE_SIZE, 1])
  const targets = tf.tensor2d(labels, [BATCH_SIZE, 1])
  const trace: TrainingTrace = { losses: [], heldOutAccuracy: 0, tensorCounts: [], bufferCounts: [] }
  try {
    for (let step = 0; step < STEPS; step++) {
      const loss = await model.trainOnBatch(inputs, targets)
      trace.losses.push(loss as number)
      trace.tensorCounts.push(tf.memory().numTensors)
      // Backend-level buffers catch leaks in kernels, which never create engine tensors.
      trace.bufferCounts.push(tf.backend().numDataIds())
    }
    const heldOut = blobImages(BATCH_SIZE, 1234)
    trace.heldOutAccuracy = tf.tidy(() => {
      const predictions = model.predict(tf.tensor4d(heldOut.images, [BATCH_SIZE, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor
      return predictions.greater(0.5).cast('float32').reshape([BATCH_SIZE])
        .equal(tf.tensor1d(heldOut.labels)).cast('float32').mean().dataSync()[0]
    })
  } finally {
    tf.dispose([inputs, targets])
    model.dispose()
    optimizer.dispose()
  }
  return trace
}

function expectLearnsWithoutLeaking(trace: TrainingTrace): void {
  const initial = trace.losses[0]
  const final = trace.losses[trace.losses.length - 1]
  expect(Number.isFinite(final)).toBe(true)
  expect(final).toBeLessThan(0.5 * initial)
  expect(trace.heldOutAccuracy).toBeGreaterThanOrEqual(0.8)
  // The first step creates optimizer slots (momentum, Adam moments); after it
  // every step must leave exactly as many tensors and buffers as it found.
  expect(new Set(trace.tensorCounts.slice(1)).size).toBe(1)
  expect(new Set(trace.bufferCounts.slice(1)).size).toBe(1)
}

beforeAll(async () => {
  await initWasmBackend()
})

describe('training a small conv net on wasm', () => {
  it('learns with Adam and leaks nothing', async () => {
    expect(tf.getBackend()).toBe('wasm')
    const trace = await train(tf.train.adam(0.01))
    console.info(`adam: loss ${trace.losses[0].toFixed(3)} -> ${trace.losses[STEPS - 1].toFixed(3)}, held-out accuracy ${trace.heldOutAccuracy}`)
    expectLearnsWithoutLeaking(trace)
  })

  it('learns with SGD + momentum and leaks nothing', async () => {
    const trace = await train(tf.train.momentum(0.05, 0.9))
    console.info(`momentum: loss ${trace.losses[0].toFixed(3)} -> ${trace.losses[STEPS - 1].toFixed(3)}, held-out accuracy ${trace.heldOutAccuracy}`)
    expectLearnsWithoutLeaking(trace)
  })
})
