/**
 * The onednn backend's native kernels (and the fused batch-norm layer) against tfjs's cpu backend, which is the
 * reference: outputs and gradients, to a relative error of 1e-4 (max |diff| / max |expected|).
 *
 * Inputs are built as plain arrays and turned into tensors only after switching backends, since a tensor belongs
 * to the backend that was active when it was made. Every call into the addon is counted, so a case that silently
 * falls back to the cpu kernel (a declined or refused native call) cannot pass for a working native path.
 */
import { afterAll, beforeAll, describe, expect, it, vi, type TestContext } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initOneDnnBackend, ONEDNN_BACKEND_NAME, type OneDnnBackend } from '../../../src-main/services/engine/onednn/backend'
import type { OneDnnAddon } from '../../../src-main/services/engine/onednn/addon'
import { nativeRefusals } from '../../../src-main/services/engine/onednn/kernelUtils'
import { batchNormalization, batchNormTraining } from '../../../src-main/services/engine/layers/batchNormalization'
import { pseudoRandom } from '../../helpers/numeric'
import { skipWithReason } from '../../helpers/skip'

type Padding = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]]
type Shape4 = [number, number, number, number]

const ONEDNN = ONEDNN_BACKEND_NAME
const TOLERANCE = 1e-4
const worstErrors = new Map<string, number>()
const addonCalls = vi.hoisted(() => new Map<string, number>())
let unavailable: string | undefined
const startedAt = performance.now()

function size(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1)
}

/**
 * max |actual − expected| / max |expected| over the finite expected values; a non-finite expected value (NaN,
 * ±Infinity) must be matched exactly, else the error is Infinity.
 */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; note: string } {
  if (actual.length !== expected.length) return { error: Infinity, note: `length ${actual.length} ≠ ${expected.length}` }
  let largestDifference = 0
  let largestExpected = 0
  let at = -1
  for (let index = 0; index < expected.length; index++) {
    const a = actual[index]
    const e = expected[index]
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) {
        return { error: Infinity, note: `[${index}] got ${a}, expected ${e}` }
      }
      continue
    }
    const difference = Math.abs(a - e)
    if (difference > largestDifference) {
      largestDifference = difference
      at = index
    }
    largestExpected = Math.max(largestExpected, Math.abs(e))
  }
  const error = largestDifference / Math.max(largestExpected, 1e-6)
  const note = at < 0 ? '' : `[${at}] got ${actual[at]}, expected ${expected[at]}, max |expected| ${largestExpected}`
  return { error, note }
}

/** Runs `compute` on one backend and returns every output as a copy of its values. */
async function onBackend(backendName: string, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  expect(await tf.setBackend(backendName)).toBe(true)
  return tf.tidy(() => compute().map((tensor) => Float32Array.from(tensor.dataSync() as ArrayLike<number>)))
}

/** Collects the cases that miss the tolerance, so one failing test lists all of them with their numbers. */
class Mismatches {
  readonly failures: string[] = []

  record(name: string, caseLabel: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
    const { error, note } = relativeError(actual, expected)
    worstErrors.set(name, Math.max(worstErrors.get(name) ?? 0, error))
    if (!(error <= TOLERANCE)) this.failures.push(`${name} ${caseLabel}: relative error ${error.toExponential(3)} (${note})`)
  }

  /** Computes on cpu, then on onednn, and records each named output. */
  async compare(names: string[], caseLabel: string, compute: () => tf.Tensor[]): Promise<void> {
    const expected = await onBackend('cpu', compute)
    const actual = await onBackend(ONEDNN, compute)
    expect(actual.length).toBe(names.length)
    names.forEach((name, index) => this.record(name, caseLabel, actual[index], expected[index]))
  }

  expectNone(): void {
    expect(this.failures, this.failures.slice(0, 20).join('\n')).toEqual([])
  }
}

/**
 * The addon as the backend sees it, with every function counting its calls. The native module's own properties
 * are read-only, so the loader is wrapped instead: the kernels call through the object it returns.
 */
vi.mock('../../../src-main/services/engine/onednn/addon', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src-main/services/engine/onednn/addon')>()
  let counted: OneDnnAddon | undefined
  return {
    ...original,
    loadOneDnnAddon: (env?: NodeJS.ProcessEnv): OneDnnAddon => {
      if (counted) return counted
      const addon = original.loadOneDnnAddon(env)
      const wrapper: Record<string, unknown> = {}
      for (const name of Object.getOwnPropertyNames(addon)) {
        const value = (addon as unknown as Record<string, unknown>)[name]
        wrapper[name] = typeof value !== 'function' ? value : (...args: unknown[]) => {
          addonCalls.set(name, (addonCalls.get(name) ?? 0) + 1)
          return (value as (...a: unknown[]) => unknown).apply(addon, args)
        }
      }
      counted = wrapper as unknown as OneDnnAddon
      return counted
    },
  }
})

function callsOf(name: keyof OneDnnAddon): number {
  return addonCalls.get(name) ?? 0
}

/** Asserts the addon function ran (at least `minimum` times) during `body`: the native path was not bypassed. */
async function expectNativeCalls(names: Array<keyof OneDnnAddon>, body: () => Promise<void>, minimum = 1): Promise<void> {
  const before = names.map(callsOf)
  await body()
  names.forEach((name, index) => {
    expect(callsOf(name) - before[index], `addon.${name} calls`).toBeGreaterThanOrEqual(minimum)
  })
}

/** A test that skips, with the reason printed, when the addon is not available. */
function nativeIt(name: string, body: () => Promise<void> | void): void {
  it(name, async (context: TestContext) => {
    if (unavailable !== undefined) return skipWithReason(context, unavailable)
    await body()
  })
}

beforeAll(async () => {
  try {
    await initOneDnnBackend()
    nativeRefusals.clear()
  } catch (error) {
    unavailable = `onednn backend unavailable: ${error instanceof Error ? error.message : String(error)}`
  }
})

