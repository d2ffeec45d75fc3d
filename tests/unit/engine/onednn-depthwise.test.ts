/**
 * The onednn backend's depthwise convolution kernels (TypeScript, see onednn/depthwiseKernels.ts) against tfjs's
 * cpu backend, the reference: the forward pass, both gradients through tf.grads, for strides 1–3, every padding
 * form, odd, even and non-square images and filters. They add each element's terms in the cpu kernels' order and
 * precision, so the results must agree to 1e-6 (they do bit for bit where the orders match exactly). Every call is
 * watched, so a case the kernels handed back to the cpu kernel cannot pass for theirs.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initOneDnnBackend, ONEDNN_BACKEND_NAME } from '../../../src-main/services/engine/onednn/backend'
import { DEPTHWISE_KERNELS, depthwiseGeometry } from '../../../src-main/services/engine/onednn/depthwiseKernels'
import { nativeRefusals } from '../../../src-main/services/engine/onednn/kernelUtils'
import { pseudoRandom, relativeError } from '../../helpers/numeric'
import { skipWithReason } from '../../helpers/skip'

type Padding = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]]
type Shape4 = [number, number, number, number]

const TOLERANCE = 1e-6
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

interface DepthwiseCase {
  label: string
  inputShape: Shape4
  filterShape: Shape4
  strides: number
  pad: Padding
}

function cases(): DepthwiseCase[] {
  const list: DepthwiseCase[] = []
  const paddings: Padding[] = ['same', 'valid', [[0, 0], [2, 0], [1, 3], [0, 0]]]
  let counter = 0
  for (const strides of [1, 2, 3]) {
    for (const pad of paddings) {
      for (const [height, width] of [[7, 7], [8, 9], [12, 10]]) {
        for (const [filterHeight, filterWidth] of [[3, 3], [1, 1], [5, 5], [3, 5], [2, 2]]) {
          counter++
          const channels = [1, 3, 8, 5][counter % 4]
          const inputShape: Shape4 = [2 + (counter % 2), height, width, channels]
          const filterShape: Shape4 = [filterHeight, filterWidth, channels, 1]
          const geometry = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad as 'same', undefined, true)
          if (geometry.outHeight <= 0 || geometry.outWidth <= 0) continue
          list.push({ label: `x=${inputShape} w=${filterShape} s=${strides} pad=${JSON.stringify(pad)}`, inputShape, filterShape, strides, pad })
        }
      }
    }
  }
  return list
}

/** The forward output and the gradients of Σ y·r (r fixed, so every output element weighs differently). */
async function depthwiseOn(backend: string, testCase: DepthwiseCase, seed: number): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true)
  return tf.tidy(() => {
    const x = tf.tensor4d(pseudoRandom(testCase.inputShape.reduce((a, b) => a * b, 1), seed), testCase.inputShape)
    const filter = tf.tensor4d(pseudoRandom(testCase.filterShape.reduce((a, b) => a * b, 1), seed + 1), testCase.filterShape)
    const apply = (input: tf.Tensor4D, weights: tf.Tensor4D) => tf.depthwiseConv2d(input, weights, testCase.strides, testCase.pad)
    const output = apply(x, filter)
    const weighting = tf.tensor(pseudoRandom(output.size, seed + 2), output.shape)
    const [dx, dFilter] = tf.grads((input: tf.Tensor, weights: tf.Tensor) => apply(input as tf.Tensor4D, weights as tf.Tensor4D).mul(weighting).sum())([x, filter])
    return [output, dx, dFilter].map((tensor) => Float32Array.from(tensor.dataSync()))
  })
}

describe('onednn depthwise convolution kernels', () => {
  it('forward, input and filter gradients equal the cpu kernels for strides 1–3 and every padding form', async (context) => {
    if (unavailable) return skipWithReason(context, unavailable)
    nativeRefusals.clear()
    // The backend calls each kernel's `run` through the kernel object, so a spy sees every call and its result.
    const spies = DEPTHWISE_KERNELS.map((kernel) => vi.spyOn(kernel, 'run'))
    const failures: string[] = []
    const worst = [0, 0, 0]
    const all = cases()
    expect(all.length).toBeGreaterThan(100)
    for (const [index, testCase] of all.entries()) {
      const attrs = { strides: testCase.strides, pad: testCase.pad }
      expect(depthwiseGeometry(testCase.inputShape, testCase.filterShape, attrs), `${testCase.label} is computed by the kernels`).toBeDefined()
      const expected = await depthwiseOn('cpu', testCase, 100 + index)
      const actual = await depthwiseOn(ONEDNN_BACKEND_NAME, testCase, 100 + index)
      ;['output', 'input gradient', 'filter gradient'].forEach((name, output) => {
        const error = relativeError(actual[output], expected[output])
        worst[output] = Math.max(worst[output], error)
        if (!(error <= TOLERANCE)) failures.push(`${name} ${testCase.label}: relative error ${error.toExponential(3)}`)
      })
    }
    expect(failures, failures.slice(0, 20).join('\n')).toEqual([])
    expect(Object.fromEntries(nativeRefusals)).toEqual({})
    DEPTHWISE_KERNELS.forEach((kernel, index) => {
      const results = spies[index].mock.results
      expect(results.length, `${kernel.kernelName} calls`).toBeGreaterThanOrEqual(all.length)
      expect(results.filter((result) => result.type !== 'return' || result.value === undefined), `${kernel.kernelName} calls handed to the cpu kernel`).toEqual([])
      spies[index].mockRestore()
    })
    console.log(`depthwise onednn vs cpu over ${all.length} cases, worst relative errors: output ${worst[0].toExponential(2)}, input gradient ${worst[1].toExponential(2)}, filter gradient ${worst[2].toExponential(2)}`)
  }, 120_000)

  it('leaves depth multipliers and dilations to the cpu kernels', () => {
    expect(depthwiseGeometry([1, 8, 8, 4], [3, 3, 4, 2], { strides: 1, pad: 'same' })).toBeUndefined()
    expect(depthwiseGeometry([1, 8, 8, 4], [3, 3, 4, 1], { strides: 1, pad: 'same', dilations: 2 })).toBeUndefined()
    expect(depthwiseGeometry([1, 8, 8, 4], [3, 3, 4, 1], { strides: 1, pad: 'same' })).toBeDefined()
  })
})
