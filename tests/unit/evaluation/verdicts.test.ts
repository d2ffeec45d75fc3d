import { describe, expect, it } from 'vitest'
import {
  adjustComparisons,
  comparisonVerdict,
  formatNumber,
  formatPercent,
  formatPValue,
  fromDeLong,
  fromMcNemar,
  fromPairedBootstrap,
} from '@shared/evaluation'
import { compareAtThresholds, compareCorrelatedAucs, pairedBootstrapDifference } from '@shared/metrics'
import { PAIRED_CASES } from '../metrics/comparisonCases'

// The numbers in the sentences are pROC's (tests/unit/metrics/comparisonCases.ts) rounded to two decimals by hand.
const names = { nameA: 'A', nameB: 'B' }
const delong = (name: keyof typeof PAIRED_CASES, swap = false) => {
  const { labels, scoresA, scoresB } = PAIRED_CASES[name]
  return compareCorrelatedAucs(swap ? { labels, scoresA: scoresB, scoresB: scoresA } : { labels, scoresA, scoresB })
}

describe('formatting', () => {
  it('p-values: three decimals below 0.1 so 0.049 never reads 0.05, "< 0.001" below', () => {
    expect(formatPValue(0.42)).toBe('p = 0.42')
    expect(formatPValue(0.049)).toBe('p = 0.049')
    expect(formatPValue(0.001)).toBe('p = 0.001')
    expect(formatPValue(0.0004)).toBe('p < 0.001')
    expect(formatPValue(Number.NaN)).toBe('p not computable')
  })

  it('numbers: two decimals, a true minus, ∞ for a perfect DOR, no "−0.00"', () => {
    expect(formatNumber(0.725185)).toBe('0.73')
    expect(formatNumber(-0.0421)).toBe('−0.04')
    expect(formatNumber(-0.004)).toBe('0.00')
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞')
    expect(formatNumber(Number.NaN)).toBe('n/a')
    expect(formatPercent(0.936)).toBe('94%')
  })
})

describe('comparisonVerdict from DeLong', () => {
  it('a clear winner: direction, values, difference, interval and p', () => {
    // corda135: AUC 0.9442 vs 0.7252, difference 0.2190, conf.int [0.1459, 0.2921], p = 4.4e-9
    const verdict = comparisonVerdict(fromDeLong(delong('corda135'), names))
    expect(verdict).toEqual({
      sentence: 'A ranks the classes better than B (AUC 0.94 vs 0.73, difference 0.22 [0.15, 0.29], p < 0.001).',
      significant: true,
      better: 'A',
    })
  })

  it('B better: the sentence names B first and flips the interval', () => {
    const verdict = comparisonVerdict(fromDeLong(delong('corda135', true), { nameA: 'ResNet-18 from scratch', nameB: 'ResNet-18 pre-trained on RSNA' }))
    expect(verdict.sentence).toBe(
      'ResNet-18 pre-trained on RSNA ranks the classes better than ResNet-18 from scratch (AUC 0.94 vs 0.73, difference 0.22 [0.15, 0.29], p < 0.001).',
    )
    expect(verdict.better).toBe('B')
  })

  it('after Holm correction across a study page: no evidence, with the compatible differences', () => {
    // Raw p: corda135 4.4e-9, ties30 0.19899, covid15 3.2e-5, tiny4 1. Holm: ties30 → 2·0.19899 = 0.398.
    const family = adjustComparisons((['corda135', 'ties30', 'covid15', 'tiny4'] as const).map((name) => fromDeLong(delong(name), names)))
    expect(family[1].adjustedPValue).toBeCloseTo(2 * PAIRED_CASES.ties30.pROC.p, 12)
    expect(comparisonVerdict(family[1]).sentence).toBe(
      'No evidence of a difference in AUC between A and B on 30 test images (0.86 vs 0.78, p = 0.40 after Holm correction); the data allow a difference from −0.04 to 0.20.',
    )
    expect(comparisonVerdict(family[0]).sentence).toBe(
      'A ranks the classes better than B (AUC 0.94 vs 0.73, difference 0.22 [0.15, 0.29], p < 0.001 after Holm correction).',
    )
    // tiny4: equal AUCs on 4 images, and the interval says how little 4 images can tell.
    expect(comparisonVerdict(family[3]).sentence).toBe(
      'No evidence of a difference in AUC between A and B on 4 test images (0.75 vs 0.75, p = 1.00 after Holm correction); the data allow a difference from −1.00 to 1.00.',
    )
  })

  it('uses the raw p-value against the chosen α when there is no correction', () => {
    const comparison = fromDeLong(delong('ties30'), names)
    expect(comparisonVerdict(comparison).significant).toBe(false)
    expect(comparisonVerdict(comparison, { alpha: 0.25 })).toMatchObject({ significant: true, better: 'A' })
  })

  it('identical rankings and undefined tests say so instead of giving a p-value', () => {
    const labels = [0, 1, 0, 1, 1, 0]
    const scores = [0.1, 0.9, 0.2, 0.4, 0.7, 0.3]
    const identical = compareCorrelatedAucs({ labels, scoresA: scores, scoresB: scores.map((score) => score * 2) })
    expect(comparisonVerdict(fromDeLong(identical, names)).sentence).toBe('A and B rank the 6 test images identically (AUC 1.00): there is no difference to test.')
    const onePositive = compareCorrelatedAucs({ labels: [0, 0, 1, 0], scoresA: [0.1, 0.2, 0.9, 0.3], scoresB: [0.3, 0.2, 0.4, 0.1] })
    expect(comparisonVerdict(fromDeLong(onePositive, names))).toEqual({
      sentence: 'The AUC of A and B cannot be compared on these 4 test images: DeLong’s variance needs at least two positive and two negative images.',
      significant: false,
      better: null,
    })
  })

  it('adds DeLong’s caveat when patients repeat', () => {
    const { labels, scoresA, scoresB } = PAIRED_CASES.covid15
    const patients = labels.map((_, index) => `P${Math.floor(index / 2)}`)
    const sentence = comparisonVerdict(fromDeLong(compareCorrelatedAucs({ labels, scoresA, scoresB, patients }), names)).sentence
    // covid15: 0.94 vs 0.30, difference 0.64, conf.int [0.3384, 0.9416], p = 3.2e-5
    expect(sentence).toBe(
      'A ranks the classes better than B (AUC 0.94 vs 0.30, difference 0.64 [0.34, 0.94], p < 0.001). Note: some patients have several images; DeLong treats images as independent, so this p-value is optimistic: prefer the patient-level bootstrap of the difference.',
    )
  })
})

