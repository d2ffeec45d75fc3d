import { describe, expect, it } from 'vitest'
import {
  aucWithStandardError,
  compareCorrelatedAucs,
  compareIndependentAucs,
  COMPARISON_REASONS,
  createRandom,
  delongPlacements,
  hanleyMcNeilStandardError,
  rocAuc,
} from '@shared/metrics'
import { PAIRED_CASES } from './comparisonCases'
import { syntheticCohort } from './syntheticData'

/** pROC prints 15 significant digits: agree to 1e-12 relative (or absolutely near 0). */
function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)) + 1e-14)
}

/** O(P·N) placements straight from DeLong et al. 1988's kernel ψ(x, y) = 1 if x > y, ½ if equal, 0 otherwise. */
function bruteForcePlacements(labels: number[], scores: number[]): { positive: number[]; negative: number[] } {
  const positives = scores.filter((_, index) => labels[index] === 1)
  const negatives = scores.filter((_, index) => labels[index] === 0)
  const kernel = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0)
  return {
    positive: positives.map((x) => negatives.reduce((sum, y) => sum + kernel(x, y), 0) / negatives.length),
    negative: negatives.map((y) => positives.reduce((sum, x) => sum + kernel(x, y), 0) / positives.length),
  }
}

describe('delongPlacements (one sort, Sun & Xu 2014)', () => {
  it('equals the pairwise kernel, ties included, and its mean is the AUC', () => {
    const random = createRandom(12)
    for (let trial = 0; trial < 5; trial++) {
      const labels = Array.from({ length: 40 }, (_, index) => (index < 15 ? 1 : 0))
      const scores = labels.map(() => Math.round(random() * 8) / 8) // coarse grid: many ties
      const fast = delongPlacements(labels, scores)
      const slow = bruteForcePlacements(labels, scores)
      Array.from(fast.positivePlacements).forEach((value, index) => expect(value).toBeCloseTo(slow.positive[index], 14))
      Array.from(fast.negativePlacements).forEach((value, index) => expect(value).toBeCloseTo(slow.negative[index], 14))
      expect(fast.auc).toBeCloseTo(rocAuc(labels, scores).auc, 14)
    }
  })
})

describe('compareCorrelatedAucs against pROC roc.test(method = "delong", paired = TRUE)', () => {
  for (const name of ['corda135', 'ties30', 'covid15', 'perfectA'] as const) {
    it(`${name}: AUCs, difference, SE, CI, z and p`, () => {
      const { labels, scoresA, scoresB, pROC } = PAIRED_CASES[name]
      const result = compareCorrelatedAucs({ labels, scoresA, scoresB })
      expect(result.status).toBe('ok')
      expectClose(result.aucA, pROC.aucA)
      expectClose(result.aucB, pROC.aucB)
      expectClose(result.difference, pROC.aucA - pROC.aucB)
      expectClose(result.standardError ** 2, pROC.varA + pROC.varB - 2 * pROC.covAB)
      expectClose(result.standardErrorA ** 2, pROC.varA)
      expectClose(result.standardErrorB ** 2, pROC.varB)
      expectClose(result.z, pROC.z)
      expect(Math.abs(result.pValue - pROC.p)).toBeLessThanOrEqual(1e-12 * pROC.p)
      expectClose(result.ci.lower, pROC.ciLower)
      expectClose(result.ci.upper, pROC.ciUpper)
      expect(result.ci.confidence).toBe(0.95)
      if (pROC.varA > 0) expectClose(result.correlation, pROC.covAB / Math.sqrt(pROC.varA * pROC.varB))
      else expect(result.correlation).toBeNaN() // a perfect model's AUC has no variance to correlate
    })
  }

  it('the paired test is sharper than overlapping intervals suggest (corda135: positive correlation)', () => {
    const { labels, scoresA, scoresB } = PAIRED_CASES.corda135
    const paired = compareCorrelatedAucs({ labels, scoresA, scoresB })
    expect(paired.correlation).toBeGreaterThan(0.3)
    expect(paired.standardError).toBeLessThan(Math.hypot(paired.standardErrorA, paired.standardErrorB))
  })

  it('tiny4, worked by hand (2 positives, 2 negatives)', () => {
    // A: negatives 0.1, 0.4; positives 0.35, 0.8. V10 = (½, 1), V01 = (1, ½): AUC ¾, S10 = S01 = 1/8, var = 1/8.
    // B: negatives 0.3, 0.2; positives 0.6, 0.25. V10 = (1, ½), V01 = (½, 1): AUC ¾, var = 1/8.
    // cov = [(−¼)(¼) + (¼)(−¼)]/1 /2 + the same over negatives /2 = −1/8; var(A − B) = 1/8 + 1/8 + 2/8 = ½.
    // pROC: z = 0, p = 1, conf.int ±1.3859 (= 1.96·√½), which this module clamps to the possible [−1, 1].
    const { labels, scoresA, scoresB, pROC } = PAIRED_CASES.tiny4
    const result = compareCorrelatedAucs({ labels, scoresA, scoresB })
    expect(result).toMatchObject({ status: 'ok', aucA: 0.75, aucB: 0.75, difference: 0, z: 0, pValue: 1, n: 4, positives: 2, negatives: 2 })
    expect(result.standardError).toBeCloseTo(Math.SQRT1_2, 15)
    expect(result.correlation).toBeCloseTo(-1, 15)
    expect(pROC.ciUpper).toBeGreaterThan(1)
    expect(result.ci).toEqual({ lower: -1, upper: 1, confidence: 0.95 })
  })

  it('other confidence levels widen the interval by the normal quantile', () => {
    const { labels, scoresA, scoresB } = PAIRED_CASES.ties30
    const wide = compareCorrelatedAucs({ labels, scoresA, scoresB }, { confidence: 0.99 })
    expect(wide.ci.upper - wide.difference).toBeCloseTo(2.5758293035489004 * wide.standardError, 14)
  })
})

