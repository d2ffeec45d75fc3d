import { describe, expect, it } from 'vitest'
import { createRandom } from '@shared/metrics/random'
import { clahe, createGreyImage, gaussianBlur } from '@shared/imaging/preprocess'
import { AUGMENTATION_DRAWS, AUGMENTATION_PRESETS, augmentPair, BASIC_AUGMENTATION, DEFAULT_AUGMENTATION, NO_AUGMENTATION, sampleAugmentation, STRONG_AUGMENTATION } from '@shared/lung'
import { imageFromRows } from '../preprocess/helpers'

/** A smooth 32×24 gradient with a bright disc: enough structure for CLAHE and blur to change something. */
function gradient(): ReturnType<typeof createGreyImage> {
  const width = 32
  const height = 24
  const values: number[] = []
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) values.push(Math.min(1, x / width * 0.6 + y / height * 0.2 + ((x - 20) ** 2 + (y - 10) ** 2 < 25 ? 0.3 : 0)))
  return createGreyImage(width, height, values)
}

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

describe('augmentPair: proportions and intensities', () => {
  it('stretches width by scale · aspect and height by scale / aspect about the centre', () => {
    const stripes = createGreyImage(8, 8, Array.from({ length: 64 }, (_, index) => index % 8))
    const rows = createGreyImage(8, 8, Array.from({ length: 64 }, (_, index) => Math.floor(index / 8)))
    // Output column u samples source column 4 + (u + 0.5 − 4) / 2 − 0.5 (nearest): 2, 2, 3, 3, 4, 4, 5, 5 (row 3 is inside).
    expect(Array.from(augmentPair(stripes, stripes, { ...NO_AUGMENTATION, aspect: 2 }).mask.data.subarray(24, 32))).toEqual([2, 2, 3, 3, 4, 4, 5, 5])
    // Output row v samples source row 4 + 2 (v + 0.5 − 4) − 0.5 = 2v − 3.5: rows 1, 3, 5, 7 for v = 2..5, outside (0) beyond.
    const squeezed = augmentPair(rows, rows, { ...NO_AUGMENTATION, aspect: 2 }).mask
    expect([1, 2, 3, 4, 5, 6].map((v) => squeezed.data[v * 8])).toEqual([0, 1, 3, 5, 7, 0])
  })

  it('applies gamma before contrast and brightness, to the image only', () => {
    const result = augmentPair(image, mask, { ...NO_AUGMENTATION, gamma: 2 })
    expect(result.image.data[5]).toBeCloseTo(0.36, 6) // 0.6²
    const combined = augmentPair(image, mask, { ...NO_AUGMENTATION, gamma: 2, contrast: 2, brightness: 0.1 })
    expect(combined.image.data[5]).toBeCloseTo((0.36 - 0.5) * 2 + 0.6, 6)
    expect(Array.from(result.mask.data)).toEqual(Array.from(mask.data))
  })

  it('blends in CLAHE (8×8 tiles, clip limit 2 over [0, 1]) by its weight', () => {
    const picture = gradient()
    const local = clahe(picture, { tileGridSize: 8, clipLimit: 2, range: [0, 1] }).data
    const full = augmentPair(picture, picture, { ...NO_AUGMENTATION, claheWeight: 1 }).image.data
    const half = augmentPair(picture, picture, { ...NO_AUGMENTATION, claheWeight: 0.5 }).image.data
    for (let index = 0; index < local.length; index++) {
      expect(full[index]).toBeCloseTo(local[index], 6)
      expect(half[index]).toBeCloseTo(0.5 * picture.data[index] + 0.5 * local[index], 6)
    }
  })

  it('blurs with the Gaussian of the drawn sigma', () => {
    const picture = gradient()
    const blurred = augmentPair(picture, picture, { ...NO_AUGMENTATION, blurSigma: 1.2 }).image.data
    expect(Array.from(blurred)).toEqual(Array.from(gaussianBlur(picture, { radius: 1.2 }).data))
  })

  it('adds zero-mean noise of the drawn standard deviation, fixed by its seed', () => {
    const grey = createGreyImage(64, 64, new Array(4096).fill(0.5))
    const noisy = augmentPair(grey, grey, { ...NO_AUGMENTATION, noiseStd: 0.05, noiseSeed: 11 }).image.data
    const mean = noisy.reduce((sum, value) => sum + value, 0) / noisy.length
    const std = Math.sqrt(noisy.reduce((sum, value) => sum + (value - mean) ** 2, 0) / noisy.length)
    // 4096 samples: the sample mean is within ~4 standard errors (0.05 / 64 each) and the std within ~5 %.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.003)
    expect(std).toBeGreaterThan(0.0475)
    expect(std).toBeLessThan(0.0525)
    expect(Array.from(augmentPair(grey, grey, { ...NO_AUGMENTATION, noiseStd: 0.05, noiseSeed: 11 }).image.data)).toEqual(Array.from(noisy))
    expect(Array.from(augmentPair(grey, grey, { ...NO_AUGMENTATION, noiseStd: 0.05, noiseSeed: 12 }).image.data)).not.toEqual(Array.from(noisy))
  })

  it('keeps every intensity in [0, 1] under the strongest drawn settings', () => {
    const picture = gradient()
    const result = augmentPair(picture, picture, { ...NO_AUGMENTATION, gamma: 0.5, contrast: 1.5, brightness: 0.2, claheWeight: 0.9, blurSigma: 1, noiseStd: 0.2, noiseSeed: 3 })
    expect(result.image.data.every((value) => value >= 0 && value <= 1)).toBe(true)
  })
})

