import { describe, expect, it } from 'vitest'
import {
  createGreyImage,
  extendedBoxBlur,
  extendedBoxRadius,
  gaussianBlur,
  gaussianKernel,
  type GreyImage,
} from '@shared/imaging/preprocess'
import { expectClose, imageFromRows, referencePattern, snapshot } from './helpers'

/** A size x size image with a single 1 in the centre. */
function impulse(size: number): GreyImage {
  const image = createGreyImage(size, size)
  image.data[(size >> 1) * size + (size >> 1)] = 1
  return image
}

/** Sum, centre of mass and per-axis variance of an image seen as a distribution. */
function moments(image: GreyImage): { sum: number; meanX: number; meanY: number; varianceX: number; varianceY: number } {
  let sum = 0
  let sumX = 0
  let sumY = 0
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const value = image.data[y * image.width + x]
      sum += value
      sumX += value * x
      sumY += value * y
    }
  }
  const meanX = sumX / sum
  const meanY = sumY / sum
  let varianceX = 0
  let varianceY = 0
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const value = image.data[y * image.width + x]
      varianceX += value * (x - meanX) ** 2
      varianceY += value * (y - meanY) ** 2
    }
  }
  return { sum, meanX, meanY, varianceX: varianceX / sum, varianceY: varianceY / sum }
}

/** Expects the image to equal its own mirror images left-right, up-down and across the diagonal. */
function expectSymmetric(image: GreyImage, tolerance: number): void {
  const size = image.width
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const value = image.data[y * size + x]
      expect(Math.abs(value - image.data[y * size + (size - 1 - x)])).toBeLessThanOrEqual(tolerance)
      expect(Math.abs(value - image.data[(size - 1 - y) * size + x])).toBeLessThanOrEqual(tolerance)
      expect(Math.abs(value - image.data[x * size + y])).toBeLessThanOrEqual(tolerance)
    }
  }
}

describe('extendedBoxRadius', () => {
  it('gives 2 + 5/12 for sigma 3 in 3 passes (Gwosdek et al. / Pillow)', () => {
    // variance per pass 3; L = sqrt(37); l = 2; a = 5 * (6 - 9) / (6 * (3 - 9)) = 5/12.
    expect(extendedBoxRadius(3, 3)).toBeCloseTo(2 + 5 / 12, 12)
  })
})

describe('extendedBoxBlur', () => {
  it('blurs an impulse with one extended box of variance 3: weights 1/14, 6/35 x5, 1/14', () => {
    // r = 29/12, 2r + 1 = 35/6: inner taps 6/35, the two outer taps a / (2r + 1) = 1/14.
    const line = createGreyImage(9, 1)
    line.data[4] = 1
    const result = extendedBoxBlur(line, Math.sqrt(3), 1, 'clamp')
    expectClose(result.data, [0, 1 / 14, 6 / 35, 6 / 35, 6 / 35, 6 / 35, 6 / 35, 1 / 14, 0], 1e-7)
  })

  it('rejects a non-positive sigma or pass count', () => {
    const line = createGreyImage(3, 1)
    expect(() => extendedBoxBlur(line, 0, 3, 'clamp')).toThrow(/sigma/)
    expect(() => extendedBoxBlur(line, 1, 0, 'clamp')).toThrow(/passes/)
  })
})

