/**
 * The project's wasm training kernels against the cpu backend, which is
 * tfjs's reference implementation. Inputs are built as plain arrays and turned
 * into tensors only after switching backends, since a tensor belongs to the
 * backend that was active when it was made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import {
  registeredWasmKernels,
  registerWasmTrainingKernels,
} from '../../../src-main/services/engine/kernels/index'
import { pseudoRandom, relativeError } from '../../helpers/numeric'

type Padding = 'same' | 'valid' | number | number[][]
type Shape4 = [number, number, number, number]

interface ConvolutionCase {
  label: string
  inputShape: Shape4
  filterShape: Shape4
  strides: number
  pad: Padding
}

const TOLERANCE = 1e-4
const worstErrors = new Map<string, number>()

/** Runs `compute` on one backend and returns every output as plain numbers. */
async function onBackend(backendName: string, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  expect(await tf.setBackend(backendName)).toBe(true)
  return tf.tidy(() => compute().map((tensor) => tensor.dataSync() as Float32Array))
}

/** Compares wasm with cpu output by output, recording the worst error per name. */
async function expectWasmMatchesCpu(names: string[], caseLabel: string, compute: () => tf.Tensor[]): Promise<void> {
  const expected = await onBackend('cpu', compute)
  const actual = await onBackend('wasm', compute)
  names.forEach((name, index) => {
    const error = relativeError(actual[index], expected[index])
    worstErrors.set(name, Math.max(worstErrors.get(name) ?? 0, error))
    expect(error, `${name} ${caseLabel}`).toBeLessThanOrEqual(TOLERANCE)
  })
}

function size(shape: number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1)
}

/** Strides 1-3 x every padding form x odd/even and non-square sizes x several channel counts. */
function convolutionCases(depthwise: boolean): ConvolutionCase[] {
  const cases: ConvolutionCase[] = []
  const paddings: Padding[] = ['same', 'valid', 1, [[0, 0], [2, 0], [1, 3], [0, 0]]]
  const channelPairs = depthwise ? [[1, 1], [3, 1], [2, 3]] : [[1, 4], [3, 5], [8, 6]]
  for (const strides of [1, 2, 3]) {
    for (const pad of paddings) {
      for (const [height, width] of [[7, 7], [8, 9], [9, 12]]) {
        for (const filterSize of [1, 2, 3, 5]) {
          const [inChannels, second] = channelPairs[(strides + filterSize + height) % channelPairs.length]
          const inputShape: Shape4 = [2 + (height % 2), height, width, inChannels]
          // tfjs-core sizes numeric-pad outputs wrongly for non-square filters (see
          // convolutionPadding.ts), so the cpu reference is only valid for square ones.
          const filterWidth = filterSize === 5 && typeof pad !== 'number' ? 3 : filterSize
          const filterShape: Shape4 = [filterSize, filterWidth, inChannels, second]
          const geometry = tf.backend_util.computeConv2DInfo(
            inputShape, filterShape, strides, 1, pad as 'same', undefined, depthwise,
          )
          if (geometry.outHeight <= 0 || geometry.outWidth <= 0) continue
          const label = `x=${inputShape} w=${filterShape} s=${strides} pad=${JSON.stringify(pad)}`
          cases.push({ label, inputShape, filterShape, strides, pad })
        }
      }
    }
  }
  return cases
}

function outputShape(testCase: ConvolutionCase, depthwise: boolean): Shape4 {
  const geometry = tf.backend_util.computeConv2DInfo(
    testCase.inputShape, testCase.filterShape, testCase.strides, 1, testCase.pad as 'same', undefined, depthwise,
  )
  return geometry.outShape
}

beforeAll(async () => {
  await initWasmBackend()
})

afterAll(() => {
  const summary = [...worstErrors].map(([name, error]) => `${name}=${error.toExponential(2)}`).join(' ')
  console.info(`worst relative error wasm vs cpu: ${summary}`)
})

describe('wasm backend setup', () => {
  it('runs on wasm with the project kernels in place', async () => {
    const info = await initWasmBackend()
    expect(tf.getBackend()).toBe('wasm')
    expect(typeof info.simd).toBe('boolean')
    expect(info.threads).toBe(false)
    expect(registeredWasmKernels()).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput']))
  })

  it('registers idempotently', () => {
    const first = registerWasmTrainingKernels()
    const second = registerWasmTrainingKernels()
    expect(second).toEqual(first)
    expect(registeredWasmKernels()).toEqual(first)
  })
})

