import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { buildUNet, resolveUNetOptions } from '../../../../src-main/services/lung/model/unet'

beforeAll(async () => {
  await initWasmBackend()
})

describe('buildUNet', () => {
  it('has the hand-counted parameters of a depth-1, 2-filter U-Net without batch norm', () => {
    // down1: 3×3×1×2+2 = 20, 3×3×2×2+2 = 38; bottleneck: 3×3×2×4+4 = 76, 3×3×4×4+4 = 148;
    // up1: transpose 2×2×4×2+2 = 34, after concat (2+2 channels) 3×3×4×2+2 = 74, 3×3×2×2+2 = 38; output 1×1×2×1+1 = 3.
    const model = buildUNet({ inputSize: 8, depth: 1, baseFilters: 2, batchNorm: false, seed: 1 })
    expect(model.countParams()).toBe(20 + 38 + 76 + 148 + 34 + 74 + 38 + 3)
    model.dispose()
  })

  it('maps [n, s, s, 1] to probabilities of the same shape, for both upsampling modes', () => {
    for (const upsampling of ['transpose', 'nearest'] as const) {
      const model = buildUNet({ inputSize: 32, depth: 3, baseFilters: 4, upsampling, seed: 2 })
      expect(model.outputs[0].shape).toEqual([null, 32, 32, 1])
      const output = tf.tidy(() => model.predict(tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 3)) as tf.Tensor)
      const values = output.dataSync()
      expect(output.shape).toEqual([2, 32, 32, 1])
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...values)).toBeLessThanOrEqual(1)
      output.dispose()
      model.dispose()
    }
  })

  it('starts from the same weights for the same seed', () => {
    const first = buildUNet({ inputSize: 16, depth: 2, baseFilters: 2, seed: 9 })
    const second = buildUNet({ inputSize: 16, depth: 2, baseFilters: 2, seed: 9 })
    const a = first.getWeights().map((weight) => Array.from(weight.dataSync()))
    const b = second.getWeights().map((weight) => Array.from(weight.dataSync()))
    expect(b).toEqual(a)
    first.dispose()
    second.dispose()
  })

  it('rejects sizes the pooling cannot halve evenly', () => {
    expect(() => buildUNet({ inputSize: 36, depth: 3, baseFilters: 4 })).toThrow(/multiple of 2\^depth = 8/)
    expect(() => resolveUNetOptions({ inputSize: 32, depth: 0, baseFilters: 4 })).toThrow(/depth/)
  })
})