afterAll(() => {
  const summary = [...worstErrors].map(([name, error]) => `${name}=${error.toExponential(2)}`).join(' ')
  console.info(`worst relative error onednn vs cpu: ${summary}`)
  console.info(`addon calls: ${[...addonCalls].map(([name, count]) => `${name}=${count}`).join(' ')}`)
  console.info(`onednn-kernels suite: ${((performance.now() - startedAt) / 1000).toFixed(1)} s`)
})

// ---------------------------------------------------------------------------------------------------------------
// Convolutions

interface ConvolutionCase {
  label: string
  inputShape: Shape4
  filterShape: Shape4
  strides: number
  pad: Padding
  dilation: number
}

function convolutionGeometry(testCase: Omit<ConvolutionCase, 'label'>): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    testCase.inputShape, testCase.filterShape, testCase.strides, testCase.dilation, testCase.pad as 'same',
  )
}

/**
 * Strides 1-3 × every padding form × odd, even and non-square images × filters 1, 3, 5, 7 (and a non-square one)
 * × input channels 1, 3, 4 (Conv2DBackpropInput's columns path, under 5 channels) and 5, 6, 8 (oneDNN's).
 */
function convolutionCases(): ConvolutionCase[] {
  const cases: ConvolutionCase[] = []
  const paddings: Padding[] = ['same', 'valid', 1, [[0, 0], [2, 0], [1, 3], [0, 0]]]
  const inChannelsList = [1, 3, 6, 8, 4, 5]
  const outChannelsList = [4, 5, 2, 7]
  const filters: Array<[number, number]> = [[1, 1], [3, 3], [5, 5], [7, 7], [3, 5], [2, 2]]
  let counter = 0
  for (const strides of [1, 2, 3]) {
    for (const pad of paddings) {
      for (const [height, width] of [[7, 7], [8, 9], [9, 12]]) {
        for (const [filterHeight, filterWidthWanted] of filters) {
          // tfjs-core sizes numeric-pad outputs wrongly for non-square filters, so the cpu reference is only valid
          // for square ones there.
          const filterWidth = typeof pad === 'number' ? filterHeight : filterWidthWanted
          counter++
          const inChannels = inChannelsList[counter % inChannelsList.length]
          const outChannels = outChannelsList[(counter + strides) % outChannelsList.length]
          const inputShape: Shape4 = [2 + (height % 2), height, width, inChannels]
          const filterShape: Shape4 = [filterHeight, filterWidth, inChannels, outChannels]
          const base = { inputShape, filterShape, strides, pad, dilation: 1 }
          const geometry = convolutionGeometry(base)
          if (geometry.outHeight <= 0 || geometry.outWidth <= 0) continue
          cases.push({ ...base, label: `x=${inputShape} w=${filterShape} s=${strides} pad=${JSON.stringify(pad)}` })
        }
      }
    }
  }
  return cases
}

function dilatedCases(): ConvolutionCase[] {
  const cases: ConvolutionCase[] = []
  const paddings: Padding[] = ['same', 'valid', 2, [[0, 0], [1, 2], [3, 0], [0, 0]]]
  let counter = 0
  for (const pad of paddings) {
    for (const [height, width] of [[9, 12], [8, 9]]) {
      for (const filterSize of [2, 3, 5]) {
        counter++
        const inChannels = [1, 3, 6, 8][counter % 4]
        const inputShape: Shape4 = [2, height, width, inChannels]
        const filterShape: Shape4 = [filterSize, filterSize, inChannels, 3 + (counter % 3)]
        const base = { inputShape, filterShape, strides: 1, pad, dilation: 2 }
        const geometry = convolutionGeometry(base)
        if (geometry.outHeight <= 0 || geometry.outWidth <= 0) continue
        cases.push({ ...base, label: `x=${inputShape} w=${filterShape} dilation=2 pad=${JSON.stringify(pad)}` })
      }
    }
  }
  return cases
}

describe('onednn backend setup', () => {
  nativeIt('is active with the native kernels registered', async () => {
    const info = await initOneDnnBackend()
    expect(tf.getBackend()).toBe(ONEDNN)
    expect(info.kernels).toEqual(expect.arrayContaining([
      'Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Add', 'Maximum', 'Step', 'LeakyRelu',
      'FusedBatchNorm', 'Sum', 'Mean', 'Tile', 'PadV2', 'Slice', 'MaxPool', 'MaxPoolGrad',
    ]))
  })
})

