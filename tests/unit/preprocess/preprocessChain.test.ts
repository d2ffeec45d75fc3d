import { describe, expect, it } from 'vitest'
import { createGreyImage, histogramEqualize, normalizeIntensity, preprocessChain, type GreyImage } from '@shared/imaging/preprocess'
import { expectClose, referencePattern, snapshot } from './helpers'

/** An 8x8 image of the integers 0..63 in reading order. */
function ramp(): GreyImage {
  return createGreyImage(8, 8, Array.from({ length: 64 }, (_, index) => index))
}

/** An 8x8 mask covering the left half. */
function leftHalf(): GreyImage {
  return createGreyImage(8, 8, Array.from({ length: 64 }, (_, index) => (index % 8 < 4 ? 1 : 0)))
}

describe('preprocessChain', () => {
  it('equalizes, masks, normalises, then resizes, returning every stage (hand values)', () => {
    const result = preprocessChain(ramp(), { size: 8, resizeMode: 'stretch', equalize: 'global', mask: leftHalf(), blurRadius: 0 })
    // 64 distinct levels: equalized = index / 63.
    expectClose(result.equalized.data, Array.from({ length: 64 }, (_, index) => index / 63), 1e-7)
    expect(Array.from(result.blurredMask?.data ?? [])).toEqual(Array.from(leftHalf().data))
    // Left half kept; its largest value is index 59 -> normalised by 59 / 63.
    const masked = Array.from({ length: 64 }, (_, index) => (index % 8 < 4 ? index / 63 : 0))
    expectClose(result.masked.data, masked, 1e-7)
    expectClose(result.normalized.data, masked.map((value) => value / (59 / 63)), 1e-6)
    // Same size: the resize is the identity.
    expectClose(result.final.data, result.normalized.data, 1e-7)
    expect(result.placement).toEqual({ x: 0, y: 0, width: 8, height: 8, scaleX: 1, scaleY: 1, scale: 1 })
  })

  it('blurs the mask with radius 3 by default, keeping every stage in [0, 1]', () => {
    const image = referencePattern(32, 32)
    const mask = createGreyImage(32, 32)
    for (let y = 6; y < 26; y++) for (let x = 4; x < 14; x++) mask.data[y * 32 + x] = 1
    const result = preprocessChain(image, { size: 16, resizeMode: 'stretch', equalize: 'global', mask })
    const blurred = result.blurredMask as GreyImage
    // Soft edge: values strictly between 0 and 1 right at the mask border.
    expect(blurred.data[16 * 32 + 4]).toBeGreaterThan(0.3)
    expect(blurred.data[16 * 32 + 4]).toBeLessThan(0.8)
    for (const stage of [result.equalized, blurred, result.masked, result.normalized, result.final]) {
      expect(Math.min(...stage.data)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...stage.data)).toBeLessThanOrEqual(1)
    }
    expect(Math.max(...result.normalized.data)).toBe(1)
    // Far from the mask everything is black.
    expect(result.masked.data[16 * 32 + 28]).toBe(0)
    expect([result.final.width, result.final.height]).toEqual([16, 16])
  })

  it('equalizes with CLAHE or not at all, and skips the mask stages without a mask', () => {
    const image = referencePattern(24, 16)
    const viaClahe = preprocessChain(image, { size: 12, resizeMode: 'stretch', equalize: 'clahe', claheOptions: { tileGridSize: 2 } })
    expect(Math.max(...viaClahe.equalized.data)).toBeLessThanOrEqual(1)
    expect(viaClahe.blurredMask).toBeNull()
    expect(viaClahe.masked).toBe(viaClahe.equalized)
    const raw = preprocessChain(image, { size: 12, resizeMode: 'stretch', equalize: 'none', normalize: false })
    expect(Array.from(raw.equalized.data)).toEqual(Array.from(image.data))
    expect(raw.equalized.data).not.toBe(image.data)
    expect(raw.normalized).toBe(raw.masked)
    const global = preprocessChain(image, { size: 12, resizeMode: 'stretch', equalize: 'global', globalOptions: { bins: 16 } })
    expectClose(global.equalized.data, histogramEqualize(image, { bins: 16 }).data, 0)
  })

  it('without a mask, skips normalising a globally equalized image and gives what normalising it gives, to the bit', () => {
    let seed = 11
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const images = [
      createGreyImage(31, 17, Array.from({ length: 31 * 17 }, () => Math.floor(random() * 4096))),
      createGreyImage(20, 20, Array.from({ length: 400 }, () => random() * 1000 - 500)),
      createGreyImage(9, 7, Array.from({ length: 63 }, () => Math.floor(random() * 98304) - 32768)),
      createGreyImage(8, 8, new Array<number>(64).fill(1234)),
      referencePattern(24, 16),
    ]
    for (const image of images) {
      for (const globalOptions of [undefined, { bins: 16 }]) {
        const chain = preprocessChain(image, { size: 12, resizeMode: 'stretch', equalize: 'global', globalOptions })
        const expected = normalizeIntensity(histogramEqualize(image, globalOptions)).data
        expect(Buffer.compare(Buffer.from(chain.normalized.data.buffer), Buffer.from(expected.buffer))).toBe(0)
      }
    }
  })

  it('letterboxes in pad mode and reports where the content went', () => {
    const wide = createGreyImage(40, 20, new Array(800).fill(1))
    const result = preprocessChain(wide, { size: { width: 10, height: 10 }, resizeMode: 'pad', equalize: 'none' })
    expect(result.placement).toMatchObject({ x: 0, y: 2, width: 10, height: 5 })
    // A constant image normalises to zeros, so check the layout on an image with contrast.
    const striped = createGreyImage(40, 20, Array.from({ length: 800 }, (_, index) => (index < 400 ? 0 : 1)))
    const padded = preprocessChain(striped, { size: 10, resizeMode: 'pad', equalize: 'none', padValue: 0.5 })
    const rows = Array.from({ length: 10 }, (_, row) => Array.from(padded.final.data.subarray(row * 10, row * 10 + 10)))
    expect(rows[0]).toEqual(new Array(10).fill(0.5))
    expect(rows[9]).toEqual(new Array(10).fill(0.5))
    expect(rows[2]).toEqual(new Array(10).fill(0))
    expect(rows[6]).toEqual(new Array(10).fill(1))
  })

  it('uses area averaging when shrinking, so a fine checkerboard becomes flat grey', () => {
    const board = createGreyImage(64, 64)
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) board.data[y * 64 + x] = (x + y) % 2
    const result = preprocessChain(board, { size: 8, resizeMode: 'stretch', equalize: 'none' })
    expectClose(result.final.data, new Array(64).fill(0.5), 1e-7)
  })

  it('does not mutate the image or the mask', () => {
    const image = ramp()
    const mask = leftHalf()
    const before = [snapshot(image), snapshot(mask)]
    preprocessChain(image, { size: 4, resizeMode: 'pad', equalize: 'global', mask })
    preprocessChain(image, { size: 4, resizeMode: 'stretch', equalize: 'clahe', mask })
    expect([snapshot(image), snapshot(mask)]).toEqual(before)
  })

  it('rejects a mask of another size, a mask outside [0, 1] and bad sizes', () => {
    const image = ramp()
    expect(() => preprocessChain(image, { size: 4, resizeMode: 'stretch', equalize: 'none', mask: createGreyImage(4, 8) })).toThrow(
      'preprocessChain: image is 8x8 but mask is 4x8: sizes must match',
    )
    const byteMask = createGreyImage(8, 8, new Array(64).fill(255))
    expect(() => preprocessChain(image, { size: 4, resizeMode: 'stretch', equalize: 'none', mask: byteMask })).toThrow(/\[0, 1\]/)
    expect(() => preprocessChain(image, { size: 0, resizeMode: 'stretch', equalize: 'none' })).toThrow(/positive/)
    expect(() => preprocessChain(image, { size: 4, resizeMode: 'stretch', equalize: 'adaptive' as never })).toThrow(/equalize/)
  })
})