describe('sampleAugmentation', () => {
  it('always takes the same number of draws, so one range cannot shift the others\' stream', () => {
    for (const ranges of [BASIC_AUGMENTATION, STRONG_AUGMENTATION]) {
      let draws = 0
      const counting = () => {
        draws++
        return 0.25
      }
      sampleAugmentation(counting, 100, 100, ranges)
      expect(draws).toBe(AUGMENTATION_DRAWS)
    }
  })

  it('draws the original five ranges first and in their order, so basic settings mean what they meant', () => {
    const a = createRandom(9)
    const b = createRandom(9)
    const parameters = sampleAugmentation(a, 200, 100, BASIC_AUGMENTATION)
    const symmetric = (range: number) => (2 * b() - 1) * range
    expect(parameters.rotationDegrees).toBe(symmetric(10))
    expect(parameters.shiftX).toBe(symmetric(0.06) * 200)
    expect(parameters.shiftY).toBe(symmetric(0.06) * 100)
    expect(parameters.scale).toBe(1 + symmetric(0.1))
    expect(parameters.brightness).toBe(symmetric(0.1))
    expect(parameters.contrast).toBe(1 + symmetric(0.15))
    // Ranges the basic settings leave out stay at the identity.
    expect(parameters).toMatchObject({ aspect: 1, gamma: 1, claheWeight: 0, blurSigma: 0, noiseStd: 0 })
  })

  it('stays within the strong ranges', () => {
    const random = createRandom(2)
    const ranges = STRONG_AUGMENTATION
    for (let draw = 0; draw < 300; draw++) {
      const parameters = sampleAugmentation(random, 64, 64, ranges)
      expect(Math.abs(parameters.aspect - 1)).toBeLessThanOrEqual(ranges.aspect as number)
      expect(Math.abs(Math.log(parameters.gamma))).toBeLessThanOrEqual(ranges.gamma as number)
      expect(parameters.claheWeight).toBeGreaterThanOrEqual(0)
      expect(parameters.claheWeight).toBeLessThanOrEqual(ranges.clahe as number)
      expect(parameters.blurSigma).toBeLessThanOrEqual(ranges.blurSigma as number)
      expect(parameters.noiseStd).toBeLessThanOrEqual(ranges.noise as number)
      expect(Number.isInteger(parameters.noiseSeed)).toBe(true)
    }
  })

  it('names its presets, none among them', () => {
    expect(Object.keys(AUGMENTATION_PRESETS)).toEqual(['none', 'basic', 'strong'])
    expect(AUGMENTATION_PRESETS.none).toBeNull()
    expect(Object.values(AUGMENTATION_PRESETS)).toContain(DEFAULT_AUGMENTATION)
  })

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
