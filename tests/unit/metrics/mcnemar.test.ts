import { describe, expect, it } from 'vitest'
import { compareAtThresholds, MCNEMAR_AUTO_RULE, mcnemarTest, newcombePairedInterval, wilsonInterval } from '@shared/metrics'
import { PAIRED_CASES } from './comparisonCases'

/*
 * References: statsmodels 0.13.5 (Debian python3-statsmodels) `mcnemar([[10, b], [c, 10]], exact=True).pvalue` and
 * `mcnemar(..., exact=False, correction=True)`; mid-p = 2·binom.cdf(min, b+c, ½) − binom.pmf(min, b+c, ½) with scipy
 * 1.10.1 (Fagerland et al. 2013's definition); printed by tests/unit/metrics/references/comparisonReferences.py.
 * R 4.2.2 `mcnemar.test(correct = TRUE)` gives the same χ² and p for (6, 16), (12, 5) and (30, 14).
 * statsmodels and R do not cap the continuity correction, so for b = c they report χ² = 1/(b + c) > 0; this module
 * caps it (b = c is no evidence of a difference: χ² = 0, p = 1) and those rows are checked against that instead.
 */
const STATSMODELS: { b: number; c: number; exact: number; midP: number; chiSquare: number; chiSquareP: number }[] = [
  { b: 6, c: 16, exact: 0.052478790283203125, chiSquare: 3.6818181818181817, chiSquareP: 0.055008833629265896, midP: 0.03468966484069824 },
  { b: 1, c: 7, exact: 0.0703125, chiSquare: 3.125, chiSquareP: 0.07709987174354202, midP: 0.039062500000000014 },
  { b: 12, c: 5, exact: 0.143463134765625, chiSquare: 2.1176470588235294, chiSquareP: 0.1456100953968629, midP: 0.09625244140624994 },
  { b: 30, c: 14, exact: 0.022628841205914796, chiSquare: 5.113636363636363, chiSquareP: 0.023738515250054576, midP: 0.016094360031274853 },
  { b: 0, c: 5, exact: 0.0625, chiSquare: 3.2, chiSquareP: 0.07363827012030258, midP: 0.03125 },
  { b: 0, c: 1, exact: 1, chiSquare: 0, chiSquareP: 1, midP: 0.5 },
]

describe('mcnemarTest', () => {
  it('matches statsmodels: exact, mid-p and continuity-corrected chi-square', () => {
    for (const reference of STATSMODELS) {
      const result = mcnemarTest(reference.b, reference.c)
      expect(result.discordant).toBe(reference.b + reference.c)
      expect(result.exactPValue).toBeCloseTo(reference.exact, 14)
      expect(result.midPValue).toBeCloseTo(reference.midP, 14)
      expect(result.chiSquare).toBeCloseTo(reference.chiSquare, 13)
      expect(Math.abs(result.chiSquarePValue - reference.chiSquareP)).toBeLessThan(1e-13)
    }
  })

  it('hand check: b = 0, c = 5 → exact p = 2·(½)⁵ = 1/16, mid-p = 1/16 − 1/32', () => {
    const result = mcnemarTest(0, 5)
    expect(result.exactPValue).toBe(1 / 16)
    expect(result.midPValue).toBe(1 / 32)
  })

  it('picks the exact test below 25 discordant images and the chi-square from 25 on', () => {
    expect(mcnemarTest(6, 16)).toMatchObject({ method: 'exact', pValue: mcnemarTest(6, 16).exactPValue, rule: MCNEMAR_AUTO_RULE })
    const large = mcnemarTest(30, 14)
    expect(large.method).toBe('chi-square-corrected')
    expect(large.pValue).toBe(large.chiSquarePValue)
    expect(mcnemarTest(12, 12).method).toBe('exact') // 24 discordant
    expect(mcnemarTest(13, 12).method).toBe('chi-square-corrected') // 25
    expect(mcnemarTest(12, 12, { method: 'mid-p' })).toMatchObject({ method: 'mid-p', rule: 'mid-p test chosen by the caller' })
  })

  it('b = c is no evidence of a difference: every p-value is 1 (the correction is capped)', () => {
    for (const [b, c] of [[3, 3], [40, 40]]) {
      const result = mcnemarTest(b, c)
      expect(result.exactPValue).toBe(1)
      expect(result.midPValue).toBeCloseTo(1, 14)
      expect(result.chiSquare).toBe(0)
      expect(result.chiSquarePValue).toBe(1)
    }
  })

  it('no discordant image: exact p = 1, chi-square undefined (statsmodels divides by zero)', () => {
    const result = mcnemarTest(0, 0)
    expect(result).toMatchObject({ discordant: 0, exactPValue: 1, midPValue: 1, method: 'exact', pValue: 1 })
    expect(result.chiSquare).toBeNaN()
    expect(result.chiSquarePValue).toBeNaN()
  })

  it('rejects counts that are not whole numbers of images', () => {
    expect(() => mcnemarTest(2.5, 1)).toThrow(/images only model A got right must be a whole number of images, got 2.5/)
    expect(() => mcnemarTest(1, -1)).toThrow(RangeError)
  })
})

