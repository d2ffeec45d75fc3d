import { describe, expect, it } from 'vitest'
import { clahe, createGreyImage, type GreyImage } from '@shared/imaging/preprocess'
import { expectClose, imageFromRows, referencePattern, snapshot } from './helpers'

/** Output row `row` of `image` scaled to 0..255, for comparison with OpenCV's 8-bit output. */
function row255(image: GreyImage, row: number): number[] {
  return Array.from(image.data.subarray(row * image.width, (row + 1) * image.width), (value) => value * 255)
}

/** Standard deviation of a rectangle of an image. */
function localSpread(image: GreyImage, left: number, top: number, size: number): number {
  const values: number[] = []
  for (let y = top; y < top + size; y++) for (let x = left; x < left + size; x++) values.push(image.data[y * image.width + x])
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length)
}

describe('clahe', () => {
  it('is cdf / N on a single tile without clipping (hand values)', () => {
    const result = clahe(imageFromRows([[0, 1], [2, 3]]), { tileGridSize: 1, clipLimit: 0, bins: 4 })
    expectClose(result.data, [0.25, 0.5, 0.75, 1], 1e-7)
  })

  it('clips and redistributes like OpenCV (hand values)', () => {
    // 8 pixels, 4 bins, histogram [6, 1, 0, 1].
    const image = imageFromRows([[0, 0, 0, 0, 0, 0, 1, 3]])
    // No clip: cdf 6, 7, 7, 8 -> 0.75, 0.875, 1.
    expectClose(clahe(image, { tileGridSize: 1, clipLimit: 0, bins: 4 }).data, [0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.875, 1], 1e-7)
    // clipLimit 1 -> limit floor(1 * 8 / 4) = 2; excess 4 -> +1 per bin: [3, 2, 1, 2], cdf 3, 5, 6, 8.
    expectClose(clahe(image, { tileGridSize: 1, clipLimit: 1, bins: 4 }).data, [0.375, 0.375, 0.375, 0.375, 0.375, 0.375, 0.625, 1], 1e-7)
    // clipLimit 1.5 -> limit 3; excess 3 -> batch 0, remainder 3 at stride floor(4 / 3) = 1: [4, 2, 1, 1].
    expectClose(clahe(image, { tileGridSize: 1, clipLimit: 1.5, bins: 4 }).data, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.75, 1], 1e-7)
  })

  it('blends neighbouring tiles bilinearly between their centres (hand values)', () => {
    // Two 4-pixel tiles, 2 bins: left [0, 1, 0, 1] -> mapping [0.5, 1]; right [0, 0, 0, 1] -> [0.75, 1].
    // Pixel x sits at x / 4 - 0.5 tiles: x <= 2 uses the left tile only, x >= 6 the right one;
    // x = 4 (level 0) is halfway: 0.625; x = 5 is 3/4 of the way: 0.6875.
    const image = imageFromRows([[0, 1, 0, 1, 0, 0, 0, 1]])
    const result = clahe(image, { tileGridSize: { columns: 2, rows: 1 }, clipLimit: 0, bins: 2 })
    expectClose(result.data, [0.5, 1, 0.5, 1, 0.625, 0.6875, 0.75, 1], 1e-7)
  })

  it('matches OpenCV createCLAHE(2.0, (4, 3)) on a 64x48 8-bit pattern to within 1/255', () => {
    // OpenCV 4.6 output rows 0, 20 and 47 (it rounds its mappings to 8 bits, we do not).
    const expected: Record<number, number[]> = {
      0: [2,12,26,44,73,103,143,187,237,37,97,168,239,63,149,240,84,185,38,156,22,148,28,166,58,206,110,20,186,108,35,222,160,104,56,13,229,195,170,148,135,128,126,130,139,155,176,206,240,29,72,123,178,244,63,133,217,52,142,241,95,202,68,188],
      20: [186,193,206,228,214,247,28,71,161,218,24,91,124,205,36,126,105,209,63,179,6,131,13,150,80,232,134,43,176,97,20,212,95,35,242,202,128,94,65,42,73,64,61,65,32,49,72,102,12,52,100,149,167,231,45,118,242,73,165,12,76,188,52,173],
      47: [13,11,16,25,40,64,95,128,164,210,8,65,129,198,20,102,94,185,29,134,248,110,232,107,243,128,21,178,79,246,167,85,112,42,240,193,144,99,58,26,5,246,236,232,232,235,245,5,198,224,254,41,89,147,206,12,83,166,248,78,178,24,132,245],
    }
    const result = clahe(referencePattern(64, 48), { tileGridSize: { columns: 4, rows: 3 }, clipLimit: 2, range: [0, 255] })
    for (const [row, values] of Object.entries(expected)) expectClose(row255(result, Number(row)), values, 1.0001)
  })

  it('matches OpenCV when the size is not a multiple of the grid (50x37, clip 4, reflect-101 padding)', () => {
    const expected: Record<number, number[]> = {
      0: [3,11,26,45,72,103,146,189,239,36,96,171,240,60,151,240,81,186,36,157,20,151,27,168,55,208,110,18,185,105,35,221,160,98,58,12,223,185,163,140,126,118,115,118,126,138,158,187,234,33],
      18: [146,155,149,168,214,246,8,50,121,178,221,30,124,206,14,103,64,168,255,116,3,128,244,123,38,191,72,236,169,90,252,183,43,248,177,134,122,91,34,17,23,16,249,252,29,49,53,98,225,6],
      36: [27,36,44,66,51,91,124,169,5,60,118,192,225,46,137,227,110,212,70,184,11,143,17,157,87,234,143,46,176,104,21,210,130,71,17,228,153,127,101,76,106,96,93,99,66,80,104,134,219,250],
    }
    const result = clahe(referencePattern(50, 37), { tileGridSize: { columns: 4, rows: 3 }, clipLimit: 4, range: [0, 255] })
    for (const [row, values] of Object.entries(expected)) expectClose(row255(result, Number(row)), values, 1.0001)
  })

  it('keeps its output within [0, 1]', () => {
    const result = clahe(referencePattern(50, 37))
    expect(Math.min(...result.data)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...result.data)).toBeLessThanOrEqual(1)
  })

  it('is near identity on an image whose every tile has a flat histogram', () => {
    // 128x128, 8x8 tiles of 16x16 = 256 pixels, each holding every level 0..255 once (scrambled):
    // every mapping is cdf(v) / 256 = (v + 1) / 256, within 1/256 of v / 255.
    const image = createGreyImage(128, 128)
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) image.data[y * 128 + x] = (((y % 16) * 16 + (x % 16)) * 7 + (x >> 4) * 3 + (y >> 4) * 5) % 256
    }
    for (const clipLimit of [1, 2, 40]) {
      const result = clahe(image, { clipLimit, range: [0, 255] })
      expectClose(result.data, Array.from(image.data, (value) => (value + 1) / 256), 1e-6)
    }
  })

  it('increases local contrast of a low-contrast image', () => {
    // Soft waves between 100 and 110 on a 0..255 scale: a 4 % window.
    const image = createGreyImage(64, 64)
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) image.data[y * 64 + x] = Math.round(105 + 5 * Math.sin(x / 3) * Math.cos(y / 5))
    const result = clahe(image, { clipLimit: 2, range: [0, 255] })
    const before = localSpread(image, 24, 24, 16) / 255
    const after = localSpread(result, 24, 24, 16)
    expect(after).toBeGreaterThan(3 * before)
  })

  it('returns zeros for a constant image and does not mutate its input', () => {
    expect(Array.from(clahe(createGreyImage(4, 4, new Array(16).fill(9))).data)).toEqual(new Array(16).fill(0))
    const image = referencePattern(20, 10)
    const before = snapshot(image)
    clahe(image, { tileGridSize: 3 })
    expect(snapshot(image)).toEqual(before)
  })

  it('rejects bad options', () => {
    const image = referencePattern(8, 8)
    expect(() => clahe(image, { tileGridSize: 0 })).toThrow(/tileGridSize/)
    expect(() => clahe(image, { clipLimit: -1 })).toThrow(/clipLimit/)
    expect(() => clahe(image, { bins: 70000 })).toThrow(/bins/)
    expect(() => clahe(image, { range: [5, 5] })).toThrow(/range/)
  })
})