describe('compareCorrelatedAucs degenerate cases', () => {
  const labels = [0, 1, 0, 1, 1, 0]

  it('identical rankings (a monotone rescaling): SE 0 and difference 0, said so, z = 0 and p = 1 as pROC', () => {
    const scores = [0.1, 0.9, 0.2, 0.4, 0.7, 0.3]
    const result = compareCorrelatedAucs({ labels, scoresA: scores, scoresB: scores.map((s) => s / 2 + 0.1) })
    expect(result).toMatchObject({ status: 'identical', difference: 0, standardError: 0, z: 0, pValue: 1, undefinedReason: COMPARISON_REASONS.identical })
    expect(result.ci).toEqual({ lower: 0, upper: 0, confidence: 0.95 })
  })

  it('both models separate perfectly: the same as identical rankings', () => {
    const result = compareCorrelatedAucs({ labels, scoresA: [0.1, 0.9, 0.2, 0.8, 0.7, 0.3], scoresB: [0.2, 0.95, 0.3, 0.6, 0.5, 0.4] })
    expect(result).toMatchObject({ status: 'identical', aucA: 1, aucB: 1, pValue: 1 })
  })

  it('a model giving every image one score: a real difference but no variance, so no p-value (pROC says p = 0)', () => {
    const result = compareCorrelatedAucs({ labels, scoresA: [0.1, 0.9, 0.2, 0.8, 0.7, 0.3], scoresB: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5] })
    expect(result.status).toBe('no-variance')
    expect(result.difference).toBe(0.5)
    expect(result.standardError).toBe(0)
    expect(result.pValue).toBeNaN()
    expect(result.z).toBeNaN()
    expect(result.undefinedReason).toBe(COMPARISON_REASONS.noVariance)
  })

  it('one positive image: AUCs exist but the variance is 0/0 (pROC stops with an error)', () => {
    const result = compareCorrelatedAucs({ labels: [0, 0, 1, 0], scoresA: [0.1, 0.2, 0.9, 0.3], scoresB: [0.3, 0.2, 0.4, 0.1] })
    expect(result.status).toBe('too-few-images')
    expect(result.aucA).toBe(1)
    expect(result.aucB).toBe(1)
    expect(result.standardError).toBeNaN()
    expect(result.pValue).toBeNaN()
    expect(result.undefinedReason).toMatch(/at least two positive and two negative images/)
  })

  it('a class absent: nothing to compare, said so', () => {
    const result = compareCorrelatedAucs({ labels: [1, 1, 1], scoresA: [0.1, 0.5, 0.9], scoresB: [0.2, 0.4, 0.6] })
    expect(result.status).toBe('one-class')
    expect(result.aucA).toBeNaN()
    expect(result.undefinedReason).toBe(COMPARISON_REASONS.oneClass)
  })

  it('warns that repeated patients make the p-value optimistic', () => {
    const { labels, scoresA, scoresB } = PAIRED_CASES.covid15
    const patients = labels.map((_, index) => `P${Math.floor(index / 2)}`)
    expect(compareCorrelatedAucs({ labels, scoresA, scoresB, patients }).note).toBe(COMPARISON_REASONS.repeatedPatients)
    expect(compareCorrelatedAucs({ labels, scoresA, scoresB, patients: labels.map((_, index) => `P${index}`) }).note).toBeUndefined()
  })

  it('names the model whose scores are invalid', () => {
    expect(() => compareCorrelatedAucs({ labels: [0, 1], scoresA: [0.1, 0.2], scoresB: [0.1, Number.NaN] })).toThrow(/^model B: scores\[1\] must be a finite number/)
    expect(() => compareCorrelatedAucs({ labels: [0, 1], scoresA: [0.1], scoresB: [0.1, 0.2] })).toThrow(/^model A: labels and scores must have the same length/)
    // A type error stays a TypeError, still naming the model.
    expect(() => compareCorrelatedAucs({ labels: [0, 1], scoresA: [0.1, 0.2], scoresB: null as unknown as number[] })).toThrow(TypeError)
    expect(() => compareCorrelatedAucs({ labels: [0, 1], scoresA: [0.1, 0.2], scoresB: null as unknown as number[] })).toThrow(/^model B: scores must be an array-like/)
  })

  it('is O(n log n): 100 000 images in well under a second', () => {
    const cohort = syntheticCohort({ patients: 100_000, imagesPerPatient: 1, seed: 3 })
    const start = performance.now()
    const result = compareCorrelatedAucs({ labels: cohort.labels, scoresA: cohort.scores, scoresB: cohort.scores.map((s) => Math.round(s * 20) / 20) })
    expect(performance.now() - start).toBeLessThan(2000)
    expect(result.status).toBe('ok')
  })
})