describe('newcombePairedInterval (Newcombe 1998, method 10)', () => {
  it('reproduces the worked example of Fagerland, Lydersen & Laake 2017, §8 (Cavo et al. 2012)', () => {
    // Table 59, 6 / 16, 80: estimate −0.0621, 95% CI −0.1186 to −0.0046 (also the test of the contingencytables R
    // package, which implements the book).
    const interval = newcombePairedInterval({ bothCorrect: 59, onlyACorrect: 6, onlyBCorrect: 16, bothWrong: 80 })
    expect(interval.estimate).toBeCloseTo(-10 / 161, 15)
    expect(interval.lower).toBeCloseTo(-0.1186, 4)
    expect(interval.upper).toBeCloseTo(-0.0046, 4)
  })

  it('hand check without correlation (φ = 0 when ad − bc ≤ n/2): square-and-add of two Wilson intervals', () => {
    // a = 2, b = 3, c = 1, d = 4 (n = 10): ad − bc = 5 = n/2 → φ = 0. p_A = 0.5, p_B = 0.3.
    const table = { bothCorrect: 2, onlyACorrect: 3, onlyBCorrect: 1, bothWrong: 4 }
    const first = wilsonInterval(5, 10)
    const second = wilsonInterval(3, 10)
    const interval = newcombePairedInterval(table)
    expect(interval.estimate).toBeCloseTo(0.2, 15)
    expect(interval.lower).toBeCloseTo(0.2 - Math.hypot(0.5 - first.lower, second.upper - 0.3), 15)
    expect(interval.upper).toBeCloseTo(0.2 + Math.hypot(0.3 - second.lower, first.upper - 0.5), 15)
  })

  it('stays inside [−1, 1] with zero cells and is undefined with no image', () => {
    const allAOnly = newcombePairedInterval({ bothCorrect: 0, onlyACorrect: 4, onlyBCorrect: 0, bothWrong: 0 })
    expect(allAOnly.estimate).toBe(1)
    expect(allAOnly.upper).toBeLessThanOrEqual(1)
    expect(allAOnly.lower).toBeGreaterThan(0)
    const empty = newcombePairedInterval({ bothCorrect: 0, onlyACorrect: 0, onlyBCorrect: 0, bothWrong: 0 })
    expect(empty.lower).toBeNaN()
  })

  it('Wilson interval: hand-known 0 of 10 → [0, 0.2775]', () => {
    // upper = z²/(n + z²) = 3.8415/13.8415 = 0.27754
    const interval = wilsonInterval(0, 10)
    expect(interval.lower).toBe(0)
    expect(interval.upper).toBeCloseTo(3.841458820694124 / 13.841458820694124, 14)
  })
})

