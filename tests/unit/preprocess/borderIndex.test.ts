import { describe, expect, it } from 'vitest'
import { assertGreyImage, borderIndex, createGreyImage } from '@shared/imaging/preprocess'

describe('borderIndex', () => {
  it('mirrors, mirrors without the edge, or clamps (length 4, indices -3..6)', () => {
    const indices = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6]
    // reflect:    c b a | a b c d | d c b
    expect(indices.map((index) => borderIndex(index, 4, 'reflect'))).toEqual([2, 1, 0, 0, 1, 2, 3, 3, 2, 1])
    // reflect101: d c b | a b c d | c b a
    expect(indices.map((index) => borderIndex(index, 4, 'reflect101'))).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1, 0])
    expect(indices.map((index) => borderIndex(index, 4, 'clamp'))).toEqual([0, 0, 0, 0, 1, 2, 3, 3, 3, 3])
  })

  it('keeps folding when the index is several lengths outside, and handles length 1', () => {
    // Period 4 for reflect on length 2: indices -5..-1 read 0 0 1 1 0, indices 2..8 read 1 0 0 1 1 0 0.
    expect([-5, -4, 6, 7, 8].map((index) => borderIndex(index, 2, 'reflect'))).toEqual([0, 0, 1, 0, 0])
    // Period 2 for reflect101 on length 2: alternates.
    expect([-5, -4, 6, 7].map((index) => borderIndex(index, 2, 'reflect101'))).toEqual([1, 0, 0, 1])
    for (const mode of ['reflect', 'reflect101', 'clamp'] as const) expect(borderIndex(-7, 1, mode)).toBe(0)
  })
})

describe('GreyImage helpers', () => {
  it('builds images by copying the given values', () => {
    const values = [1, 2, 3, 4, 5, 6]
    const image = createGreyImage(3, 2, values)
    values[0] = 99
    expect(Array.from(image.data)).toEqual([1, 2, 3, 4, 5, 6])
    expect(Array.from(createGreyImage(2, 1).data)).toEqual([0, 0])
  })

  it('rejects malformed images with messages that say what is wrong', () => {
    expect(() => createGreyImage(2, 2, [1, 2, 3])).toThrow('3 values given for a 2x2 image (4 expected)')
    expect(() => createGreyImage(-1, 2)).toThrow(/positive integers, got -1x2/)
    expect(() => assertGreyImage({ width: 2, height: 1, data: [1, 2] as unknown as Float32Array })).toThrow(/Float32Array/)
    expect(() => assertGreyImage({ width: 2, height: 2, data: new Float32Array(3) }, 'input')).toThrow(
      'input: data has 3 samples but 2x2 needs 4',
    )
  })
})
