import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { attachHead, countTrainableParameters } from '../../../src-main/services/engine/models/classifier'
import { buildResNetEncoder } from '../../../src-main/services/engine/models/resnet'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('ResNet builders', () => {
  // torchvision resnet18: 11,689,512 parameters with a 3-channel stem and a 1000-way head.
  // 1-channel stem: −7·7·64·2 = −6,272; 1-unit head instead of 1000: −(512·1000+1000) + (512+1).
  it('ResNet-18 with a 1-channel stem and a 1-unit head has 11,170,753 parameters (≈ 11.2 M)', () => {
    const model = attachHead(buildResNetEncoder({ depth: 18, inputShape: [64, 64, 1] }), { units: 1 })
    expect(countTrainableParameters(model)).toBe(11_689_512 - 6_272 - 513_000 + 513)
    model.dispose()
  })

  // torchvision resnet50: 25,557,032; same adjustments with 2048 features.
  it('ResNet-50 with a 1-channel stem and a 1-unit head has 23,503,809 parameters', () => {
    const model = attachHead(buildResNetEncoder({ depth: 50, inputShape: [64, 64, 1] }), { units: 1 })
    expect(countTrainableParameters(model)).toBe(25_557_032 - 6_272 - 2_049_000 + 2_049)
    model.dispose()
  })

  it('the paper\'s fine-tuning head 512→256→1 adds 131,585 parameters', () => {
    const encoder = buildResNetEncoder({ depth: 18, inputShape: [64, 64, 1] })
    const base = countTrainableParameters(encoder)
    const model = attachHead(encoder, { hidden: [256], units: 1 })
    expect(countTrainableParameters(model) - base).toBe(512 * 256 + 256 + 256 + 1)
    model.dispose()
  })

  it('downsamples by 32 and ends in one feature vector per image', () => {
    const encoder = buildResNetEncoder({ depth: 18, inputShape: [64, 64, 1], baseWidth: 8, seed: 3 })
    const pooled = encoder.getLayer('stage4_block2_out').outputShape as number[]
    expect(pooled).toEqual([null, 2, 2, 64])
    const before = tf.memory().numTensors
    const features = tf.tidy(() => encoder.predict(tf.ones([2, 64, 64, 1])) as tf.Tensor)
    expect(features.shape).toEqual([2, 64])
    features.dispose()
    expect(tf.memory().numTensors).toBe(before)
    encoder.dispose()
  })

  it('a seed makes the initial weights reproducible', () => {
    const weights = () => {
      const encoder = buildResNetEncoder({ depth: 18, inputShape: [32, 32, 1], baseWidth: 4, seed: 11 })
      const values = encoder.getLayer('stem_conv').getWeights()[0].dataSync().slice(0, 8)
      encoder.dispose()
      return Array.from(values)
    }
    expect(weights()).toEqual(weights())
  })
})