describe('convolutions match cpu', () => {
  const cases = convolutionCases()

  nativeIt(`conv2d and fused conv2d (bias, relu/linear), forward and gradients (${cases.length} shapes)`, async () => {
    const mismatches = new Mismatches()
    await expectNativeCalls(['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'], async () => {
      for (const [index, testCase] of cases.entries()) {
        const { inputShape, filterShape, strides, pad } = testCase
        const outShape = convolutionGeometry(testCase).outShape
        const inputValues = pseudoRandom(size(inputShape), 100 + index)
        const filterValues = pseudoRandom(size(filterShape), 200 + index)
        const weights = pseudoRandom(size(outShape), 300 + index)
        const biasValues = pseudoRandom(filterShape[3], 400 + index)
        const activation = index % 4 < 2 ? 'relu' : 'linear'
        // The fused gradients (the same two kernels after a Step or nothing) on every other case, to keep it quick.
        const fusedGradients = index % 2 === 0
        const names = ['conv2d forward', 'conv2d dx', 'conv2d dw', `fused ${activation} forward`,
          ...(fusedGradients ? [`fused ${activation} dx`, `fused ${activation} dw`, `fused ${activation} dbias`] : [])]
        await mismatches.compare(names, testCase.label, () => {
          const x = tf.tensor4d(inputValues, inputShape)
          const filter = tf.tensor4d(filterValues, filterShape)
          const bias = tf.tensor1d(biasValues)
          // A weighted sum gives every output position its own dy value.
          const weighting = tf.tensor(weights, outShape)
          const plain = (input: tf.Tensor, kernel: tf.Tensor) => tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad)
          const fused = (input: tf.Tensor, kernel: tf.Tensor, offset: tf.Tensor) =>
            tf.fused.conv2d({ x: input as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides, pad, bias: offset, activation })
          const [dx, dw] = tf.grads((input: tf.Tensor, kernel: tf.Tensor) => plain(input, kernel).mul(weighting).sum())([x, filter])
          const fusedGrads = !fusedGradients ? [] : tf.grads((input: tf.Tensor, kernel: tf.Tensor, offset: tf.Tensor) =>
            fused(input, kernel, offset).mul(weighting).sum())([x, filter, bias])
          return [plain(x, filter), dx, dw, fused(x, filter, bias), ...fusedGrads]
        })
      }
    })
    mismatches.expectNone()
  })

  nativeIt('Conv2DBackpropInput and Conv2DBackpropFilter run directly, both input-channel paths', async () => {
    const mismatches = new Mismatches()
    const selected = cases.filter((_, index) => index % 3 === 1)
    await expectNativeCalls(['conv2dBackpropInput', 'conv2dBackpropFilter'], async () => {
      for (const [index, testCase] of selected.entries()) {
        const dyShape = convolutionGeometry(testCase).outShape
        const inputValues = pseudoRandom(size(testCase.inputShape), 500 + index)
        const filterValues = pseudoRandom(size(testCase.filterShape), 600 + index)
        const gradientValues = pseudoRandom(size(dyShape), 700 + index)
        const attrs = { strides: testCase.strides, pad: testCase.pad, dataFormat: 'NHWC', dilations: 1 }
        await mismatches.compare(['Conv2DBackpropFilter', 'Conv2DBackpropInput'], testCase.label, () => {
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
    mismatches.expectNone()
  })

  nativeIt('dilated conv2d and fused conv2d forward (dilation 2)', async () => {
    const mismatches = new Mismatches()
    const dilated = dilatedCases()
    expect(dilated.length).toBeGreaterThan(10)
    await expectNativeCalls(['conv2d'], async () => {
      for (const [index, testCase] of dilated.entries()) {
        const { inputShape, filterShape, pad } = testCase
        const inputValues = pseudoRandom(size(inputShape), 800 + index)
        const filterValues = pseudoRandom(size(filterShape), 900 + index)
        const biasValues = pseudoRandom(filterShape[3], 1000 + index)
        await mismatches.compare(['dilated conv2d', 'dilated fused conv2d'], testCase.label, () => {
          const x = tf.tensor4d(inputValues, inputShape)
          const filter = tf.tensor4d(filterValues, filterShape)
          return [
            tf.conv2d(x, filter, 1, pad, 'NHWC', 2),
            tf.fused.conv2d({ x, filter, strides: 1, pad, dilations: 2, bias: tf.tensor1d(biasValues), activation: 'relu' }),
          ]
        })
      }
    }, dilated.length * 2)
    mismatches.expectNone()
  })

  nativeIt('fused conv2d without bias, and with a scalar bias (cpu fallback)', async () => {
    const mismatches = new Mismatches()
    const inputShape: Shape4 = [2, 9, 12, 6]
    const filterShape: Shape4 = [3, 3, 6, 4]
    const inputValues = pseudoRandom(size(inputShape), 1100)
    const filterValues = pseudoRandom(size(filterShape), 1101)
    await mismatches.compare(['fused conv2d no bias', 'fused conv2d scalar bias'], 'x=2,9,12,6 w=3,3,6,4', () => {
      const x = tf.tensor4d(inputValues, inputShape)
      const filter = tf.tensor4d(filterValues, filterShape)
      return [
        tf.fused.conv2d({ x, filter, strides: 2, pad: 'same', activation: 'relu' }),
        tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', bias: tf.scalar(0.25), activation: 'relu' }),
      ]
    })
    mismatches.expectNone()
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Element-wise

type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'squaredDifference' | 'maximum' | 'minimum'
const BINARY_OPS: Record<BinaryName, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  squaredDifference: (a, b) => tf.squaredDifference(a, b),
  maximum: (a, b) => tf.maximum(a, b),
  minimum: (a, b) => tf.minimum(a, b),
}

/** Broadcasting patterns; each is also run with the operands swapped. */
const BROADCASTS: Array<[number[], number[]]> = [
  [[2, 3, 4, 5], [2, 3, 4, 5]],
  [[], [2, 3, 4]],
  [[1], [3, 7]],
  [[2, 3, 4, 5], [5]],
  [[1, 1, 1, 5], [2, 3, 4, 5]],
  [[2, 1, 1, 5], [2, 3, 4, 5]],
  [[6, 1], [6, 7]],
  [[1, 7], [6, 1]],
  [[3, 4, 1], [2, 3, 4, 5]],
  [[2, 1, 3, 1, 4], [1, 5, 3, 2, 1]],
  [[2, 3, 1, 2, 1, 3], [1, 3, 2, 1, 4, 3]],
  [[7], [7]],
]

/** Values away from zero (random sign), so division and its gradient stay well conditioned. */
function awayFromZero(count: number, seed: number): Float32Array {
  return pseudoRandom(count, seed).map((value) => Math.sign(value || 1) * (0.5 + Math.abs(value)))
}

describe('binary element-wise ops match cpu', () => {
  nativeIt('with broadcasting, forward and gradients (which reduce with Sum)', async () => {
    const mismatches = new Mismatches()
    await expectNativeCalls(['binary', 'sum'], async () => {
      let seed = 2000
      for (const [first, second] of BROADCASTS) {
        for (const [aShape, bShape] of [[first, second], [second, first]]) {
          const aValues = pseudoRandom(size(aShape), seed++)
          const bValues = awayFromZero(size(bShape), seed++)
          const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape)
          const weights = pseudoRandom(size(outShape), seed++)
          for (const [name, op] of Object.entries(BINARY_OPS)) {
            // tfjs's SquaredDifference, Maximum and Minimum gradients do not reduce over broadcast axes (they fail on
            // cpu too), so those three are differentiated with operands of one shape only.
            const reducingGradient = ['add', 'sub', 'mul', 'div'].includes(name)
            const gradients = reducingGradient || (size(aShape) === size(outShape) && size(bShape) === size(outShape))
            const names = gradients ? [name, `${name} da`, `${name} db`] : [name]
            await mismatches.compare(names, `a=[${aShape}] b=[${bShape}]`, () => {
              const a = tf.tensor(aValues, aShape)
              const b = tf.tensor(bValues, bShape)
              if (!gradients) return [op(a, b)]
              const weighting = tf.tensor(weights, outShape)
              const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => op(p, q).mul(weighting).sum())([a, b])
              return [op(a, b), da, db]
            })
          }
        }
      }
    })
    mismatches.expectNone()
  })

  nativeIt('maximum and minimum propagate NaN (and keep infinities) as cpu does', async () => {
    const mismatches = new Mismatches()
    const special = [NaN, Infinity, -Infinity, 0, -0, 1, -1]
    const cases: Array<[number[], number[]]> = [[[4, 6], [4, 6]], [[4, 6], [6]], [[1], [4, 6]], [[4, 1], [1, 6]]]
    await expectNativeCalls(['binary'], async () => {
      for (const [aShape, bShape] of cases) {
        for (const [left, right] of [[aShape, bShape], [bShape, aShape]]) {
          const aValues = pseudoRandom(size(left), 2500).map((value, index) => index % 3 === 0 ? special[index % special.length] : value)
          const bValues = pseudoRandom(size(right), 2501).map((value, index) => index % 4 === 1 ? special[(index + 3) % special.length] : value)
          await mismatches.compare(['maximum NaN', 'minimum NaN', 'add NaN', 'mul NaN'], `a=[${left}] b=[${right}]`, () => {
            const a = tf.tensor(aValues, left)
            const b = tf.tensor(bValues, right)
            return [tf.maximum(a, b), tf.minimum(a, b), tf.add(a, b), tf.mul(a, b)]
          })
        }
      }
    })
    mismatches.expectNone()
  })

  nativeIt('int32 operands still run (cpu fallback)', async () => {
    const mismatches = new Mismatches()
    const values = Int32Array.from(pseudoRandom(24, 2600), (value) => Math.round(value * 50))
    await mismatches.compare(['add int32', 'maximum int32'], 'int32 [4,6]+[6]', () => {
      const a = tf.tensor(values, [4, 6], 'int32')
      const b = tf.tensor(values.subarray(0, 6), [6], 'int32')
      return [tf.add(a, b).cast('float32'), tf.maximum(a, b).cast('float32')]
    })
    mismatches.expectNone()
  })
})

describe('unary element-wise ops match cpu', () => {
  /** Negatives, exact zeros, exact sixes and values above six, for the kinks of relu, relu6, step and abs. */
  function kinkyValues(count: number, seed: number): Float32Array {
    const specials = [0, -0, 6, 7.5, -6, 1, -1]
    return pseudoRandom(count, seed).map((value, index) => index % 5 === 0 ? specials[(index / 5) % specials.length] : value * 8)
  }

  const shape = [3, 5, 7]
  const unaryOps: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    relu: (x) => tf.relu(x),
    step: (x) => tf.step(x),
    'step alpha=0.3': (x) => tf.step(x, 0.3),
    neg: (x) => tf.neg(x),
    sqrt: (x) => tf.sqrt(x),
    rsqrt: (x) => tf.rsqrt(x),
    square: (x) => tf.square(x),
    exp: (x) => tf.exp(tf.div(x, 2)),
    log: (x) => tf.log(x),
    sigmoid: (x) => tf.sigmoid(x),
    abs: (x) => tf.abs(x),
    reciprocal: (x) => tf.reciprocal(x),
    relu6: (x) => tf.relu6(x),
    'leakyRelu alpha=0.2': (x) => tf.leakyRelu(x, 0.2),
    'leakyRelu alpha=-1.5': (x) => tf.leakyRelu(x, -1.5),
    elu: (x) => tf.elu(x),
  }

  nativeIt('forward on negatives, zeros and large values (NaN/Infinity where cpu gives them)', async () => {
    const mismatches = new Mismatches()
    const values = kinkyValues(size(shape), 3000)
    await expectNativeCalls(['unary'], async () => {
      for (const [name, op] of Object.entries(unaryOps)) {
        await mismatches.compare([name], `[${shape}]`, () => [op(tf.tensor(values, shape))])
      }
    }, Object.keys(unaryOps).length)
    mismatches.expectNone()
  })

  nativeIt('gradients (relu\'s is Step; abs\'s is Step with alpha −1), at the kinks too', async () => {
    const mismatches = new Mismatches()
    const kinky = kinkyValues(size(shape), 3001)
    // The ops undefined at or below zero get positive inputs for their gradients.
    const positive = pseudoRandom(size(shape), 3002).map((value) => 0.3 + Math.abs(value) * 3)
    const weights = pseudoRandom(size(shape), 3003)
    const needsPositive = new Set(['sqrt', 'rsqrt', 'log', 'reciprocal'])
    await expectNativeCalls(['unary'], async () => {
      for (const [name, op] of Object.entries(unaryOps)) {
        if (name.startsWith('step')) continue
        const values = needsPositive.has(name) ? positive : kinky
        await mismatches.compare([`${name} grad`], `[${shape}]`, () => {
          const weighting = tf.tensor(weights, shape)
          return [tf.grad((x: tf.Tensor) => op(x).mul(weighting).sum())(tf.tensor(values, shape))]
        })
      }
    })
    mismatches.expectNone()
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Reductions and layout

describe('reductions match cpu', () => {
  nativeIt('Sum and Mean over contiguous axes natively, and non-contiguous ones via the cpu fallback', async () => {
    const mismatches = new Mismatches()
    const shape = [3, 5, 7, 4]
    const values = pseudoRandom(size(shape), 4000)
    const contiguous: Array<number | number[] | null> = [0, [0, 1], [0, 1, 2], [1], [1, 2], [2, 1], [2, 3], 3, -1, [1, 2, 3], null, [0, 1, 2, 3]]
    const scattered: number[][] = [[0, 2], [1, 3], [0, 3], [0, 2, 3], [3, 0]]
    const run = async (axesList: Array<number | number[] | null>) => {
      for (const axes of axesList) {
        for (const keepDims of [false, true]) {
          await mismatches.compare(['Sum', 'Mean'], `axes=${JSON.stringify(axes)} keepDims=${keepDims}`, () => {
            const x = tf.tensor(values, shape)
            const sum = tf.sum(x, axes ?? undefined, keepDims)
            const mean = tf.mean(x, axes ?? undefined, keepDims)
            const reduced = axes == null ? [0, 1, 2, 3] : [axes].flat().map((axis) => (axis + 4) % 4)
            expect(sum.shape).toEqual(keepDims ? shape.map((d, i) => (reduced.includes(i) ? 1 : d)) : shape.filter((_, i) => !reduced.includes(i)))
            expect(mean.shape).toEqual(sum.shape)
            return [sum, mean]
          })
        }
      }
    }
    await expectNativeCalls(['sum'], () => run(contiguous), contiguous.length * 4)
    await run(scattered)
    // Rank 1 and rank 2.
    await mismatches.compare(['Sum', 'Mean'], 'rank 1', () => [tf.sum(tf.tensor1d(values.subarray(0, 13))), tf.mean(tf.tensor1d(values.subarray(0, 13)))])
    await mismatches.compare(['Sum', 'Mean'], 'rank 2 axis 0', () => [tf.sum(tf.tensor2d(values.subarray(0, 35), [5, 7]), 0), tf.mean(tf.tensor2d(values.subarray(0, 35), [5, 7]), 0)])
    mismatches.expectNone()
  })
})

describe('layout ops match cpu', () => {
  nativeIt('Tile', async () => {
    const mismatches = new Mismatches()
    const cases: Array<{ shape: number[]; reps: number[] }> = [
      { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1] },
      { shape: [2, 3], reps: [3, 2] },
      { shape: [4], reps: [3] },
      { shape: [2, 1, 3, 2, 2], reps: [1, 3, 2, 1, 2] },
      { shape: [2, 1, 2, 1, 2, 3], reps: [2, 2, 1, 3, 1, 2] },
      { shape: [3, 2, 2], reps: [1, 1, 1] },
      { shape: [1, 4, 1, 3], reps: [2, 1, 5, 1] },
    ]
    await expectNativeCalls(['tile'], async () => {
      for (const { shape, reps } of cases) {
        const values = pseudoRandom(size(shape), 5000 + size(reps))
        const weights = pseudoRandom(size(shape) * size(reps), 5001)
        // tfjs implements Tile's gradient up to rank 4.
        const gradient = shape.length <= 4
        await mismatches.compare(gradient ? ['Tile', 'Tile grad'] : ['Tile'], `shape=${shape} reps=${reps}`, () => {
          const x = tf.tensor(values, shape)
          if (!gradient) return [tf.tile(x, reps)]
          const weighting = tf.tensor(weights, shape.map((d, i) => d * reps[i]))
          return [tf.tile(x, reps), tf.grad((input: tf.Tensor) => tf.tile(input, reps).mul(weighting).sum())(x)]
        })
      }
    }, cases.length)
    mismatches.expectNone()
  })

  nativeIt('pad with a constant value, ranks 1-6', async () => {
    const mismatches = new Mismatches()
    const cases: Array<{ shape: number[]; paddings: Array<[number, number]>; value: number }> = [
      { shape: [5], paddings: [[2, 3]], value: 0 },
      { shape: [3, 4], paddings: [[0, 2], [1, 0]], value: -1.5 },
      { shape: [2, 3, 4], paddings: [[1, 1], [0, 0], [2, 1]], value: 2.5 },
      { shape: [2, 5, 6, 3], paddings: [[0, 0], [1, 2], [3, 0], [0, 0]], value: 0 },
      { shape: [2, 5, 6, 3], paddings: [[1, 0], [0, 0], [0, 0], [2, 2]], value: 7 },
      { shape: [2, 1, 3, 2, 2], paddings: [[0, 1], [1, 1], [0, 0], [2, 0], [0, 1]], value: -3 },
      { shape: [2, 2, 1, 3, 2, 2], paddings: [[1, 0], [0, 0], [1, 1], [0, 2], [0, 0], [1, 0]], value: 0.5 },
      { shape: [3, 4], paddings: [[0, 0], [0, 0]], value: 9 },
    ]
    await expectNativeCalls(['pad'], async () => {
      for (const { shape, paddings, value } of cases) {
        const values = pseudoRandom(size(shape), 5100 + shape.length)
        await mismatches.compare(['PadV2'], `shape=${shape} paddings=${JSON.stringify(paddings)} value=${value}`, () => [
          tf.pad(tf.tensor(values, shape), paddings, value),
        ])
      }
    }, cases.length)
    // An empty tensor padded is all constant.
    await mismatches.compare(['PadV2'], 'empty [0,3]', () => [tf.pad(tf.zeros([0, 3]), [[1, 1], [0, 2]], 1.5)])
    mismatches.expectNone()
  })

  nativeIt('non-contiguous slice and its gradient (a pad), contiguous slice (a view)', async () => {
    const mismatches = new Mismatches()
    const cases: Array<{ shape: number[]; begin: number[]; extent: number[] }> = [
      { shape: [4, 7], begin: [1, 2], extent: [2, 4] },
      { shape: [2, 5, 6, 3], begin: [0, 1, 2, 0], extent: [2, 3, 3, 3] },
      { shape: [2, 5, 6, 3], begin: [1, 0, 0, 1], extent: [1, 5, 6, 2] },
      { shape: [3, 4, 5], begin: [0, 0, 1], extent: [3, 4, 3] },
      { shape: [2, 3, 4, 2, 3], begin: [0, 1, 1, 0, 1], extent: [2, 2, 2, 2, 2] },
      { shape: [2, 2, 3, 2, 2, 3], begin: [1, 0, 1, 0, 1, 0], extent: [1, 2, 2, 2, 1, 2] },
      { shape: [6, 5], begin: [1, 0], extent: [3, 5] }, // contiguous
      { shape: [2, 5, 6, 3], begin: [1, 2, 0, 0], extent: [1, 2, 6, 3] }, // contiguous
    ]
    await expectNativeCalls(['slice', 'pad'], async () => {
      for (const { shape, begin, extent } of cases) {
        const values = pseudoRandom(size(shape), 5200 + size(extent))
        const weights = pseudoRandom(size(extent), 5201)
        await mismatches.compare(['Slice', 'Slice grad'], `shape=${shape} begin=${begin} size=${extent}`, () => {
          const x = tf.tensor(values, shape)
          const weighting = tf.tensor(weights, extent)
          return [tf.slice(x, begin, extent), tf.grad((input: tf.Tensor) => tf.slice(input, begin, extent).mul(weighting).sum())(x)]
        })
      }
    }, 6)
    mismatches.expectNone()
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Pooling and batch norm

describe('max pooling matches cpu', () => {
  nativeIt('forward and gradient, with ties (the first maximum in the window takes the gradient)', async () => {
    const mismatches = new Mismatches()
    const shape: Shape4 = [2, 9, 8, 3]
    let cases = 0
    await expectNativeCalls(['maxPool', 'maxPoolGrad'], async () => {
      for (const filterSize of [2, 3]) {
        for (const strides of [1, 2, 3]) {
          for (const pad of ['same', 'valid', 1] as const) {
            if (typeof pad === 'number' && (filterSize !== 3 || strides !== 1)) continue
            const random = pseudoRandom(size(shape), 6000 + filterSize * 10 + strides)
            const variants: Array<[string, Float32Array]> = [
              ['distinct', random],
              // Three distinct values: ties in nearly every window.
              ['ties', random.map((value) => Math.round(value))],
              // All equal.
              ['constant', random.map(() => 0.5)],
              // All negative: padding must not act as a zero.
              ['negative', random.map((value) => value - 2)],
            ]
            for (const [kind, values] of variants) {
              const label = `filter=${filterSize} s=${strides} pad=${pad} ${kind}`
              cases++
              await mismatches.compare(['MaxPool', 'MaxPoolGrad'], label, () => {
                const x = tf.tensor4d(values, shape)
                const pooled = tf.maxPool(x, filterSize, strides, pad)
                const weighting = tf.tensor(pseudoRandom(pooled.size, 6100), pooled.shape)
                return [pooled, tf.grad((input: tf.Tensor) => tf.maxPool(input as tf.Tensor4D, filterSize, strides, pad).mul(weighting).sum())(x)]
              })
            }
          }
        }
      }
    }, 20)
    expect(cases).toBeGreaterThan(40)
    mismatches.expectNone()
  })
})

describe('inference batch norm matches cpu', () => {
  nativeIt('per-channel and scalar parameters, with and without offset and scale, forward and gradients', async () => {
    const mismatches = new Mismatches()
    const channels = 3
    const mean = pseudoRandom(channels, 7000)
    const variance = pseudoRandom(channels, 7001).map((value) => 0.2 + Math.abs(value))
    const offset = pseudoRandom(channels, 7002)
    const scale = pseudoRandom(channels, 7003).map((value) => 1 + value / 2)
    for (const shape of [[2, 4, 5, channels], [6, channels], [2, 3, 2, 2, channels]]) {
      const values = pseudoRandom(size(shape), 7004 + shape.length).map((value) => value * 3)
      const weights = pseudoRandom(size(shape), 7005)
      type Params = { mean: tf.Tensor; variance: tf.Tensor; offset?: tf.Tensor; scale?: tf.Tensor }
      const variants: Array<[string, () => Params]> = [
        ['all', () => ({ mean: tf.tensor1d(mean), variance: tf.tensor1d(variance), offset: tf.tensor1d(offset), scale: tf.tensor1d(scale) })],
        ['no offset', () => ({ mean: tf.tensor1d(mean), variance: tf.tensor1d(variance), scale: tf.tensor1d(scale) })],
        ['no scale', () => ({ mean: tf.tensor1d(mean), variance: tf.tensor1d(variance), offset: tf.tensor1d(offset) })],
        ['neither', () => ({ mean: tf.tensor1d(mean), variance: tf.tensor1d(variance) })],
        ['scalars', () => ({ mean: tf.scalar(mean[0]), variance: tf.scalar(variance[0]), offset: tf.scalar(offset[0]), scale: tf.scalar(scale[0]) })],
      ]
      await expectNativeCalls(['batchNorm'], async () => {
        for (const [kind, params] of variants) {
          await mismatches.compare(['batchNorm'], `x=[${shape}] ${kind}`, () => {
            const { mean: m, variance: v, offset: o, scale: s } = params()
            return [tf.batchNorm(tf.tensor(values, shape), m, v, o, s, 1e-3)]
          })
        }
      }, variants.length)
      if (shape.length === 4) {
        // tfjs's batchNorm gradient covers rank 4 (x, mean, variance, offset, scale).
        await mismatches.compare(['batchNorm dx', 'batchNorm dmean', 'batchNorm dvariance', 'batchNorm doffset', 'batchNorm dscale'], `x=[${shape}]`, () => {
          const weighting = tf.tensor(weights, shape)
          return tf.grads((x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
            tf.batchNorm(x as tf.Tensor4D, m, v, o, s, 1e-3).mul(weighting).sum())(
            [tf.tensor(values, shape), tf.tensor1d(mean), tf.tensor1d(variance), tf.tensor1d(offset), tf.tensor1d(scale)])
        })
      }
    }
    mismatches.expectNone()
  })
})

describe('training-mode batch norm (project layer) matches cpu', () => {
  nativeIt('batchNormTraining and its gradients against tf.moments + tf.batchNorm on cpu', async () => {
    const mismatches = new Mismatches()
    const epsilon = 1e-3
    for (const shape of [[3, 4, 5, 6], [7, 3], [2, 3, 2, 4, 5], [4, 6, 6, 1]]) {
      const channels = shape[shape.length - 1]
      const axes = shape.slice(0, -1).map((_, axis) => axis)
      const values = pseudoRandom(size(shape), 8000 + size(shape)).map((value, index) => value * 2 + (index % channels))
      const gammaValues = pseudoRandom(channels, 8001).map((value) => 1 + value / 2)
      const betaValues = pseudoRandom(channels, 8002)
      const weights = pseudoRandom(size(shape), 8003)
      const label = `x=[${shape}]`

      const expected = await onBackend('cpu', () => {
        const x = tf.tensor(values, shape)
        const gamma = tf.tensor1d(gammaValues)
        const beta = tf.tensor1d(betaValues)
        const weighting = tf.tensor(weights, shape)
        const composite = (input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
          const moments = tf.moments(input, axes)
          // tfjs's batchNorm gradient stops at rank 4: above it, the same formula spelled out.
          const y = shape.length <= 4
            ? tf.batchNorm(input, moments.mean, moments.variance, offset, scale, epsilon)
            : tf.sub(input, moments.mean).mul(tf.rsqrt(tf.add(moments.variance, epsilon))).mul(scale).add(offset)
          return { y, ...moments }
        }
        const { y, mean, variance } = composite(x, gamma, beta)
        const grads = tf.grads((input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) =>
          composite(input, scale, offset).y.mul(weighting).sum())([x, gamma, beta])
        return [y, mean, variance, ...grads]
      })

      const kept: tf.Tensor[] = []
      const before = [callsOf('batchNormTraining'), callsOf('batchNormTrainingGrad')]
      const actual = await onBackend(ONEDNN, () => {
        const x = tf.tensor(values, shape)
        const gamma = tf.tensor1d(gammaValues)
        const beta = tf.tensor1d(betaValues)
        const weighting = tf.tensor(weights, shape)
        const forward = batchNormTraining(x, gamma, beta, epsilon)
        kept.push(forward.mean, forward.variance)
        const grads = tf.grads((input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
          const result = batchNormTraining(input, scale, offset, epsilon)
          kept.push(result.mean, result.variance)
          return result.y.mul(weighting).sum()
        })([x, gamma, beta])
        return [forward.y, forward.mean, forward.variance, ...grads]
      })
      tf.dispose(kept)
      expect(callsOf('batchNormTraining') - before[0]).toBeGreaterThanOrEqual(2)
      expect(callsOf('batchNormTrainingGrad') - before[1]).toBeGreaterThanOrEqual(1)
      const names = ['batchNormTraining y', 'batchNormTraining mean', 'batchNormTraining variance',
        'batchNormTraining dx', 'batchNormTraining dgamma', 'batchNormTraining dbeta']
      names.forEach((name, index) => mismatches.record(name, label, actual[index], expected[index]))
    }
    mismatches.expectNone()
  })

  nativeIt('one SGD step of conv → batchNormalization → relu → … → dense gives the same loss and weights', async () => {
    const mismatches = new Mismatches()
    const batch = 4
    const inputShape = [8, 9, 3]
    const classes = 3
    const buildModel = () => tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape, filters: 8, kernelSize: 3, padding: 'same', useBias: false }),
        batchNormalization({ momentum: 0.5 }),
        tf.layers.reLU(),
        // No bias before a batch norm: its gradient is zero, so its change is rounding noise on either backend.
        tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
        batchNormalization({ momentum: 0.8, epsilon: 1e-3 }),
        tf.layers.reLU(),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: classes, activation: 'softmax' }),
      ],
    })
    const images = pseudoRandom(batch * size(inputShape), 9000)
    const labels = new Float32Array(batch * classes).map((_, index) => (index % classes === Math.floor(index / classes) % classes ? 1 : 0))

    // Identical starting weights as plain arrays: deterministic, with non-trivial gamma, beta and moving statistics.
    expect(await tf.setBackend('cpu')).toBe(true)
    const template = buildModel()
    const shapes = template.weights.map((weight) => weight.shape as number[])
    const kinds = template.weights.map((weight) => weight.originalName.split('/').pop())
    template.dispose()
    expect([...kinds].sort()).toEqual(['beta', 'beta', 'bias', 'gamma', 'gamma', 'kernel', 'kernel', 'kernel', 'moving_mean',
      'moving_mean', 'moving_variance', 'moving_variance'])
    const initial = shapes.map((shape, index) => {
      const random = pseudoRandom(size(shape), 9100 + index)
      const fanIn = size(shape) / shape[shape.length - 1]
      const transform: Record<string, (value: number) => number> = {
        kernel: (value) => value * Math.sqrt(3 / fanIn),
        bias: (value) => value / 4,
        gamma: (value) => 1 + value / 3,
        beta: (value) => value / 4,
        moving_mean: (value) => value / 5,
        moving_variance: (value) => 1 + Math.abs(value),
      }
      return random.map(transform[kinds[index] ?? ''] ?? ((value) => value))
    })

    const trainOnce = async (backendName: string) => {
      expect(await tf.setBackend(backendName)).toBe(true)
      const model = buildModel()
      model.setWeights(initial.map((values, index) => tf.tensor(values, shapes[index])))
      // Layer names carry a per-process counter; what is compared is the kind of each weight, in order.
      const names = model.weights.map((weight) => weight.originalName.replace(/_\d+|\d+(?=\/)/g, ''))
      model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' })
      const x = tf.tensor4d(images, [batch, ...inputShape] as Shape4)
      const y = tf.tensor2d(labels, [batch, classes])
      const loss = (await model.trainOnBatch(x, y)) as number
      const weights = model.getWeights().map((weight) => Float32Array.from(weight.dataSync()))
      const prediction = tf.tidy(() => Float32Array.from((model.predict(x) as tf.Tensor).dataSync()))
      tf.dispose([x, y])
      model.dispose()
      return { loss, weights, prediction, names }
    }

    const expected = await trainOnce('cpu')
    const before = [callsOf('batchNormTraining'), callsOf('batchNormTrainingGrad'), callsOf('conv2dBackpropInput')]
    const actual = await trainOnce(ONEDNN)
    // The fused kernels and the native convolution gradient actually ran.
    expect(callsOf('batchNormTraining') - before[0]).toBe(2)
    expect(callsOf('batchNormTrainingGrad') - before[1]).toBe(2)
    expect(callsOf('conv2dBackpropInput') - before[2]).toBeGreaterThanOrEqual(1)

    expect(actual.names).toEqual(expected.names)
    expect(Number.isFinite(expected.loss)).toBe(true)
    mismatches.record('model loss', 'trainOnBatch', [actual.loss], [expected.loss])
    expected.weights.forEach((weights, index) => {
      const name = expected.names[index]
      const kind = /moving_(mean|variance)/.test(name) ? 'model moving statistics' : 'model updated weights'
      mismatches.record(kind, name, actual.weights[index], weights)
      // The step itself (the learning rate times the gradient), far stricter than the updated values.
      const step = (values: Float32Array) => values.map((value, i) => value - initial[index][i])
      mismatches.record(`${kind} (change)`, name, step(actual.weights[index]), step(weights))
    })
    mismatches.record('model prediction after step', 'predict', actual.prediction, expected.prediction)
    expect(expected.weights.some((weights, index) => weights.some((value, i) => value !== initial[index][i]))).toBe(true)
    mismatches.expectNone()
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Memory recycling

describe('output memory recycling is safe', () => {
  const shape = [3, 17, 11]
  const values = pseudoRandom(size(shape), 10000)

  nativeIt('recycles an output nobody can see any more (the premise of the tests below)', async () => {
    expect(await tf.setBackend(ONEDNN)).toBe(true)
    const backend = tf.backend() as OneDnnBackend
    const x = tf.tensor(values, shape)
    const first = tf.relu(x)
    const memory = backend.data.get(first.dataId)!.values
    first.dispose()
    const second = tf.neg(x)
    expect(backend.data.get(second.dataId)!.values).toBe(memory)
    tf.dispose([x, second])
  })

  nativeIt('never recycles memory that escaped through dataSync, data or arraySync', async () => {
    expect(await tf.setBackend(ONEDNN)).toBe(true)
    const x = tf.tensor(values, shape)
    const expectedRelu = values.map((value) => Math.max(value, 0))
    const expectedNeg = values.map((value) => -value)
    const expectedAbs = values.map((value) => Math.abs(value))

    const t = tf.relu(x)
    const v = t.dataSync()
    t.dispose()
    const u = tf.neg(x)
    const w = await u.data()
    u.dispose()
    const s = tf.abs(x)
    const nested = s.arraySync() as number[][][]
    const sValues = s.dataSync()
    s.dispose()

    // Churn: many same-sized outputs, made and disposed.
    for (let round = 0; round < 10; round++) {
      tf.tidy(() => {
        let y = tf.sigmoid(x)
        for (const op of [tf.exp, tf.square, tf.neg, tf.relu, tf.abs]) y = op(y)
        tf.add(y, x)
        tf.mul(x, y)
        tf.maximum(x, y)
      })
    }
    expect(Array.from(v)).toEqual(Array.from(expectedRelu))
    expect(Array.from(w as Float32Array)).toEqual(Array.from(expectedNeg))
    expect(Array.from(sValues)).toEqual(Array.from(expectedAbs))
    expect(nested.flat(2)).toEqual(Array.from(expectedAbs))
    x.dispose()
  })

  nativeIt('keeps a contiguous slice view intact after its parent is disposed', async () => {
    expect(await tf.setBackend(ONEDNN)).toBe(true)
    const x = tf.tensor(values, shape)
    const big = tf.relu(x)
    const s = tf.slice(big, [1, 0, 0], [2, 17, 11])
    const backend = tf.backend() as OneDnnBackend
    const memoryOf = (tensor: tf.Tensor) => (backend.data.get(tensor.dataId)!.values as Float32Array).buffer
    expect(memoryOf(s)).toBe(memoryOf(big))
    big.dispose()
    // Same-sized outputs as the parent and as the slice, made and disposed, before s is read.
    const sliceValues = pseudoRandom(s.size, 10001)
    for (let round = 0; round < 10; round++) {
      tf.tidy(() => {
        for (const op of [tf.neg, tf.exp, tf.sigmoid, tf.relu]) op(x)
        const small = tf.tensor(sliceValues, s.shape)
        for (const op of [tf.neg, tf.exp, tf.sigmoid, tf.relu]) op(small)
        tf.add(small, tf.abs(small))
      })
    }
    const expected = values.subarray(17 * 11, 3 * 17 * 11).map((value) => Math.max(value, 0))
    // Used as an input first (a native op reading the view), then read.
    const doubled = tf.tidy(() => Array.from(tf.mul(s, 2).dataSync()))
    expect(doubled).toEqual(Array.from(expected, (value) => value * 2))
    expect(Array.from(s.dataSync())).toEqual(Array.from(expected))
    tf.dispose([s, x])
  })
})

// ---------------------------------------------------------------------------------------------------------------

describe('no silent fallback', () => {
  nativeIt('the addon refused no call during the suite', () => {
    const refusals = Object.fromEntries(nativeRefusals)
    for (const kernel of ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad']) {
      expect(refusals[kernel], `${kernel} refused: ${JSON.stringify(refusals[kernel])}`).toBeUndefined()
    }
    expect(refusals).toEqual({})
  })
})
