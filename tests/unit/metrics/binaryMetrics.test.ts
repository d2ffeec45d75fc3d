import { describe, it, expect } from 'vitest'
import { binaryMetrics, diagnosticOddsRatio, UNDEFINED_REASONS } from '@shared/metrics'

describe('binaryMetrics — the paper’s Table II style case', () => {
  // Table II, ResNet-18, encoder pre-trained on RSNA, trained and tested on
  // CORDA: Sens 0.54, Spec 0.80, F-Score 0.66, Accuracy 0.63, BA 0.67, DOR 4.78.
  // The CORDA test set has 90 COVID+ and 45 COVID− (Table I). The counts are
  // not printed in the paper; TP = 49, FN = 41, TN = 36, FP = 9 reproduce all
  // six rounded values, so they are what the authors must have observed.
  const paper = { tp: 49, fp: 9, tn: 36, fn: 41 }
  const metrics = binaryMetrics(paper)

  it('reproduces every hand-worked ratio', () => {
    expect(metrics.sensitivity).toBeCloseTo(49 / 90, 15) // 49/(49+41) = 0.5444…
    expect(metrics.specificity).toBeCloseTo(36 / 45, 15) // 36/(36+9) = 0.8
    expect(metrics.accuracy).toBeCloseTo(85 / 135, 15) // (49+36)/135 = 0.6296…
    expect(metrics.precision).toBeCloseTo(49 / 58, 15) // 49/(49+9) = 0.8448…
    expect(metrics.negativePredictiveValue).toBeCloseTo(36 / 77, 15) // 36/(36+41) = 0.4675…
    expect(metrics.fScore).toBeCloseTo(98 / 148, 15) // 2·49/(2·49+41+9) = 0.6622…
    expect(metrics.balancedAccuracy).toBeCloseTo(121 / 180, 15) // (49/90 + 72/90)/2 = 0.6722…
    expect(metrics.diagnosticOddsRatio).toBeCloseTo(1764 / 369, 13) // 49·36/(9·41) = 4.7805
    expect(metrics.youdenIndex).toBeCloseTo(31 / 90, 15) // 49/90 + 72/90 − 1 = 0.3444…
    expect(metrics.undefinedReasons).toEqual({})
    expect(metrics.dorCorrection).toBe('none')
    expect(metrics.fBeta).toBe(1)
  })

  it('rounds to the values printed in Table II', () => {
    const round = (value: number): number => Math.round(value * 100) / 100
    expect(round(metrics.sensitivity)).toBe(0.54)
    expect(round(metrics.specificity)).toBe(0.8)
    expect(round(metrics.fScore)).toBe(0.66)
    expect(round(metrics.accuracy)).toBe(0.63)
    expect(round(metrics.balancedAccuracy)).toBe(0.67)
    expect(round(metrics.diagnosticOddsRatio)).toBe(4.78)
  })

  it('applies Haldane’s +0.5 to every cell of the DOR only', () => {
    const corrected = binaryMetrics(paper, { haldane: true })
    // (49.5·36.5)/(9.5·41.5) = 1806.75/394.25 = 4.58275…
    expect(corrected.diagnosticOddsRatio).toBeCloseTo(1806.75 / 394.25, 13)
    expect(corrected.dorCorrection).toBe('haldane')
    expect(corrected.sensitivity).toBe(metrics.sensitivity) // other metrics untouched
  })

  it('computes F-β with the count formula', () => {
    // β = 2: 5·TP / (5·TP + 4·FN + FP) = 245/(245+164+9) = 245/418
    expect(binaryMetrics(paper, { fBeta: 2 }).fScore).toBeCloseTo(245 / 418, 15)
    // β = 0.5: 1.25·TP / (1.25·TP + 0.25·FN + FP) = 61.25/(61.25+10.25+9) = 61.25/80.5
    expect(binaryMetrics(paper, { fBeta: 0.5 }).fScore).toBeCloseTo(61.25 / 80.5, 15)
    expect(() => binaryMetrics(paper, { fBeta: 0 })).toThrow(/fBeta/)
  })
})

