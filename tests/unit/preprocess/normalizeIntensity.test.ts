import { describe, expect, it } from 'vitest'
import { createGreyImage, normalizeIntensity, percentiles } from '@shared/imaging/preprocess'
import { expectClose, imageFromRows, snapshot } from './helpers'

describe('normalizeIntensity', () => {
  it('maps min to 0 and max to 1 linearly', () => {
    const result = normalizeIntensity(imageFromRows([[100, 150], [200, 300]]))
    expectClose(result.data, [0, 0.25, 0.5, 1], 1e-7)
  })

  it('turns a constant image into zeros, not NaN', () => {
    const result = normalizeIntensity(createGreyImage(3, 3, new Array(9).fill(42)))
    expect(Array.from(result.data)).toEqual(new Array(9).fill(0))
  })

  it('clips at percentiles before stretching (numpy linear rule)', () => {
    // Values 0..10 then an outlier 1000: 12 values, ranks 0..11.
    // p10 -> rank 1.1 -> 1.1; p90 -> rank 9.9 -> 9.9 (both between neighbours 1-2 and 9-10).
    const values = [5, 0, 1000, 3, 8, 1, 10, 2, 7, 4, 9, 6]
    const result = normalizeIntensity(createGreyImage(12, 1, values), { low: 10, high: 90 })
    const expected = values.map((value) => Math.min(Math.max((value - 1.1) / 8.8, 0), 1))
    expectClose(result.data, expected, 1e-6)
  })

  it('returns zeros when the percentile window has zero width', () => {
    const result = normalizeIntensity(imageFromRows([[0, 5, 5, 5, 5, 9]]), { low: 25, high: 75 })
    expect(Array.from(result.data)).toEqual(new Array(6).fill(0))
  })

  it('does not mutate its input and rejects bad percentiles and NaN', () => {
    const image = imageFromRows([[3, 1, 2]])
    const before = snapshot(image)
    normalizeIntensity(image, { low: 1, high: 99 })
    expect(snapshot(image)).toEqual(before)
    expect(() => normalizeIntensity(image, { low: 60, high: 40 })).toThrow(/below/)
    expect(() => normalizeIntensity(image, { high: 101 })).toThrow(/\[0, 100\]/)
    expect(() => normalizeIntensity(imageFromRows([[1, Number.NaN]]))).toThrow(/NaN/)
  })
})

describe('percentiles', () => {
  it('matches numpy.percentile on small arrays (hand values)', () => {
    // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 75, 100]) = 1, 1.75, 2.5, 3.25, 4.
    expect(percentiles([4, 1, 3, 2], [0, 25, 50, 75, 100])).toEqual([1, 1.75, 2.5, 3.25, 4])
  })

  it('returns the value itself for constant input and rejects NaN and bad percents', () => {
    expect(percentiles([3, 3, 3], [0, 50, 100])).toEqual([3, 3, 3])
    expect(() => percentiles([1, Number.NaN], [50])).toThrow(/NaN/)
    expect(() => percentiles([1, 2], [-1])).toThrow(/\[0, 100\]/)
    expect(() => percentiles([], [50])).toThrow(/no values/)
  })

  it('agrees with sorting on many duplicates and random data', () => {
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const values = Array.from({ length: 5001 }, () => (random() < 0.4 ? 0 : Math.floor(random() * 50)))
    const sorted = [...values].sort((first, second) => first - second)
    const percents = [0, 1, 37.5, 50, 99, 100]
    const expected = percents.map((percent) => {
      const rank = (percent / 100) * (sorted.length - 1)
      const below = sorted[Math.floor(rank)]
      return below + (sorted[Math.ceil(rank)] - below) * (rank - Math.floor(rank))
    })
    expectClose(percentiles(values, percents), expected, 1e-9)
  })
})