describe('conv2d gradient kernels match cpu', () => {
  const cases = convolutionCases(false)

  it(`Conv2DBackpropFilter and Conv2DBackpropInput, run directly (${cases.length} shapes)`, async () => {
    for (const testCase of cases) {
      const dyShape = outputShape(testCase, false)
      const inputValues = pseudoRandom(size(testCase.inputShape), 1)
      const filterValues = pseudoRandom(size(testCase.filterShape), 2)
      const gradientValues = pseudoRandom(size(dyShape), 3)
      const attrs = { strides: testCase.strides, pad: testCase.pad, dataFormat: 'NHWC' } as const
      await expectWasmMatchesCpu(['Conv2DBackpropFilter', 'Conv2DBackpropInput'], testCase.label, () => {
        const x = tf.tensor4d(inputValues, testCase.inputShape)
        const filter = tf.tensor4d(filterValues, testCase.filterShape)
        const dy = tf.tensor4d(gradientValues, dyShape)
        const engine = tf.engine()
        return [
          engine.runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: testCase.filterShape }) as tf.Tensor,
          engine.runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: testCase.inputShape }) as tf.Tensor,
        ]
      })
    }
  })

  it('gradients of conv2d and fused conv2d through tf.grads', async () => {
    for (const testCase of cases.filter((_, index) => index % 3 === 0)) {
      const { inputShape, filterShape, strides, pad } = testCase
      const inputValues = pseudoRandom(size(inputShape), 4)
      const filterValues = pseudoRandom(size(filterShape), 5)
      const weights = pseudoRandom(size(outputShape(testCase, false)), 6)
      const biasValues = pseudoRandom(filterShape[3], 7)
      await expectWasmMatchesCpu(['conv2d forward', 'conv2d dx', 'conv2d dw', 'fused conv2d forward'], testCase.label, () => {
        const x = tf.tensor4d(inputValues, inputShape)
        const filter = tf.tensor4d(filterValues, filterShape)
        const weighting = tf.tensor(weights, outputShape(testCase, false))
        // A weighted sum gives every output position its own dy value.
        const loss = (input: tf.Tensor, kernel: tf.Tensor) =>
          tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad as 'same').mul(weighting).sum()
        const [dx, dw] = tf.grads(loss)([x, filter])
        const fused = tf.fused.conv2d({ x, filter, strides, pad: pad as 'same', bias: tf.tensor1d(biasValues), activation: 'relu' })
        return [tf.conv2d(x, filter, strides, pad as 'same'), dx, dw, fused]
      })
    }
  })
})

describe('forward convolutions on wasm', () => {
  it('pad correctly where the native kernels got it wrong', async () => {
    // Each case broke wasm 4.22: 'same' with negative TensorFlow padding, and a
    // numeric pad with a non-square filter (wrong size, heap corruption).
    const cases: Array<{ inputShape: Shape4; filterShape: Shape4; strides: number; pad: Padding; reference: Padding }> = [
      { inputShape: [2, 9, 9, 3], filterShape: [2, 2, 3, 2], strides: 3, pad: 'same', reference: 'same' },
      { inputShape: [1, 8, 12, 2], filterShape: [3, 3, 2, 4], strides: 4, pad: 'same', reference: 'same' },
      { inputShape: [2, 7, 7, 3], filterShape: [5, 3, 3, 4], strides: 1, pad: 1, reference: [[0, 0], [1, 1], [1, 1], [0, 0]] },
    ]
    for (const { inputShape, filterShape, strides, pad, reference } of cases) {
      const inputValues = pseudoRandom(size(inputShape), 11)
      const filterValues = pseudoRandom(size(filterShape), 12)
      const depthwiseFilterShape: Shape4 = [filterShape[0], filterShape[1], inputShape[3], 1]
      const depthwiseValues = pseudoRandom(size(depthwiseFilterShape), 13)
      const label = `x=${inputShape} w=${filterShape} s=${strides} pad=${JSON.stringify(pad)}`
      const expected = await onBackend('cpu', () => [
        tf.conv2d(tf.tensor4d(inputValues, inputShape), tf.tensor4d(filterValues, filterShape), strides, reference as 'same'),
        tf.depthwiseConv2d(tf.tensor4d(inputValues, inputShape), tf.tensor4d(depthwiseValues, depthwiseFilterShape), strides, reference as 'same'),
      ])
      const actual = await onBackend('wasm', () => [
        tf.conv2d(tf.tensor4d(inputValues, inputShape), tf.tensor4d(filterValues, filterShape), strides, pad as 'same'),
        tf.depthwiseConv2d(tf.tensor4d(inputValues, inputShape), tf.tensor4d(depthwiseValues, depthwiseFilterShape), strides, pad as 'same'),
      ])
      expect(relativeError(actual[0], expected[0]), `conv2d ${label}`).toBeLessThanOrEqual(TOLERANCE)
      expect(relativeError(actual[1], expected[1]), `depthwise ${label}`).toBeLessThanOrEqual(TOLERANCE)
    }
  })
})

