import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { foldBatchNorm } from '../../../../src-main/services/lung/model/foldBatchNorm'
import { buildUNet, resolveUNetOptions, type UNetOptions } from '../../../../src-main/services/lung/model/unet'
import { trainSegmentationModel } from '../../../../src-main/services/lung/training/trainSegmentation'
import { syntheticBlobs } from './syntheticBlobs'

beforeAll(async () => {
  await initWasmBackend()
})

/** A small U-Net trained for two epochs, so its batch norms hold real (not initial) statistics and scales. */
async function trainedUNet(options: UNetOptions): Promise<tf.LayersModel> {
  const model = buildUNet(options)
  await trainSegmentationModel(model, { train: syntheticBlobs(8, options.inputSize, 1), validation: syntheticBlobs(2, options.inputSize, 2) }, { epochs: 2, learningRate: 0.01, seed: 3 })
  return model
}

describe('foldBatchNorm', () => {
  for (const upsampling of ['transpose', 'nearest'] as const) {
    it(`gives the trained U-Net's probabilities with one fused layer per convolution (${upsampling} upsampling)`, async () => {
      const options: UNetOptions = { inputSize: 32, depth: 2, baseFilters: 4, upsampling, seed: 5 }
      const trained = await trainedUNet(options)
      const before = tf.memory().numTensors
      const folded = foldBatchNorm(trained, resolveUNetOptions(options))
      const classes = new Set(folded.layers.map((layer) => layer.getClassName()))
      expect(classes.has('BatchNormalization')).toBe(false)
      expect(classes.has('ReLU')).toBe(false)
      // Two convolutions per block (2 down, 1 bottleneck, 2 up), each now with ReLU fused.
      expect(folded.layers.filter((layer) => /_conv\d$/.test(layer.name) && (layer.getConfig() as { activation: string }).activation === 'relu')).toHaveLength(10)
      // Per batch norm, four per-channel vectors (γ, β, μ, σ²) become one bias.
      const normChannels = trained.layers.filter((layer) => layer.getClassName() === 'BatchNormalization').reduce((sum, layer) => sum + layer.countParams() / 4, 0)
      expect(folded.countParams()).toBe(trained.countParams() - 3 * normChannels)
      const input = tf.randomUniform([3, 32, 32, 1], 0, 1, 'float32', 7)
      const [expected, actual] = tf.tidy(() => [trained.predict(input) as tf.Tensor, folded.predict(input) as tf.Tensor])
      const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0])
      expect(difference).toBeLessThan(1e-5)
      // The probabilities vary across pixels by far more than the tolerance (not all 0 or 1): the comparison means something.
      expect(tf.tidy(() => Math.sqrt(tf.moments(expected).variance.dataSync()[0]))).toBeGreaterThan(100 * 1e-5)
      tf.dispose([input, expected, actual])
      folded.dispose()
      expect(tf.memory().numTensors).toBe(before)
      trained.dispose()
    })
  }

  it('refuses a model that is not a U-Net of the given options', () => {
    const other = buildUNet({ inputSize: 16, depth: 1, baseFilters: 2, seed: 1 })
    expect(() => foldBatchNorm(other, resolveUNetOptions({ inputSize: 16, depth: 2, baseFilters: 2 }))).toThrow(/has no layer 'down2_conv1'/)
    other.dispose()
  })
})
