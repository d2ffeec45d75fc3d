import { describe, it, expect } from 'vitest'
import {
  bootstrapConfidenceIntervals,
  binaryMetrics,
  BINARY_METRIC_NAMES,
  confusionMatrix,
  createRandom,
  METRIC_NAMES,
  percentile,
  randomInteger,
  rocAuc,
} from '@shared/metrics'
import { syntheticCohort } from './syntheticData'

// Replicate counts are kept small (200–500) except in the timing test: the
// properties tested do not need B = 2000, and the CPU is shared.

describe('percentile (type 7, linear interpolation)', () => {
  it('interpolates between order statistics like numpy.percentile', () => {
    const sorted = [1, 2, 3, 4, 5]
    // position = (5−1)·p: p=.025 → 0.1 → 1 + 0.1·(2−1) = 1.1; p=.975 → 3.9 → 4.9
    expect(percentile(sorted, 0.025)).toBeCloseTo(1.1, 15)
    expect(percentile(sorted, 0.975)).toBeCloseTo(4.9, 15)
    expect(percentile(sorted, 0.5)).toBe(3)
    expect(percentile([7], 0.975)).toBe(7)
  })

  it('keeps Infinity instead of producing NaN', () => {
    expect(percentile([1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY], 0.9)).toBe(Number.POSITIVE_INFINITY)
    expect(percentile([1, 2, Number.POSITIVE_INFINITY], 0.9)).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('bootstrapConfidenceIntervals', () => {
  const cohort = syntheticCohort({ patients: 120, imagesPerPatient: 3, seed: 5, patientSpread: 0.8 })

  it('is reproducible for a seed and changes with the seed', () => {
    const a = bootstrapConfidenceIntervals(cohort, { replicates: 200, seed: 1 })
    const b = bootstrapConfidenceIntervals(cohort, { replicates: 200, seed: 1 })
    const c = bootstrapConfidenceIntervals(cohort, { replicates: 200, seed: 2 })
    expect(b).toEqual(a)
    expect(c.intervals.auc).not.toEqual(a.intervals.auc)
    expect(c.intervals.sensitivity).not.toEqual(a.intervals.sensitivity)
    expect(a).toMatchObject({ method: 'percentile', resamplingUnit: 'patient', clusters: 120, replicates: 200, confidence: 0.95, seed: 1 })
  })

  it('one replicate equals recomputing the metrics on explicitly resampled patients', () => {
    // Re-draw the replicate by hand with the same generator: patients are
    // numbered in order of first appearance and drawn with replacement.
    const small = syntheticCohort({ patients: 15, imagesPerPatient: 3, seed: 30, patientSpread: 0.7 })
    const random = createRandom(99)
    const labels: number[] = []
    const scores: number[] = []
    for (let draw = 0; draw < 15; draw++) {
      const patient = `P${randomInteger(random, 15)}`
      small.patients.forEach((id, index) => {
        if (id === patient) {
          labels.push(small.labels[index])
          scores.push(small.scores[index])
        }
      })
    }
    const expected = binaryMetrics(confusionMatrix(labels, scores), { haldane: true })
    const result = bootstrapConfidenceIntervals(small, { replicates: 1, seed: 99, haldane: true })
    for (const name of BINARY_METRIC_NAMES) {
      if (Number.isNaN(expected[name])) continue
      expect(result.intervals[name].lower).toBeCloseTo(expected[name], 12)
      expect(result.intervals[name].upper).toBeCloseTo(expected[name], 12)
    }
    expect(result.intervals.auc.lower).toBeCloseTo(rocAuc(labels, scores).auc, 12)
  })

  it('contains the point estimate of every metric on a large sample', () => {
    const large = syntheticCohort({ patients: 2000, imagesPerPatient: 1, seed: 9 })
    const point = binaryMetrics(confusionMatrix(large.labels, large.scores))
    const auc = rocAuc(large.labels, large.scores).auc
    const result = bootstrapConfidenceIntervals({ labels: large.labels, scores: large.scores }, { replicates: 300, seed: 3 })
    expect(result.resamplingUnit).toBe('image')
    for (const name of METRIC_NAMES) {
      const value = name === 'auc' ? auc : point[name]
      const interval = result.intervals[name]
      expect(interval.validReplicates).toBe(300)
      expect(interval.lower).toBeLessThanOrEqual(value)
      expect(interval.upper).toBeGreaterThanOrEqual(value)
      expect(interval.upper).toBeGreaterThan(interval.lower)
    }
  })

  it('narrows as the number of patients grows', () => {
    const width = (patients: number): number => {
      const data = syntheticCohort({ patients, imagesPerPatient: 2, seed: 21, patientSpread: 0.5 })
      const { auc } = bootstrapConfidenceIntervals(data, { replicates: 300, seed: 4 }).intervals
      return auc.upper - auc.lower
    }
    const small = width(50)
    const medium = width(200)
    const large = width(800)
    // CI width scales roughly as 1/√patients: ×4 patients → about half the width.
    expect(medium).toBeLessThan(small)
    expect(large).toBeLessThan(medium)
    expect(large).toBeLessThan(small / 2)
  })

  it('gives wider intervals when resampling patients whose images are correlated', () => {
    // 40 patients × 10 near-identical images: 400 images but ~40 independent units.
    const correlated = syntheticCohort({ patients: 40, imagesPerPatient: 10, seed: 13, patientSpread: 1.5, imageNoise: 0.2 })
    const byPatient = bootstrapConfidenceIntervals(correlated, { replicates: 400, seed: 8 })
    const byImage = bootstrapConfidenceIntervals({ labels: correlated.labels, scores: correlated.scores }, { replicates: 400, seed: 8 })
    expect(byPatient.clusters).toBe(40)
    expect(byImage.clusters).toBe(400)
    for (const name of ['auc', 'sensitivity', 'specificity', 'accuracy', 'balancedAccuracy'] as const) {
      const patientWidth = byPatient.intervals[name].upper - byPatient.intervals[name].lower
      const imageWidth = byImage.intervals[name].upper - byImage.intervals[name].lower
      // With intra-patient correlation near 1 the design effect is ~10 → width ×√10 ≈ 3; ask for ×1.5.
      expect(patientWidth).toBeGreaterThan(1.5 * imageWidth)
    }
  })

  it('skips replicates where a metric is undefined and reports how many were valid', () => {
    // 2 positives among 30 images: many replicates draw no positive at all.
    const labels = Array.from({ length: 30 }, (_, index) => (index < 2 ? 1 : 0))
    const scores = labels.map((label, index) => (label === 1 ? 0.9 : (index % 10) / 10))
    const result = bootstrapConfidenceIntervals({ labels, scores }, { replicates: 500, seed: 6 })
    const sensitivity = result.intervals.sensitivity
    // P(no positive in 30 draws) = (28/30)^30 ≈ 0.126 → about 437 of 500 valid.
    expect(sensitivity.validReplicates).toBeLessThan(500)
    expect(sensitivity.validReplicates).toBeGreaterThan(380)
    expect(result.intervals.specificity.validReplicates).toBe(500)
    expect(result.intervals.auc.validReplicates).toBe(sensitivity.validReplicates)
  })

  it('reports NaN with a reason when a metric is undefined in every replicate', () => {
    const result = bootstrapConfidenceIntervals({ labels: [0, 0, 0, 0], scores: [0.1, 0.2, 0.6, 0.7] }, { replicates: 50 })
    expect(result.intervals.sensitivity.lower).toBeNaN()
    expect(result.intervals.sensitivity.validReplicates).toBe(0)
    expect(result.intervals.sensitivity.undefinedReason).toMatch(/undefined in every bootstrap replicate/)
  })

  it('keeps Infinity DOR replicates unless Haldane-corrected', () => {
    // Perfectly separated: every replicate has FP = FN = 0, so DOR = ∞ throughout.
    const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    const scores = [0.1, 0.2, 0.3, 0.2, 0.1, 0.8, 0.9, 0.7, 0.8, 0.9]
    const raw = bootstrapConfidenceIntervals({ labels, scores }, { replicates: 200, seed: 1 })
    expect(raw.intervals.diagnosticOddsRatio.upper).toBe(Number.POSITIVE_INFINITY)
    const corrected = bootstrapConfidenceIntervals({ labels, scores }, { replicates: 200, seed: 1, haldane: true })
    expect(Number.isFinite(corrected.intervals.diagnosticOddsRatio.upper)).toBe(true)
  })

  it('rejects invalid settings', () => {
    expect(() => bootstrapConfidenceIntervals(cohort, { replicates: 0 })).toThrow(/replicates/)
    expect(() => bootstrapConfidenceIntervals(cohort, { confidence: 1 })).toThrow(/confidence/)
    expect(() => bootstrapConfidenceIntervals({ ...cohort, patients: ['a'] })).toThrow(/patients and labels must have the same length/)
  })

  it('measures 2000 replicates × 1000 images (printed, not asserted)', () => {
    const data = syntheticCohort({ patients: 250, imagesPerPatient: 4, seed: 17, patientSpread: 0.5 })
    const images = { labels: data.labels, scores: data.scores }
    bootstrapConfidenceIntervals(images, { replicates: 50 }) // warm-up for the JIT
    let start = performance.now()
    bootstrapConfidenceIntervals(images, { replicates: 2000 })
    const imageMs = performance.now() - start
    start = performance.now()
    bootstrapConfidenceIntervals(data, { replicates: 2000 })
    const patientMs = performance.now() - start
    console.log(
      `bootstrap 2000 replicates × 1000 images: ${imageMs.toFixed(1)} ms per-image, ` +
        `${patientMs.toFixed(1)} ms by patient (250 patients)`,
    )
    expect(data.labels).toHaveLength(1000)
  })
})
