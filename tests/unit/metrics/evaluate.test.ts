import { describe, it, expect } from 'vitest'
import { evaluateBinary, fromJsonSafeNumber, METRIC_NAMES, toJsonSafe } from '@shared/metrics'
import { fromConfusion, syntheticCohort } from './syntheticData'

describe('evaluateBinary', () => {
  // The Table II case (RSNA-pretrained ResNet-18, CORDA → CORDA) as images:
  // 49 TP scored 0.9, 41 FN scored 0.1, 36 TN scored 0.2, 9 FP scored 0.7.
  const paper = fromConfusion({ tp: 49, fp: 9, tn: 36, fn: 41 })

  it('reports counts, confusion matrix, every metric and the threshold', () => {
    const result = evaluateBinary(paper)
    expect(result.threshold).toBe(0.5)
    expect(result.fBeta).toBe(1)
    expect(result.dorCorrection).toBe('none')
    expect(result.counts).toEqual({ n: 135, positives: 90, negatives: 45, patients: 135, patientIdsProvided: false })
    expect(result.confusion).toEqual({ tp: 49, fp: 9, tn: 36, fn: 41 })
    expect(Object.keys(result.metrics).sort()).toEqual([...METRIC_NAMES].sort())
    expect(result.metrics.sensitivity.value).toBeCloseTo(49 / 90, 15)
    expect(result.metrics.specificity.value).toBeCloseTo(0.8, 15)
    expect(result.metrics.diagnosticOddsRatio.value).toBeCloseTo(1764 / 369, 13)
    // AUC by hand: the 49 positives at 0.9 beat all 45 negatives (0.2, 0.7);
    // the 41 positives at 0.1 beat none → 49·45/(90·45) = 49/90.
    expect(result.metrics.auc.value).toBeCloseTo(49 / 90, 15)
    expect(result.metrics.auc.ci).toBeUndefined()
    expect(result.bootstrap).toBeUndefined()
    expect(result.rocCurve).toBeUndefined()
    // Youden: t=0.9 → TPR 49/90, FPR 0 → J = 0.544; t=0.7 → 49/90 − 9/45 = 0.344 → 0.9 wins.
    expect(result.youden.threshold).toBe(0.9)
  })

  it('passes the threshold, Haldane and β through', () => {
    const result = evaluateBinary({ ...paper, threshold: 0.8, haldane: true, fBeta: 2 })
    // threshold 0.8: the 9 FP at 0.7 become TN → TP 49, FP 0, TN 45, FN 41.
    expect(result.confusion).toEqual({ tp: 49, fp: 0, tn: 45, fn: 41 })
    // Haldane: 49.5·45.5/(0.5·41.5) = 2252.25/20.75 = 108.5421…
    expect(result.metrics.diagnosticOddsRatio.value).toBeCloseTo(2252.25 / 20.75, 12)
    expect(result.dorCorrection).toBe('haldane')
    // F2 = 5·49/(5·49 + 4·41 + 0) = 245/409
    expect(result.metrics.fScore.value).toBeCloseTo(245 / 409, 15)
  })

  it('adds patient-level CIs and bootstrap settings when asked', () => {
    const cohort = syntheticCohort({ patients: 60, imagesPerPatient: 3, seed: 2 })
    const result = evaluateBinary({ ...cohort, bootstrap: { replicates: 200, seed: 5 } })
    expect(result.counts.patients).toBe(60)
    expect(result.counts.patientIdsProvided).toBe(true)
    expect(result.bootstrap).toEqual({
      method: 'percentile',
      resamplingUnit: 'patient',
      clusters: 60,
      replicates: 200,
      confidence: 0.95,
      seed: 5,
    })
    for (const name of METRIC_NAMES) {
      const ci = result.metrics[name].ci
      expect(ci).toBeDefined()
      expect(ci!.validReplicates).toBeGreaterThan(0)
      expect(ci!.lower).toBeLessThanOrEqual(ci!.upper)
    }
  })

  it('fills bootstrap defaults (B = 2000, 95 %) for omitted settings', () => {
    const result = evaluateBinary({ labels: [0, 1, 0, 1], scores: [0.2, 0.8, 0.4, 0.6], bootstrap: {} })
    expect(result.bootstrap).toMatchObject({ replicates: 2000, confidence: 0.95, seed: 20200428, resamplingUnit: 'image' })
  })

  it('returns NaN with reasons instead of throwing when a class is missing', () => {
    const result = evaluateBinary({ labels: [0, 0, 0], scores: [0.1, 0.6, 0.3] })
    expect(result.metrics.sensitivity.value).toBeNaN()
    expect(result.metrics.sensitivity.undefinedReason).toBe('no positive cases')
    expect(result.metrics.auc.undefinedReason).toMatch(/no positive cases/)
    expect(result.youden.undefinedReason).toMatch(/no positive cases/)
    expect(result.metrics.specificity.value).toBeCloseTo(2 / 3, 15)
  })

  it('throws on invalid input, naming the index', () => {
    expect(() => evaluateBinary({ labels: [0, 1], scores: [0.1, Number.NaN] })).toThrow(/scores\[1\]/)
    expect(() => evaluateBinary({ labels: [0, 1], scores: [0.1, 0.2], patients: ['a'] })).toThrow(/patients/)
  })

  it('includes the ROC curve on request', () => {
    const result = evaluateBinary({ labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8], includeRocCurve: true })
    expect(result.rocCurve).toHaveLength(5)
  })
})

describe('toJsonSafe', () => {
  it('maps Infinity to "Infinity" and NaN to null, keeping the reasons', () => {
    // All correct → DOR ∞; no negatives in the second call → specificity NaN.
    const perfect = evaluateBinary({ labels: [0, 0, 1, 1], scores: [0.1, 0.2, 0.8, 0.9], includeRocCurve: true })
    const safe = toJsonSafe(perfect)
    expect(safe.metrics.diagnosticOddsRatio.value).toBe('Infinity')
    expect(safe.rocCurve![0].threshold).toBe('Infinity')
    expect(safe.metrics.auc.value).toBe(1)

    const oneClass = toJsonSafe(evaluateBinary({ labels: [1, 1], scores: [0.2, 0.9] }))
    expect(oneClass.metrics.specificity.value).toBeNull()
    expect(oneClass.metrics.specificity.undefinedReason).toBe('no negative cases')

    // Survives a JSON round trip unchanged, unlike raw JSON.stringify (∞ → null).
    expect(JSON.parse(JSON.stringify(safe))).toEqual(safe)
    expect(JSON.parse(JSON.stringify(perfect)).metrics.diagnosticOddsRatio.value).toBeNull()
  })

  it('handles -Infinity, typed arrays and leaves the input untouched', () => {
    const input = { a: Number.NEGATIVE_INFINITY, b: Float64Array.of(1, Number.NaN), c: ['x', 2] }
    expect(toJsonSafe(input)).toEqual({ a: '-Infinity', b: [1, null], c: ['x', 2] })
    expect(input.a).toBe(Number.NEGATIVE_INFINITY)
    expect(fromJsonSafeNumber('Infinity')).toBe(Number.POSITIVE_INFINITY)
    expect(fromJsonSafeNumber(null)).toBeNaN()
    expect(fromJsonSafeNumber(0.25)).toBe(0.25)
  })
})