describe('depthwise conv2d gradient kernels match cpu', () => {
  // Depthwise gradients require strides or dilations of 1 in tfjs; dilation is 1 here.
  const cases = convolutionCases(true)

  it(`DepthwiseConv2dNativeBackpropFilter and ...Input, run directly (${cases.length} shapes)`, async () => {
    for (const testCase of cases) {
      const dyShape = outputShape(testCase, true)
      const inputValues = pseudoRandom(size(testCase.inputShape), 8)
      const filterValues = pseudoRandom(size(testCase.filterShape), 9)
      const gradientValues = pseudoRandom(size(dyShape), 10)
      const attrs = { strides: testCase.strides, pad: testCase.pad, dilations: 1 }
      await expectWasmMatchesCpu(
        ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'depthwise forward'],
        testCase.label,
        () => {
          const x = tf.tensor4d(inputValues, testCase.inputShape)
          const filter = tf.tensor4d(filterValues, testCase.filterShape)
          const dy = tf.tensor4d(gradientValues, dyShape)
          const engine = tf.engine()
          return [
            engine.runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: testCase.filterShape }) as tf.Tensor,
            engine.runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...attrs, inputShape: testCase.inputShape }) as tf.Tensor,
            tf.depthwiseConv2d(x, filter, testCase.strides, testCase.pad as 'same'),
          ]
        },
      )
    }
  })
})

describe('wrapped batch-norm and pooling kernels match cpu', () => {
  it('Tile, including integer tensors', async () => {
    const cases: Array<{ shape: number[]; reps: number[] }> = [
      { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1] },
      { shape: [2, 3], reps: [3, 2] },
      { shape: [4], reps: [3] },
      { shape: [2, 1, 3, 2, 2], reps: [1, 3, 2, 1, 2] },
      { shape: [3, 2, 2], reps: [1, 1, 1] },
    ]
    for (const { shape, reps } of cases) {
      const values = pseudoRandom(size(shape), 14)
      const integers = Int32Array.from(values, (value) => Math.round(value * 100))
      await expectWasmMatchesCpu(['Tile', 'Tile int32'], `shape=${shape} reps=${reps}`, () => [
        tf.tile(tf.tensor(values, shape), reps),
        tf.tile(tf.tensor(integers, shape, 'int32'), reps).cast('float32'),
      ])
    }
  })

  it('Sum and Mean over leading and other axes', async () => {
    const shape = [3, 5, 7, 4]
    const values = pseudoRandom(size(shape), 15)
    const axesList: Array<number | number[]> = [[0, 1, 2], [0], [0, 1], [2, 1, 0], [1, 2], 3, -1, [0, 3]]
    for (const axes of axesList) {
      for (const keepDims of [false, true]) {
        await expectWasmMatchesCpu(['Sum', 'Mean'], `axes=${JSON.stringify(axes)} keepDims=${keepDims}`, () => {
          const x = tf.tensor(values, shape)
          const sum = tf.sum(x, axes, keepDims)
          const mean = tf.mean(x, axes, keepDims)
          expect(sum.shape).toEqual(mean.shape)
          return [sum, mean]
        })
      }
    }
  })

  it('MaxPoolGrad through tf.grad of maxPool', async () => {
    for (const filterSize of [2, 3]) {
      for (const strides of [1, 2, 3]) {
        for (const pad of ['same', 'valid'] as const) {
          const shape: Shape4 = [2, 9, 8, 3]
          const values = pseudoRandom(size(shape), 16 + filterSize + strides)
          const label = `filter=${filterSize} s=${strides} pad=${pad}`
          await expectWasmMatchesCpu(['MaxPoolGrad'], label, () => {
            const x = tf.tensor4d(values, shape)
            const pooledShape = tf.maxPool(x, filterSize, strides, pad).shape
            const weighting = tf.tensor(pseudoRandom(size(pooledShape), 17), pooledShape)
            return [tf.grad((input: tf.Tensor) => tf.maxPool(input as tf.Tensor4D, filterSize, strides, pad).mul(weighting).sum())(x)]
          })
        }
      }
    }
  })
})
