import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { attachHead, countTrainableParameters } from '../../../src-main/services/engine/models/classifier'
import { buildConv8Encoder } from '../../../src-main/services/engine/models/conv8'

describe('Conv8 (ALL-CNN-C layout)', () => {
  it('has the hand-computed parameter count at the paper size', async () => {
    await tf.setBackend('cpu')
    // 3×3 convolutions without bias (batch norm follows): 1→96, 96→96, 96→96↓, 96→192, 192→192, 192→192↓,
    // 192→192, then 1×1 192→192; BN adds γ and β per channel.
    const convolutions = 9 * 1 * 96 + 9 * 96 * 96 + 9 * 96 * 96 + 9 * 96 * 192 + 9 * 192 * 192 * 3 + 192 * 192
    expect(convolutions).toBe(1_364_832)
    const batchNorm = 2 * (96 * 3 + 192 * 5)
    expect(batchNorm).toBe(2_496)
    const encoder = buildConv8Encoder({ inputShape: [224, 224, 1], seed: 1 })
    expect(countTrainableParameters(encoder)).toBe(1_367_328)
    expect(encoder.outputs[0].shape).toEqual([null, 192])
    // The paper's head 192→256→1: 192·256 + 256 + 256 + 1.
    const classifier = attachHead(encoder, { hidden: [256], units: 1, seed: 1 })
    expect(countTrainableParameters(classifier)).toBe(1_367_328 + 49_665)
    const layers = classifier.layers.filter((layer) => layer.getClassName() === 'Conv2D')
    expect(layers).toHaveLength(8)
    classifier.dispose()
  })

  it('downsamples 224 to 28 with the first stride, to 56 with ALL-CNN-C strides', () => {
    const strided = buildConv8Encoder({ inputShape: [224, 224, 1], baseWidth: 2, seed: 1 })
    const exact = buildConv8Encoder({ inputShape: [224, 224, 1], baseWidth: 2, strideFirst: false, seed: 1 })
    expect(strided.getLayer('conv8').outputShape).toEqual([null, 28, 28, 4])
    expect(exact.getLayer('conv8').outputShape).toEqual([null, 56, 56, 4])
    strided.dispose()
    exact.dispose()
  })
})
