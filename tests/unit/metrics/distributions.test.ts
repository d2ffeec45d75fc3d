import { describe, expect, it } from 'vitest'
import {
  binomialCdf,
  binomialProbability,
  binomialUpperTail,
  chiSquareOneDegreeUpperTail,
  erfc,
  logFactorial,
  normalCdf,
  normalQuantile,
  normalUpperTail,
  twoSidedCriticalValue,
  twoSidedNormalPValue,
} from '@shared/metrics'

/*
 * Reference values: scipy 1.10.1 (Debian python3-scipy 1.10.1-2), printed by
 * tests/unit/metrics/references/comparisonReferences.py: stats.norm.sf, stats.norm.ppf, stats.chi2.sf(x, 1),
 * stats.binom.cdf, stats.binomtest(k, n, p, alternative='greater').pvalue. R 4.2.2's binom.test(45, 60, 0.5,
 * alternative = "greater") gives the same 6.7257040464248e-05.
 */

/** |actual − expected| ≤ tolerance·|expected|, the check for values spanning 300 orders of magnitude. */
function expectRelative(actual: number, expected: number, tolerance = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected))
}

describe('normal distribution', () => {
  const upperTail: [number, number][] = [
    [0, 0.5],
    [0.3, 0.3820885778110474],
    [1, 0.15865525393145707],
    [1.959963984540054, 0.025],
    [3, 0.0013498980316300933],
    [6, 9.865876450376946e-10],
    [10, 7.61985302416047e-24],
    [20, 2.7536241186061556e-89],
    [37, 5.7255712225239266e-300],
    [-2.5, 0.9937903346742238],
  ]

  it('upper tail matches scipy.stats.norm.sf to 1e-12 relative, far into the tail', () => {
    for (const [z, expected] of upperTail) expectRelative(normalUpperTail(z), expected)
  })

  it('Φ(x) + Φ(−x) = 1 and the two-sided p-value doubles the tail', () => {
    for (const x of [0.1, 0.8, 2.2, 4.5]) expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 15)
    expectRelative(twoSidedNormalPValue(-3), 2 * 0.0013498980316300933)
    expect(twoSidedNormalPValue(0)).toBe(1)
    expect(twoSidedNormalPValue(Number.NaN)).toBeNaN()
  })

  it('erfc keeps its hand-known values: erfc(0) = 1, erfc(−∞ side) → 2, erfc(30) underflows to 0', () => {
    expect(erfc(0)).toBe(1)
    expect(erfc(-40)).toBe(2)
    expect(erfc(30)).toBe(0)
    // erfc(1) = 0.157299207050285130658… (Abramowitz & Stegun Table 7.1)
    expectRelative(erfc(1), 0.15729920705028513, 1e-15)
  })

  it('quantile matches scipy.stats.norm.ppf, down to p = 1e-300', () => {
    const quantiles: [number, number][] = [
      [0.975, 1.959963984540054],
      [0.995, 2.5758293035489004],
      [0.9, 1.2815515655446004],
      [0.6, 0.2533471031357997],
      [1e-10, -6.361340902404056],
      [1e-300, -37.0470962993612],
      [0.025, -1.9599639845400545],
    ]
    for (const [p, expected] of quantiles) expectRelative(normalQuantile(p), expected, 1e-13)
    expect(normalQuantile(0.5)).toBe(0)
    expect(twoSidedCriticalValue(0.95)).toBeCloseTo(1.959963984540054, 14)
  })

  it('rejects probabilities outside (0, 1) with a message naming the value', () => {
    expect(() => normalQuantile(0)).toThrow(/strictly between 0 and 1, got 0/)
    expect(() => normalQuantile(1.2)).toThrow(RangeError)
    expect(() => twoSidedCriticalValue(95)).toThrow(/confidence must be between 0 and 1 \(e\.g\. 0\.95\), got 95/)
  })
})

describe('chi-square with one degree of freedom', () => {
  it('matches scipy.stats.chi2.sf(x, 1)', () => {
    const cases: [number, number][] = [
      [0.1, 0.7518296340458492],
      [1, 0.31731050786291115],
      [3.841458820694124, 0.04999999999999989],
      [10, 0.001565402258002549],
      [50, 1.537459794428033e-12],
    ]
    for (const [x, expected] of cases) expectRelative(chiSquareOneDegreeUpperTail(x), expected)
    expect(chiSquareOneDegreeUpperTail(0)).toBe(1)
    expect(chiSquareOneDegreeUpperTail(Number.NaN)).toBeNaN()
  })
})

describe('binomial distribution', () => {
  it('log-factorials are exact for small k and match Stirling beyond', () => {
    expect(logFactorial(0)).toBe(0)
    expect(logFactorial(5)).toBeCloseTo(Math.log(120), 14)
    // ln(30!) = ln(265252859812191058636308480000000) = 74.658236348830164…
    expectRelative(logFactorial(30), 74.65823634883016, 1e-15)
    expect(() => logFactorial(2.5)).toThrow(RangeError)
  })

  it('probabilities sum to 1 and match a hand count', () => {
    // P(X = 2 | 4, ½) = C(4,2)/16 = 6/16
    expect(binomialProbability(2, 4, 0.5)).toBeCloseTo(0.375, 15)
    let total = 0
    for (let k = 0; k <= 40; k++) total += binomialProbability(k, 40, 0.3)
    expect(total).toBeCloseTo(1, 13)
    expect(binomialProbability(0, 5, 0)).toBe(1)
    expect(binomialProbability(5, 5, 1)).toBe(1)
    expect(binomialProbability(6, 5, 0.5)).toBe(0)
  })

  it('the distribution function matches scipy.stats.binom.cdf, including n = 2000 tails', () => {
    const cases: [number, number, number, number][] = [
      [3, 10, 0.5, 0.171875],
      [0, 20, 0.5, 9.5367431640625e-7],
      [40, 100, 0.6, 4.246638705729486e-5],
      [900, 2000, 0.5, 4.228544767751906e-6],
      [1500, 2000, 0.7, 0.9999996939676451],
      [5, 5, 0.3, 1],
    ]
    for (const [k, n, p, expected] of cases) expectRelative(binomialCdf(k, n, p), expected, 1e-10)
  })

  it('the upper tail matches scipy.stats.binomtest(alternative="greater")', () => {
    const cases: [number, number, number, number][] = [
      [45, 60, 0.5, 6.725704046424766e-5],
      [80, 100, 0.6, 1.641187790212209e-5],
      [7, 10, 0.5, 0.171875],
      [150, 200, 0.5, 4.1965104378023877e-13],
      [3, 3, 0.9, 0.7290000000000001],
      [10, 15, 2 / 3, 0.6183718383567471],
    ]
    for (const [k, n, p, expected] of cases) expectRelative(binomialUpperTail(k, n, p), expected, 1e-10)
    expect(binomialUpperTail(0, 10, 0.2)).toBe(1)
    expect(binomialUpperTail(11, 10, 0.2)).toBe(0)
  })

  it('rejects impossible parameters', () => {
    expect(() => binomialCdf(1, 5, 1.5)).toThrow(/between 0 and 1, got 1.5/)
    expect(() => binomialUpperTail(1, -2, 0.5)).toThrow(/non-negative integer, got -2/)
  })
})
