import { describe, expect, it } from 'vitest'
import { createGreyImage, histogramEqualize } from '@shared/imaging/preprocess'
import { expectClose, imageFromRows, referencePattern, rowsOf, snapshot } from './helpers'

describe('histogramEqualize', () => {
  it('maps a 2x2 image of 0,1,2,3 to 0, 1/3, 2/3, 1 ((cdf - cdfMin) / (N - cdfMin))', () => {
    // cdf = 1, 2, 3, 4; cdfMin = 1; N - cdfMin = 3.
    const result = histogramEqualize(imageFromRows([[0, 1], [2, 3]]))
    expectClose(result.data, [0, 1 / 3, 2 / 3, 1], 1e-7)
  })

  it('follows the cdf on a skewed histogram (hand-computed)', () => {
    // Values 10 x5, 20 x2, 30 x1: cdf = 5, 7, 8; cdfMin = 5; denominator 3 -> 0, 2/3, 1.
    const result = histogramEqualize(imageFromRows([[10, 10, 10, 10], [10, 20, 20, 30]]))
    expectClose(result.data, [0, 0, 0, 0, 0, 2 / 3, 2 / 3, 1], 1e-7)
  })

  it('keeps a ramp monotone and makes its histogram uniform', () => {
    const ramp = createGreyImage(256, 1, Array.from({ length: 256 }, (_, index) => index * 3 + 100))
    const result = histogramEqualize(ramp)
    for (let index = 1; index < 256; index++) expect(result.data[index]).toBeGreaterThan(result.data[index - 1])
    // One pixel per level: output level i is i / 255, evenly spaced.
    expectClose(result.data, Array.from({ length: 256 }, (_, index) => index / 255), 1e-6)
  })

  it('spreads a low-contrast ramp over the whole of [0, 1]', () => {
    const narrow = createGreyImage(4, 4, Array.from({ length: 16 }, (_, index) => 1000 + (index >> 1)))
    const result = histogramEqualize(narrow)
    expect(Math.min(...result.data)).toBe(0)
    expect(Math.max(...result.data)).toBe(1)
    // 8 levels x 2 pixels: cdf = 2, 4, ..., 16; (cdf - 2) / 14.
    expectClose(result.data, Array.from({ length: 16 }, (_, index) => (index >> 1) * (2 / 14)), 1e-7)
  })

  it('returns zeros for a constant image', () => {
    const result = histogramEqualize(createGreyImage(3, 2, [7, 7, 7, 7, 7, 7]))
    expect(Array.from(result.data)).toEqual([0, 0, 0, 0, 0, 0])
  })

  it('keeps every distinct 12-bit level distinct (one bin per stored value)', () => {
    // 4096 levels 0..4095, each once, scrambled: 256 bins would merge 16 levels per bin.
    const values = Array.from({ length: 4096 }, (_, index) => (index * 1237) % 4096)
    const result = histogramEqualize(createGreyImage(64, 64, values))
    expect(new Set(result.data).size).toBe(4096)
    for (let index = 0; index < 4096; index++) expect(result.data[index]).toBeCloseTo(values[index] / 4095, 6)
  })

  it('keeps neighbouring 16-bit levels apart', () => {
    const result = histogramEqualize(imageFromRows([[0, 65534, 65535, 65535]]))
    // cdf at 0, 65534, 65535 = 1, 2, 4; cdfMin 1; / 3.
    expectClose(result.data, [0, 1 / 3, 1, 1], 1e-7)
  })

  it('bins float input into `bins` equal-width bins over [min, max]', () => {
    // With 4 bins over [0, 1]: 0 -> bin 0, 0.3 -> 1, 0.6 -> 2, 0.9 and 1.0 -> 3.
    const result = histogramEqualize(imageFromRows([[0, 0.3, 0.6, 0.9, 1.0]]), { bins: 4 })
    // Counts per bin 1, 1, 1, 2 -> cdf 1, 2, 3, 5 -> (cdf - 1) / 4.
    expectClose(result.data, [0, 0.25, 0.5, 1, 1], 1e-7)
  })

  it('uses the default 65536 float bins finely enough to separate close values', () => {
    const result = histogramEqualize(imageFromRows([[0, 0.5, 0.50002, 1]]))
    expect(new Set(result.data).size).toBe(4)
  })

  it('computes the histogram only inside the mask and clamps values outside its range', () => {
    const image = imageFromRows([[0, 10, 11, 12], [13, 100, 50, 5]])
    const mask = imageFromRows([[0, 1, 1, 1], [1, 0, 0.5, 0.49]])
    // Counted: 10, 11, 12, 13, 50 -> cdf 1..5, cdfMin 1 -> (cdf - 1) / 4.
    // Uncounted 0 and 5 fall below 10 -> 0; 100 above 50 -> 1.
    const result = histogramEqualize(image, { mask })
    expect(rowsOf(result)).toEqual([
      [0, 0, 0.25, 0.5],
      [0.75, 1, 1, 0],
    ])
  })

  it('returns zeros when the mask selects nothing', () => {
    const result = histogramEqualize(imageFromRows([[1, 2]]), { mask: imageFromRows([[0, 0]]) })
    expect(Array.from(result.data)).toEqual([0, 0])
  })

  it('matches OpenCV equalizeHist on an 8-bit pattern to within its rounding (0.5/255)', () => {
    // cv2.equalizeHist (OpenCV 4.6) rows 0 and 29 of the 40x30 pattern: round(255 * our mapping).
    const row0 = [0,8,21,41,68,98,138,182,232,31,94,164,237,61,146,239,80,184,37,155,18,148,25,168,56,209,109,17,188,106,33,224,161,103,54,11,229,197,172,151]
    const row29 = [126,123,148,158,155,178,225,2,21,68,141,200,244,56,153,235,46,141,4,109,203,64,209,82,200,85,253,151,33,201,135,58,28,222,181,126,58,15,0,227]
    const result = histogramEqualize(referencePattern(40, 30))
    expectClose(Array.from(result.data.subarray(0, 40), (value) => value * 255), row0, 0.5001)
    expectClose(Array.from(result.data.subarray(29 * 40, 30 * 40), (value) => value * 255), row29, 0.5001)
  })

  it('gives whole-image integer levels (the stored-level fast path) exactly what the general path gives', () => {
    // An all-inside mask sends the same image through the general three-pass path, whose values the tests
    // above check by hand; the unmasked call takes the two-pass path by level. Both ends of its range, negative
    // levels and values one past either end (which must fall back) are included.
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    // The fast path keeps its count table between calls: the images that leave it half-way come first, so a table
    // not cleaned up after them would show in the later ones.
    const cases = [
      [...Array.from({ length: 255 }, () => Math.floor(random() * 4096)), 65536],
      [0, 1, 2, 0.5],
      [-32769, ...Array.from({ length: 255 }, () => Math.floor(random() * 4096))],
      Array.from({ length: 4096 }, () => Math.floor(random() * 1024)),
      // Even and odd samples are counted in two tables: a fraction or an out-of-range level at an odd place, or
      // as the unpaired last sample of an odd-length image, must still send the image to the general path.
      [3, 0.25, 7, 9, 11],
      [3, 5, 7, 9, 11.5],
      [3, 98304, 7, 9],
      [5, 5, 5, 7, 7, 9, 9, 9, 2],
      [-32768, 65535, ...Array.from({ length: 1022 }, () => Math.floor(random() * 98304) - 32768)],
      Array.from({ length: 4095 }, () => Math.floor(random() * 1024)),
      Array.from({ length: 4096 }, () => Math.floor(random() * 1024)),
    ]
    for (const values of cases) {
      const image = createGreyImage(values.length, 1, values)
      const everywhere = createGreyImage(values.length, 1, new Array<number>(values.length).fill(1))
      const general = histogramEqualize(image, { mask: everywhere }).data
      expect(Buffer.compare(Buffer.from(histogramEqualize(image).data.buffer), Buffer.from(general.buffer))).toBe(0)
    }
  })

  it('does not mutate its inputs', () => {
    const image = imageFromRows([[3, 1], [2, 0]])
    const mask = imageFromRows([[1, 1], [0, 1]])
    const before = [snapshot(image), snapshot(mask)]
    const result = histogramEqualize(image, { mask })
    expect([snapshot(image), snapshot(mask)]).toEqual(before)
    expect(result.data).not.toBe(image.data)
  })

  it('rejects bad arguments with clear errors', () => {
    const image = imageFromRows([[0, 1]])
    expect(() => histogramEqualize(image, { mask: imageFromRows([[1], [1]]) })).toThrow(/1x2.*2x1|2x1.*1x2/)
    expect(() => histogramEqualize(image, { bins: 1 })).toThrow(/bins/)
    expect(() => histogramEqualize(imageFromRows([[0, Number.NaN]]))).toThrow(/NaN/)
    expect(() => histogramEqualize(imageFromRows([[0, Infinity]]))).toThrow(/finite/)
    expect(() => histogramEqualize({ width: 2, height: 2, data: new Float32Array(3) })).toThrow(/3 samples/)
  })
})
