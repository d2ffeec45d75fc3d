import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { histogramEqualize, resize } from '@shared/imaging/preprocess'
import { diceCoefficient, threshold } from '@shared/lung'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { probabilityToImageSize, segmentImage } from '../../../../src-main/services/lung/model/segmentImage'
import { trainSegmentationModel } from '../../../../src-main/services/lung/training/trainSegmentation'
import { buildUNet } from '../../../../src-main/services/lung/model/unet'
import { syntheticBlobs } from './syntheticBlobs'

let model: tf.LayersModel

beforeAll(async () => {
  await initWasmBackend()
  model = buildUNet({ inputSize: 32, depth: 2, baseFilters: 4, seed: 3 })
  // segmentImage equalizes its input, so the network is trained on equalized images as the real one is.
  const equalized = (count: number, seed: number) => syntheticBlobs(count, 32, seed).map((example) => ({ ...example, image: histogramEqualize(example.image) }))
  await trainSegmentationModel(model, { train: equalized(16, 1), validation: equalized(4, 2) }, { epochs: 8, learningRate: 0.01, seed: 4 })
})

/** A synthetic radiograph of another size and aspect than the network input, with its true mask. */
function largeExample(width: number, height: number) {
  const [example] = syntheticBlobs(1, 32, 42)
  const image = resize(example.image, { width, height, mode: 'stretch', interpolation: 'bilinear' }).image
  const mask = threshold(resize(example.mask, { width, height, mode: 'stretch', interpolation: 'bilinear' }).image, 0.5)
  // As a decoded 12-bit image: the chain must not care about the scale.
  const pixels = image.data.map((value) => Math.round(value * 4095))
  return { source: { width, height, pixels, invert: false, pixelRange: { min: 0, max: 4095 } }, mask }
}

describe('segmentImage', () => {
  it('returns a 0/255 mask and a [0, 1] blurred mask at the original size, and leaves no tensor behind', async () => {
    const { source, mask } = largeExample(90, 70)
    const before = tf.memory().numTensors
    const result = await segmentImage(model, source)
    expect(tf.memory().numTensors).toBe(before)
    expect([result.mask.width, result.mask.height, result.blurred.width, result.blurred.height]).toEqual([90, 70, 90, 70])
    expect(result.mask.data.every((value) => value === 0 || value === 255)).toBe(true)
    expect(Math.min(...result.blurred.data)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...result.blurred.data)).toBeLessThanOrEqual(1)
    expect(result.inputSize).toBe(32)
    expect(result.features.componentCount).toBeLessThanOrEqual(2)
    expect(diceCoefficient(result.mask, mask)).toBeGreaterThan(0.75)
  })

  it('maps back through a letterbox placement in pad mode', async () => {
    const { source, mask } = largeExample(96, 48)
    const before = tf.memory().numTensors
    const result = await segmentImage(model, source, { resizeMode: 'pad' })
    expect(tf.memory().numTensors).toBe(before)
    expect(result.placement).toMatchObject({ x: 0, y: 8, width: 32, height: 16 })
    expect([result.mask.width, result.mask.height]).toEqual([96, 48])
    expect(diceCoefficient(result.mask, mask)).toBeGreaterThan(0.5)
  })

  it('probabilityToImageSize crops the letterbox away before resizing', () => {
    // 4×4 map whose content rows 1–2 are 1 and letterbox rows 0 and 3 are 0.
    const probability = { width: 4, height: 4, data: Float32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]) }
    const placement = { x: 0, y: 1, width: 4, height: 2, scaleX: 0.5, scaleY: 0.5, scale: 0.5 }
    const full = probabilityToImageSize(probability, placement, 8, 4)
    expect(Array.from(full.data)).toEqual(new Array(32).fill(1))
  })
})