describe('binaryMetrics — edge cases', () => {
  it('no positives: sensitivity, BA, J are NaN with reasons; DOR is 0/0', () => {
    const metrics = binaryMetrics({ tp: 0, fp: 2, tn: 8, fn: 0 })
    expect(metrics.sensitivity).toBeNaN()
    expect(metrics.undefinedReasons.sensitivity).toBe('no positive cases')
    expect(metrics.specificity).toBe(0.8) // 8/10
    expect(metrics.accuracy).toBe(0.8)
    expect(metrics.precision).toBe(0) // 0/2: defined, just zero
    expect(metrics.negativePredictiveValue).toBe(1) // 8/8
    expect(metrics.fScore).toBe(0) // 0/(0+0+2)
    expect(metrics.balancedAccuracy).toBeNaN()
    expect(metrics.undefinedReasons.balancedAccuracy).toBe('no positive cases')
    expect(metrics.youdenIndex).toBeNaN()
    // TP·TN = 0·8 = 0 and FP·FN = 2·0 = 0 → 0/0
    expect(metrics.diagnosticOddsRatio).toBeNaN()
    expect(metrics.undefinedReasons.diagnosticOddsRatio).toBe(UNDEFINED_REASONS.dorZeroOverZero)
  })

  it('no negatives: specificity is NaN with a reason', () => {
    const metrics = binaryMetrics({ tp: 3, fp: 0, tn: 0, fn: 1 })
    expect(metrics.specificity).toBeNaN()
    expect(metrics.undefinedReasons.specificity).toBe('no negative cases')
    expect(metrics.sensitivity).toBe(0.75)
    expect(metrics.negativePredictiveValue).toBe(0) // 0/(0+1)
    expect(metrics.undefinedReasons.youdenIndex).toBe('no negative cases')
  })

  it('no predictions of one kind: precision / NPV are NaN, F is 0', () => {
    const none = binaryMetrics({ tp: 0, fp: 0, tn: 5, fn: 5 })
    expect(none.precision).toBeNaN()
    expect(none.undefinedReasons.precision).toBe('no positive predictions')
    expect(none.fScore).toBe(0) // 0/(0+5+0): sklearn's zero_division also gives 0 here
    const all = binaryMetrics({ tp: 5, fp: 5, tn: 0, fn: 0 })
    expect(all.negativePredictiveValue).toBeNaN()
    expect(all.undefinedReasons.negativePredictiveValue).toBe('no negative predictions')
  })

  it('empty table: everything NaN, nothing thrown', () => {
    const metrics = binaryMetrics({ tp: 0, fp: 0, tn: 0, fn: 0 })
    expect(metrics.accuracy).toBeNaN()
    expect(metrics.undefinedReasons.accuracy).toBe('no cases')
    expect(metrics.fScore).toBeNaN()
    expect(metrics.undefinedReasons.fScore).toBe('no positive cases and no positive predictions')
    expect(metrics.undefinedReasons.balancedAccuracy).toBe('no positive cases; no negative cases')
  })

  it('all correct: DOR = Infinity (FP·FN = 0), every rate 1', () => {
    const metrics = binaryMetrics({ tp: 10, fp: 0, tn: 20, fn: 0 })
    expect(metrics.diagnosticOddsRatio).toBe(Number.POSITIVE_INFINITY)
    expect(metrics.undefinedReasons.diagnosticOddsRatio).toBeUndefined()
    for (const name of ['accuracy', 'sensitivity', 'specificity', 'precision', 'negativePredictiveValue', 'fScore', 'balancedAccuracy', 'youdenIndex'] as const) {
      expect(metrics[name]).toBe(1)
    }
  })

  it('all wrong: DOR = 0, J = −1, accuracy 0', () => {
    const metrics = binaryMetrics({ tp: 0, fp: 20, tn: 0, fn: 10 })
    expect(metrics.diagnosticOddsRatio).toBe(0) // 0·0/(20·10)
    expect(metrics.youdenIndex).toBe(-1)
    expect(metrics.accuracy).toBe(0)
    expect(metrics.balancedAccuracy).toBe(0)
    expect(metrics.fScore).toBe(0)
  })

  it('FP·FN = 0 with Haldane gives a finite DOR', () => {
    // Only one false positive, no false negatives: raw DOR = 10·19/(1·0) = ∞.
    const matrix = { tp: 10, fp: 1, tn: 19, fn: 0 }
    expect(binaryMetrics(matrix).diagnosticOddsRatio).toBe(Number.POSITIVE_INFINITY)
    // Haldane: 10.5·19.5/(1.5·0.5) = 204.75/0.75 = 273
    const corrected = binaryMetrics(matrix, { haldane: true })
    expect(corrected.diagnosticOddsRatio).toBeCloseTo(273, 12)
    expect(Number.isFinite(corrected.diagnosticOddsRatio)).toBe(true)
    // All-correct with Haldane: 10.5·20.5/(0.5·0.5) = 861
    expect(diagnosticOddsRatio({ tp: 10, fp: 0, tn: 20, fn: 0 }, true).value).toBeCloseTo(861, 12)
    // Even the empty table is defined with Haldane: 0.25/0.25 = 1
    expect(diagnosticOddsRatio({ tp: 0, fp: 0, tn: 0, fn: 0 }, true).value).toBe(1)
  })

  it('accepts weighted (non-integer) counts and rejects negative ones naming the field', () => {
    expect(binaryMetrics({ tp: 1.5, fp: 0.5, tn: 1, fn: 1 }).sensitivity).toBeCloseTo(0.6, 15)
    expect(() => binaryMetrics({ tp: 1, fp: -1, tn: 1, fn: 1 })).toThrow(/field fp/)
    expect(() => binaryMetrics({ tp: 1, fp: 1, tn: Number.NaN, fn: 1 })).toThrow(/field tn/)
  })
})
