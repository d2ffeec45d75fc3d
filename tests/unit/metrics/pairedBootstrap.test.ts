import { describe, expect, it } from 'vitest'
import {
  binaryMetrics,
  bootstrapConfidenceIntervals,
  bootstrapPValue,
  compareCorrelatedAucs,
  confusionMatrix,
  createRandom,
  METRIC_NAMES,
  pairedBootstrapDifference,
  randomInteger,
  rocAuc,
} from '@shared/metrics'
import { PAIRED_CASES } from './comparisonCases'
import { syntheticCohort } from './syntheticData'

describe('bootstrapPValue', () => {
  it('hand check: differences −1, 1, 2, 3 → 2·(1 + 1)/(4 + 1) = 0.8; NaN replicates skipped', () => {
    expect(bootstrapPValue(Float64Array.from([-1, 1, 2, 3, Number.NaN]))).toBeCloseTo(0.8, 15)
    // all 999 above 0: 2·(0 + 1)/1000, never exactly 0
    expect(bootstrapPValue(new Float64Array(999).fill(0.1))).toBeCloseTo(0.002, 15)
    expect(bootstrapPValue(new Float64Array(10))).toBe(1)
    expect(bootstrapPValue(Float64Array.from([Number.NaN]))).toBeNaN()
  })
})

describe('pairedBootstrapDifference', () => {
  const cohort = syntheticCohort({ patients: 60, imagesPerPatient: 2, seed: 11, patientSpread: 0.8 })
  const scoresB = cohort.scores.map((score, index) => Math.min(1, Math.max(0, score + 0.25 * Math.sin(index))))

  it('identical models differ by exactly 0 in every metric and replicate', () => {
    const result = pairedBootstrapDifference({ labels: cohort.labels, patients: cohort.patients, scoresA: cohort.scores, scoresB: cohort.scores }, { replicates: 200 })
    for (const name of METRIC_NAMES) {
      if (name === 'diagnosticOddsRatio') continue // ∞ − ∞ on replicates with FP·FN = 0 is undefined, not 0
      expect(result.differences[name].difference).toBe(0)
      expect(result.differences[name].ci).toMatchObject({ lower: 0, upper: 0 })
      expect(result.differences[name].pValue).toBe(1)
    }
    expect(result).toMatchObject({ method: 'paired-percentile', resamplingUnit: 'patient', clusters: 60, replicates: 200, confidence: 0.95 })
  })

  it('one replicate equals both models recomputed on the same explicitly resampled patients', () => {
    const small = syntheticCohort({ patients: 12, imagesPerPatient: 2, seed: 31, patientSpread: 0.6 })
    const otherScores = small.scores.map((score) => 1 - score * score)
    const random = createRandom(99)
    const labels: number[] = []
    const a: number[] = []
    const b: number[] = []
    for (let draw = 0; draw < 12; draw++) {
      const patient = `P${randomInteger(random, 12)}`
      small.patients.forEach((id, index) => {
        if (id !== patient) return
        labels.push(small.labels[index])
        a.push(small.scores[index])
        b.push(otherScores[index])
      })
    }
    const result = pairedBootstrapDifference(
      { labels: small.labels, patients: small.patients, scoresA: small.scores, scoresB: otherScores, thresholdB: 0.6 },
      { replicates: 1, seed: 99 },
    )
    const expectedAuc = rocAuc(labels, a).auc - rocAuc(labels, b).auc
    expect(result.differences.auc.ci.lower).toBeCloseTo(expectedAuc, 14)
    expect(result.differences.auc.ci.upper).toBeCloseTo(expectedAuc, 14)
    const expectedBalanced =
      binaryMetrics(confusionMatrix(labels, a, 0.5)).balancedAccuracy - binaryMetrics(confusionMatrix(labels, b, 0.6)).balancedAccuracy
    expect(result.differences.balancedAccuracy.ci.lower).toBeCloseTo(expectedBalanced, 14)
  })

  it('draws the same resamples as bootstrapConfidenceIntervals: against a constant model, AUC − 0.5 in every replicate', () => {
    const constant = cohort.scores.map(() => 0.3)
    const paired = pairedBootstrapDifference({ labels: cohort.labels, patients: cohort.patients, scoresA: cohort.scores, scoresB: constant }, { replicates: 300, seed: 5 })
    const single = bootstrapConfidenceIntervals({ labels: cohort.labels, patients: cohort.patients, scores: cohort.scores }, { replicates: 300, seed: 5 })
    expect(paired.differences.auc.ci.lower).toBeCloseTo(single.intervals.auc.lower - 0.5, 14)
    expect(paired.differences.auc.ci.upper).toBeCloseTo(single.intervals.auc.upper - 0.5, 14)
    // The constant model calls everything negative at 0.5: sensitivity 0, so the difference is A's sensitivity.
    expect(paired.differences.sensitivity.ci.lower).toBeCloseTo(single.intervals.sensitivity.lower, 14)
  })

  it('agrees with DeLong on independent images, and its interval is narrower than two separate ones', () => {
    const { labels, scoresA, scoresB: other } = PAIRED_CASES.corda135
    const bootstrap = pairedBootstrapDifference({ labels, scoresA, scoresB: other }, { replicates: 2000, seed: 7 })
    const delong = compareCorrelatedAucs({ labels, scoresA, scoresB: other })
    expect(bootstrap.resamplingUnit).toBe('image')
    expect(bootstrap.differences.auc.difference).toBeCloseTo(delong.difference, 14)
    expect(Math.abs(bootstrap.differences.auc.ci.lower - delong.ci.lower)).toBeLessThan(0.03)
    expect(Math.abs(bootstrap.differences.auc.ci.upper - delong.ci.upper)).toBeLessThan(0.03)
    expect(bootstrap.differences.auc.pValue).toBeLessThan(0.002)
    const separateA = bootstrapConfidenceIntervals({ labels, scores: scoresA }, { replicates: 2000, seed: 7 }).intervals.auc
    const separateB = bootstrapConfidenceIntervals({ labels, scores: other }, { replicates: 2000, seed: 7 }).intervals.auc
    const pairedWidth = bootstrap.differences.auc.ci.upper - bootstrap.differences.auc.ci.lower
    expect(pairedWidth).toBeLessThan(Math.hypot(separateA.upper - separateA.lower, separateB.upper - separateB.lower))
  })

  it('is reproducible for a seed and keeps each model’s undefined reasons', () => {
    const input = { labels: [1, 1, 1, 1], scoresA: [0.9, 0.8, 0.4, 0.6], scoresB: [0.1, 0.2, 0.7, 0.3] }
    const first = pairedBootstrapDifference(input, { replicates: 50, seed: 3 })
    expect(pairedBootstrapDifference(input, { replicates: 50, seed: 3 })).toEqual(first)
    expect(first.differences.sensitivity.difference).toBeCloseTo(0.5, 15)
    expect(first.differences.auc.undefinedReason).toBe('model A: no negative cases: AUC needs both classes; model B: no negative cases: AUC needs both classes')
    expect(first.differences.auc.ci.validReplicates).toBe(0)
    expect(first.differences.auc.pValue).toBeNaN()
  })

  it('rejects mismatched inputs, naming the model', () => {
    expect(() => pairedBootstrapDifference({ labels: [0, 1], scoresA: [0.1, 0.9], scoresB: [0.5] })).toThrow(/^model B: labels and scores must have the same length/)
    expect(() => pairedBootstrapDifference({ labels: [0, 1], scoresA: [0.1, 0.9], scoresB: [0.5, 0.2] }, { replicates: 0 })).toThrow(/replicates must be a positive integer/)
  })
})