describe('comparisonVerdict from McNemar and the paired bootstrap', () => {
  it('accuracy at the thresholds', () => {
    const { labels, scoresA, scoresB } = PAIRED_CASES.corda135
    const result = compareAtThresholds({ labels, scoresA, scoresB })
    // 117/135 = 0.867 vs 85/135 = 0.630, difference 32/135 = 0.237; Newcombe interval from the code under test.
    const lower = formatNumber(result.ci.lower)
    const upper = formatNumber(result.ci.upper)
    expect(comparisonVerdict(fromMcNemar(result, names)).sentence).toBe(
      `A classifies more images correctly than B (accuracy 0.87 vs 0.63, difference 0.24 [${lower}, ${upper}], p < 0.001).`,
    )
    expect(result.ci.lower).toBeGreaterThan(0.14)
    expect(result.ci.upper).toBeLessThan(0.33)
  })

  it('sensitivity counts only the COVID+ images and says so', () => {
    const { labels, scoresA, scoresB } = PAIRED_CASES.covid15
    const result = compareAtThresholds({ labels, scoresA, scoresB }, { outcome: 'sensitivity' })
    // 10 positives: table [[5, 4], [0, 1]] → 9/10 vs 5/10, exact p = 2·(½)⁴ = 0.125
    const sentence = comparisonVerdict(fromMcNemar(result, names)).sentence
    expect(sentence).toMatch(/^No evidence of a difference in sensitivity between A and B on 10 COVID\+ test images \(0\.90 vs 0\.50, p = 0\.13\); the data allow a difference from /)
  })

  it('identical calls by McNemar', () => {
    const { labels, scoresA } = PAIRED_CASES.ties30
    const result = compareAtThresholds({ labels, scoresA, scoresB: scoresA })
    expect(comparisonVerdict(fromMcNemar(result, names)).sentence).toMatch(/^A and B make the same call on every one of the 30 test images \(accuracy 0\.\d\d\): there is no difference to test\.$/)
  })

  it('balanced accuracy from the paired bootstrap', () => {
    const { labels, scoresA, scoresB } = PAIRED_CASES.corda135
    const result = pairedBootstrapDifference({ labels, scoresA, scoresB }, { replicates: 500, seed: 1 })
    const comparison = fromPairedBootstrap(result, 'balancedAccuracy', { ...names, n: labels.length })
    // A: (76/90 + 41/45)/2 = 0.878; B: (56/90 + 29/45)/2 = 0.633; every replicate favours A → p = 2/501.
    expect(comparison.pValue).toBeCloseTo(2 / 501, 15)
    const { lower, upper } = result.differences.balancedAccuracy.ci
    expect(comparisonVerdict(comparison).sentence).toBe(
      `A has a higher balanced accuracy than B (balanced accuracy 0.88 vs 0.63, difference 0.24 [${formatNumber(lower)}, ${formatNumber(upper)}], p = 0.004).`,
    )
  })

  it('an undefined bootstrap difference says why', () => {
    const result = pairedBootstrapDifference({ labels: [1, 1, 1], scoresA: [0.9, 0.2, 0.6], scoresB: [0.1, 0.7, 0.3] }, { replicates: 20 })
    const verdict = comparisonVerdict(fromPairedBootstrap(result, 'specificity', { ...names, n: 3 }))
    expect(verdict.sentence).toBe('The specificity of A and B cannot be compared on these 3 test images: model A: no negative cases; model B: no negative cases.')
  })
})