describe('aucWithStandardError against pROC ci.auc(method = "delong")', () => {
  it('matches the interval, clamped to [0, 1] like pROC', () => {
    for (const name of ['corda135', 'ties30', 'covid15', 'perfectA'] as const) {
      const { labels, scoresA, scoresB, pROC } = PAIRED_CASES[name]
      const a = aucWithStandardError(labels, scoresA)
      const b = aucWithStandardError(labels, scoresB)
      expectClose(a.ci.lower, pROC.ciA[0])
      expectClose(a.ci.upper, pROC.ciA[1])
      expectClose(b.ci.lower, pROC.ciB[0])
      expectClose(b.ci.upper, pROC.ciB[1])
      expectClose(a.standardError ** 2, pROC.varA)
    }
  })

  it('says why the SE is undefined with one image of a class', () => {
    const result = aucWithStandardError([0, 0, 1], [0.1, 0.3, 0.9])
    expect(result.auc).toBe(1)
    expect(result.standardError).toBeNaN()
    expect(result.undefinedReason).toBe(COMPARISON_REASONS.tooFewImages)
  })
})

describe('compareIndependentAucs (different test sets)', () => {
  // pROC roc.test(paired = FALSE, method = "delong"): D is the same statistic; pROC refers it to a t distribution
  // with Welch-type df (pT), this module to the normal (pNormal = 2·pnorm(−|D|), computed in the same R session).
  it('matches pROC’s unpaired DeLong statistic D and its normal p-value', () => {
    const first = { labels: PAIRED_CASES.corda135.labels, scores: PAIRED_CASES.corda135.scoresA }
    const second = { labels: PAIRED_CASES.covid15.labels, scores: PAIRED_CASES.covid15.scoresA }
    const result = compareIndependentAucs(first, second)
    expect(result.method).toBe('unpaired-delong')
    expectClose(result.z, 0.067991715099643) // pROC D; df 17.34, pT 0.94657
    expectClose(result.pValue, 0.945792229416317)
    expectClose(result.standardError ** 2, PAIRED_CASES.corda135.pROC.varA + PAIRED_CASES.covid15.pROC.varA)

    const other = compareIndependentAucs(
      { labels: PAIRED_CASES.corda135.labels, scores: PAIRED_CASES.corda135.scoresB },
      { labels: PAIRED_CASES.ties30.labels, scores: PAIRED_CASES.ties30.scoresB },
    )
    expectClose(other.z, -0.631807421363547) // pROC D; df 50.90, pT 0.53034
    expectClose(other.pValue, 0.527512723617793)
    expect(other.pValueFirstHigher).toBeCloseTo(1 - 0.527512723617793 / 2, 12)
  })

  it('Hanley & McNeil 1982’s worked example: A = 0.893, 51 abnormal, 58 normal → SE 0.032', () => {
    expect(hanleyMcNeilStandardError(0.893, 51, 58)).toBeCloseTo(0.0325, 3)
    expect(hanleyMcNeilStandardError(1, 10, 5)).toBe(0)
    expect(hanleyMcNeilStandardError(Number.NaN, 10, 5)).toBeNaN()
  })

  it('uses Hanley & McNeil’s SE on request and keeps the one-sided p for a drop', () => {
    const first = { labels: PAIRED_CASES.corda135.labels, scores: PAIRED_CASES.corda135.scoresA }
    const second = { labels: PAIRED_CASES.covid15.labels, scores: PAIRED_CASES.covid15.scoresB }
    const result = compareIndependentAucs(first, second, { method: 'hanley-mcneil' })
    const expectedSe = Math.hypot(hanleyMcNeilStandardError(PAIRED_CASES.corda135.pROC.aucA, 90, 45), hanleyMcNeilStandardError(0.3, 10, 5))
    expect(result.method).toBe('unpaired-hanley-mcneil')
    expect(result.standardError).toBeCloseTo(expectedSe, 15)
    expect(result.pValueFirstHigher).toBeLessThan(0.001)
    expect(result.pValueFirstHigher).toBeCloseTo(result.pValue / 2, 15)
  })

  it('reports which set lacks a class', () => {
    const result = compareIndependentAucs({ labels: [0, 1, 0, 1], scores: [0.1, 0.8, 0.3, 0.6] }, { labels: [0, 0], scores: [0.4, 0.5] })
    expect(result.status).toBe('one-class')
    expect(result.undefinedReason).toMatch(/^second test set: the test set lacks one of the two classes/)
    expect(result.pValue).toBeNaN()
  })
})
