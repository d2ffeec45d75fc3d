import { describe, expect, it } from 'vitest'
import { adjustPValues, benjaminiHochbergAdjust, holmAdjust } from '@shared/metrics'

/*
 * References: statsmodels 0.13.5 `multipletests(p, method='holm')[1]` and `multipletests(p, method='fdr_bh')[1]`
 * (tests/unit/metrics/references/comparisonReferences.py); R 4.2.2 `p.adjust(p, method = "holm")` prints the same
 * Holm values.
 */
const P_VALUES = [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.5, 1.0, 0.0001, 0.049]
const HOLM = [0.08, 0.24, 0.21, 0.045, 0.6000000000000001, 0.24, 1.0, 1.0, 0.001, 0.24]
const BENJAMINI_HOCHBERG = [
  0.03333333333333333, 0.06666666666666667, 0.06666666666666667, 0.024999999999999998, 0.25, 0.06666666666666667,
  0.5555555555555556, 1.0, 0.001, 0.07,
]

describe('holmAdjust', () => {
  it('matches statsmodels and R (ties, the running maximum and the cap at 1)', () => {
    const result = holmAdjust(P_VALUES)
    expect(result.comparisons).toBe(10)
    result.adjusted.forEach((value, index) => expect(value).toBeCloseTo(HOLM[index], 15))
  })

  it('hand check: 0.01, 0.02, 0.03 → 3·0.01, max(0.03, 2·0.02), max(0.04, 0.03)', () => {
    const adjusted = holmAdjust([0.03, 0.01, 0.02]).adjusted
    expect(adjusted[1]).toBeCloseTo(0.03, 15)
    expect(adjusted[2]).toBeCloseTo(0.04, 15)
    expect(adjusted[0]).toBeCloseTo(0.04, 15) // monotone: never below a smaller p's adjusted value
  })

  it('keeps untested comparisons (NaN) out of m', () => {
    const result = holmAdjust([0.01, Number.NaN, 0.04])
    expect(result.comparisons).toBe(2)
    expect(result.adjusted[0]).toBeCloseTo(0.02, 15)
    expect(result.adjusted[1]).toBeNaN()
    expect(result.adjusted[2]).toBeCloseTo(0.04, 15)
  })

  it('handles no comparison and a single one', () => {
    expect(holmAdjust([])).toEqual({ method: 'holm', comparisons: 0, adjusted: [] })
    expect(holmAdjust([0.3]).adjusted).toEqual([0.3])
  })

  it('rejects values that are not p-values, naming which', () => {
    expect(() => holmAdjust([0.2, 1.5])).toThrow(/p-value 2 must be between 0 and 1/)
    expect(() => holmAdjust([-0.1])).toThrow(RangeError)
  })
})

describe('benjaminiHochbergAdjust', () => {
  it('matches statsmodels fdr_bh', () => {
    const result = benjaminiHochbergAdjust(P_VALUES)
    result.adjusted.forEach((value, index) => expect(value).toBeCloseTo(BENJAMINI_HOCHBERG[index], 15))
  })

  it('is never above Holm (it controls a weaker error rate)', () => {
    const holm = holmAdjust(P_VALUES).adjusted
    benjaminiHochbergAdjust(P_VALUES).adjusted.forEach((value, index) => expect(value).toBeLessThanOrEqual(holm[index] + 1e-15))
  })

  it('adjustPValues dispatches on the method, Holm by default', () => {
    expect(adjustPValues(P_VALUES)).toEqual(holmAdjust(P_VALUES))
    expect(adjustPValues(P_VALUES, 'benjamini-hochberg')).toEqual(benjaminiHochbergAdjust(P_VALUES))
  })
})
