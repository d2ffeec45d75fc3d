import { describe, expect, it } from 'vitest'
import { createRandom } from '@shared/metrics/random'
import { augmentPair, DEFAULT_AUGMENTATION, NO_AUGMENTATION, sampleAugmentation } from '@shared/lung'
import { imageFromRows } from '../preprocess/helpers'

const image = imageFromRows([
  [0.1, 0.2, 0.3, 0.4],
  [0.5, 0.6, 0.7, 0.8],
  [0.9, 1.0, 0.0, 0.1],
  [0.2, 0.3, 0.4, 0.5],
])
const mask = imageFromRows([
  [0, 0, 0, 0],
  [0, 1, 1, 0],
  [0, 1, 0, 0],
  [0, 0, 0, 0],
])

describe('augmentPair', () => {
  it('is the identity for the identity transform', () => {
    const result = augmentPair(image, mask, NO_AUGMENTATION)
    expect(Array.from(result.image.data)).toEqual(Array.from(image.data))
    expect(Array.from(result.mask.data)).toEqual(Array.from(mask.data))
  })

  it('moves image and mask together (shift by one pixel right)', () => {
    const result = augmentPair(image, mask, { ...NO_AUGMENTATION, shiftX: 1 })
    expect(Array.from(result.mask.data.subarray(4, 8))).toEqual([0, 0, 1, 1])
    expect(result.image.data[5]).toBeCloseTo(0.5, 6)
    expect(result.image.data[4]).toBe(0) // brought in from outside: black
  })

  it('rotates by 90° about the centre, exactly', () => {
    const result = augmentPair(image, mask, { ...NO_AUGMENTATION, rotationDegrees: 90 })
    // Output (u, v) samples source (v, 3 − u) for a 4×4 image rotated by +90°.
    for (let v = 0; v < 4; v++) {
      for (let u = 0; u < 4; u++) {
        expect(result.mask.data[v * 4 + u]).toBe(mask.data[(3 - u) * 4 + v])
        expect(result.image.data[v * 4 + u]).toBeCloseTo(image.data[(3 - u) * 4 + v], 5)
      }
    }
  })

  it('keeps the mask binary under any rotation and scale', () => {
    const result = augmentPair(image, mask, { ...NO_AUGMENTATION, rotationDegrees: 13, scale: 1.07, shiftX: 0.3, shiftY: -0.6 })
    expect(result.mask.data.every((value) => value === 0 || value === 1)).toBe(true)
  })

  it('changes brightness and contrast of the image only, clamped to [0, 1]', () => {
    const result = augmentPair(image, mask, { ...NO_AUGMENTATION, brightness: 0.1, contrast: 2 })
    // (0.6 − 0.5)·2 + 0.5 + 0.1 = 0.8; (0.1 − 0.5)·2 + 0.6 < 0 → 0; (1 − 0.5)·2 + 0.6 > 1 → 1.
    expect(result.image.data[5]).toBeCloseTo(0.8, 6)
    expect(result.image.data[0]).toBe(0)
    expect(result.image.data[9]).toBe(1)
    expect(Array.from(result.mask.data)).toEqual(Array.from(mask.data))
  })

  it('rejects an image and mask of different sizes', () => {
    expect(() => augmentPair(image, imageFromRows([[0, 1]]), NO_AUGMENTATION)).toThrow(/sizes must match/)
  })
})

describe('sampleAugmentation', () => {
  it('is reproducible from a seed and stays within the ranges', () => {
    const a = createRandom(5)
    const b = createRandom(5)
    for (let draw = 0; draw < 200; draw++) {
      const parameters = sampleAugmentation(a, 256, 128)
      expect(sampleAugmentation(b, 256, 128)).toEqual(parameters)
      expect(Math.abs(parameters.rotationDegrees)).toBeLessThanOrEqual(DEFAULT_AUGMENTATION.rotationDegrees)
      expect(Math.abs(parameters.shiftX)).toBeLessThanOrEqual(DEFAULT_AUGMENTATION.shift * 256)
      expect(Math.abs(parameters.shiftY)).toBeLessThanOrEqual(DEFAULT_AUGMENTATION.shift * 128)
      expect(Math.abs(parameters.scale - 1)).toBeLessThanOrEqual(DEFAULT_AUGMENTATION.scale)
      expect(Math.abs(parameters.contrast - 1)).toBeLessThanOrEqual(DEFAULT_AUGMENTATION.contrast)
      expect(Math.abs(parameters.brightness)).toBeLessThanOrEqual(DEFAULT_AUGMENTATION.brightness)
    }
  })
})