describe('compareAtThresholds', () => {
  // statsmodels on the same cases at threshold 0.5 (script above): corda135 all [[81, 36], [4, 14]],
  // exact p 1.8570244719740003e-07 (40 discordant → chi-square 9.509294351575039e-07); positives [[52, 24], [4, 10]],
  // chi-square p 0.0003298385207779936; negatives [[29, 12], [0, 4]], exact p 0.00048828125;
  // covid15 all [[6, 7], [0, 2]], exact p 0.015625.
  it('builds the paired table and the primary p-value from scores', () => {
    const { labels, scoresA, scoresB } = PAIRED_CASES.corda135
    const accuracy = compareAtThresholds({ labels, scoresA, scoresB })
    expect(accuracy.table).toEqual({ bothCorrect: 81, onlyACorrect: 36, onlyBCorrect: 4, bothWrong: 14 })
    expect(accuracy.n).toBe(135)
    expect(accuracy.valueA).toBeCloseTo(117 / 135, 15)
    expect(accuracy.valueB).toBeCloseTo(85 / 135, 15)
    expect(accuracy.difference).toBeCloseTo(32 / 135, 15)
    expect(accuracy.test.exactPValue).toBeCloseTo(1.8570244719740003e-7, 18)
    expect(accuracy.test.method).toBe('chi-square-corrected')
    expect(accuracy.test.pValue).toBeCloseTo(9.509294351575039e-7, 18)
    expect(accuracy.ci.lower).toBeGreaterThan(0)

    const sensitivity = compareAtThresholds({ labels, scoresA, scoresB }, { outcome: 'sensitivity' })
    expect(sensitivity.table).toEqual({ bothCorrect: 52, onlyACorrect: 24, onlyBCorrect: 4, bothWrong: 10 })
    expect(sensitivity.test.pValue).toBeCloseTo(0.0003298385207779936, 16)
    const specificity = compareAtThresholds({ labels, scoresA, scoresB }, { outcome: 'specificity' })
    expect(specificity.table).toEqual({ bothCorrect: 29, onlyACorrect: 12, onlyBCorrect: 0, bothWrong: 4 })
    expect(specificity.test.pValue).toBeCloseTo(0.00048828125, 17) // 2·(½)¹²

    const small = compareAtThresholds({ labels: PAIRED_CASES.covid15.labels, scoresA: PAIRED_CASES.covid15.scoresA, scoresB: PAIRED_CASES.covid15.scoresB })
    expect(small.table).toEqual({ bothCorrect: 6, onlyACorrect: 7, onlyBCorrect: 0, bothWrong: 2 })
    expect(small.test.pValue).toBeCloseTo(0.015625, 16) // 2·(½)⁷
  })

  it('uses each model’s own threshold (score ≥ threshold is positive)', () => {
    const result = compareAtThresholds({ labels: [1, 0], scoresA: [0.3, 0.1], scoresB: [0.3, 0.1], thresholdA: 0.3, thresholdB: 0.5 })
    expect(result.table).toEqual({ bothCorrect: 1, onlyACorrect: 1, onlyBCorrect: 0, bothWrong: 0 })
  })

  it('identical predictions: no discordant image, difference 0, p = 1', () => {
    const { labels, scoresA } = PAIRED_CASES.ties30
    const result = compareAtThresholds({ labels, scoresA, scoresB: scoresA })
    expect(result.test).toMatchObject({ discordant: 0, pValue: 1 })
    expect(result.difference).toBe(0)
  })

  it('a class absent: sensitivity cannot be compared, said so', () => {
    const result = compareAtThresholds({ labels: [0, 0, 0], scoresA: [0.1, 0.6, 0.2], scoresB: [0.4, 0.3, 0.7] }, { outcome: 'sensitivity' })
    expect(result.n).toBe(0)
    expect(result.undefinedReason).toBe('no positive images: sensitivity cannot be compared')
    expect(result.test.pValue).toBeNaN()
    expect(result.valueA).toBeNaN()
  })

  it('names the model with a bad threshold or score', () => {
    expect(() => compareAtThresholds({ labels: [1], scoresA: [0.2], scoresB: [Number.POSITIVE_INFINITY] })).toThrow(/^model B: /)
    expect(() => compareAtThresholds({ labels: [1], scoresA: [0.2], scoresB: [0.2], thresholdA: Number.NaN })).toThrow(/threshold must be a number/)
  })
})