describe('gaussianBlur', () => {
  it('turns an impulse into a kernel that sums to 1, is symmetric and has variance radius^2 (box)', () => {
    const result = gaussianBlur(impulse(41), { radius: 3 })
    const stats = moments(result)
    expect(stats.sum).toBeCloseTo(1, 6)
    expect(stats.meanX).toBeCloseTo(20, 6)
    expect(stats.meanY).toBeCloseTo(20, 6)
    // Three extended boxes have variance exactly sigma^2 by construction.
    expect(stats.varianceX).toBeCloseTo(9, 4)
    expect(stats.varianceY).toBeCloseTo(9, 4)
    expectSymmetric(result, 1e-7)
    // Support: 3 passes x (l + 1) = 9 pixels each side, nothing beyond.
    expect(result.data[20 * 41 + 20 + 9]).toBeGreaterThan(0)
    expect(result.data[20 * 41 + 20 + 10]).toBe(0)
  })

  it('turns an impulse into the sampled Gaussian (sampled method)', () => {
    const result = gaussianBlur(impulse(41), { radius: 3, method: 'sampled' })
    const stats = moments(result)
    expect(stats.sum).toBeCloseTo(1, 6)
    // Truncation at 4 sigma keeps the variance within 0.2 % of 9.
    expect(Math.abs(stats.varianceX - 9)).toBeLessThan(0.02)
    expect(Math.abs(stats.varianceY - 9)).toBeLessThan(0.02)
    expectSymmetric(result, 1e-7)
    const weights = gaussianKernel(3)
    expect(weights.length).toBe(25)
    // The centre is the 1-D centre weight squared; the peak ratio to one sigma away is e^-1/2.
    expect(result.data[20 * 41 + 20]).toBeCloseTo(weights[12] * weights[12], 7)
    expect(result.data[20 * 41 + 23] / result.data[20 * 41 + 20]).toBeCloseTo(Math.exp(-0.5), 6)
  })

  it('matches scipy.ndimage.gaussian_filter(sigma=3, truncate=4) for the sampled method', () => {
    // scipy 1.10 on the 15x11 pattern / 255: rows 0 and 5 with mode='nearest', row 0 with mode='reflect'.
    const image = referencePattern(15, 11)
    const scaled = createGreyImage(15, 11, Array.from(image.data, (value) => value / 255))
    const clamped = gaussianBlur(scaled, { radius: 3, method: 'sampled', border: 'clamp' })
    expectClose(clamped.data.subarray(0, 15), [0.1663204,0.2029574,0.2499863,0.304889,0.3627043,0.4169654,0.461578,0.4929204,0.511103,0.519664,0.5238832,0.5286786,0.5371161,0.5499691,0.5661309], 1e-6)
    expectClose(clamped.data.subarray(75, 90), [0.46035,0.4740829,0.4900447,0.5066623,0.521758,0.5330163,0.538702,0.5384292,0.5336627,0.5276647,0.5247551,0.5289998,0.5427317,0.5655407,0.5943133], 1e-6)
    const reflected = gaussianBlur(scaled, { radius: 3, method: 'sampled', border: 'reflect' })
    expectClose(reflected.data.subarray(0, 15), [0.2586323,0.2766146,0.3101628,0.3544595,0.4027364,0.4474838,0.4822879,0.5036509,0.5119216,0.5107069,0.5050253,0.4992086,0.4955522,0.4941878,0.4940125], 1e-6)
  })

  it('matches Pillow ImageFilter.GaussianBlur(3) for the box method to within its 8-bit rounding', () => {
    // Pillow 9.4 on the 8-bit 40x30 pattern, rows 0 and 14; it rounds to 8 bits after each pass.
    const result = gaussianBlur(referencePattern(40, 30), { radius: 3 })
    expectClose(result.data.subarray(0, 40), [57,64,74,85,98,110,119,126,129,132,131,130,129,130,129,129,128,126,125,123,122,122,122,123,125,126,127,127,128,127,127,127,128,129,132,136,142,149,155,160], 1.5)
    expectClose(result.data.subarray(14 * 40, 15 * 40), [113,113,115,117,119,120,121,122,122,122,122,121,120,120,121,122,124,125,127,128,129,130,131,132,133,134,135,135,136,136,135,135,133,132,130,128,127,125,124,123], 1.5)
    // A 0/255 two-lung mask, row 15: Pillow's soft edges are reproduced, the sampled Gaussian's differ.
    const mask = createGreyImage(40, 30)
    for (let y = 8; y < 22; y++) for (let x = 5; x < 18; x++) mask.data[y * 40 + x] = 255
    for (let y = 10; y < 25; y++) for (let x = 24; x < 36; x++) mask.data[y * 40 + x] = 255
    const pillowRow = [21,34,53,80,109,142,171,198,220,234,242,245,242,234,220,199,172,145,118,96,84,84,95,116,142,169,195,216,229,236,236,229,216,195,168,139,107,79,55,38]
    expectClose(gaussianBlur(mask, { radius: 3 }).data.subarray(15 * 40, 16 * 40), pillowRow, 1)
  })

  it('keeps a blurred binary mask within [0, 1], 1 deep inside and 0 far outside', () => {
    const size = 64
    const mask = createGreyImage(size, size)
    for (let y = 16; y < 48; y++) for (let x = 8; x < 40; x++) mask.data[y * size + x] = 1
    for (const method of ['box', 'sampled'] as const) {
      const result = gaussianBlur(mask, { radius: 3, method })
      expect(Math.min(...result.data)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...result.data)).toBeLessThanOrEqual(1)
      expect(result.data[32 * size + 24]).toBeCloseTo(1, 6)
      expect(result.data[2 * size + 60]).toBeCloseTo(0, 6)
      // The edge is soft: halfway across it the value is about one half.
      expect(result.data[32 * size + 8]).toBeGreaterThan(0.4)
      expect(result.data[32 * size + 8]).toBeLessThan(0.7)
    }
  })

  it('leaves a constant image unchanged whatever the border rule', () => {
    const constant = createGreyImage(7, 5, new Array(35).fill(0.25))
    for (const method of ['box', 'sampled'] as const) {
      for (const border of ['clamp', 'reflect', 'reflect101'] as const) {
        expectClose(gaussianBlur(constant, { radius: 3, method, border }).data, new Array(35).fill(0.25), 1e-6)
      }
    }
  })

  it('copies the image for radius 0 and rejects negative radii', () => {
    const image = imageFromRows([[1, 2], [3, 4]])
    const result = gaussianBlur(image, { radius: 0 })
    expect(Array.from(result.data)).toEqual([1, 2, 3, 4])
    expect(result.data).not.toBe(image.data)
    expect(() => gaussianBlur(image, { radius: -1 })).toThrow(/radius/)
    expect(() => gaussianBlur(image, { method: 'median' as never })).toThrow(/method/)
  })

  it('does not mutate its input', () => {
    const image = impulse(15)
    const before = snapshot(image)
    gaussianBlur(image, { radius: 3 })
    gaussianBlur(image, { radius: 3, method: 'sampled' })
    expect(snapshot(image)).toEqual(before)
  })
})
