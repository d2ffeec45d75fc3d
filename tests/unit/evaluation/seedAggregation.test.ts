import { describe, expect, it } from 'vitest'
import { aggregateSeeds, SEED_POOLING_NOTE } from '@shared/evaluation'
import { bootstrapConfidenceIntervals, METRIC_NAMES } from '@shared/metrics'
import { syntheticCohort } from '../metrics/syntheticData'

describe('aggregateSeeds', () => {
  it('hand check: AUCs 1, 0.75 and 0.5 over three seeds → mean 0.75, sample SD 0.25', () => {
    const labels = [0, 0, 1, 1]
    const result = aggregateSeeds(
      {
        labels,
        runs: [
          { seed: 1, scores: [0.1, 0.2, 0.8, 0.9] }, // perfect: AUC 1
          { seed: 2, scores: [0.1, 0.4, 0.35, 0.8] }, // 3 of 4 pairs: AUC 0.75
          { seed: 3, scores: [0.5, 0.5, 0.5, 0.5] }, // all tied: AUC 0.5
        ],
      },
      { replicates: 100 },
    )
    expect(result.metrics.auc.values).toEqual([1, 0.75, 0.5])
    expect(result.metrics.auc.mean).toBeCloseTo(0.75, 15)
    // √(((1 − 0.75)² + 0 + (0.5 − 0.75)²) / 2) = √(0.0625) = 0.25
    expect(result.metrics.auc.standardDeviation).toBeCloseTo(0.25, 15)
    expect(result.metrics.auc).toMatchObject({ definedSeeds: 3, minimum: 0.5, maximum: 1 })
    // accuracy at 0.5: 4/4, 3/4 (0.35 misses), 2/4 (all called positive) → mean 0.75
    expect(result.metrics.accuracy.values).toEqual([1, 0.75, 0.5])
    expect(result).toMatchObject({ seeds: [1, 2, 3], n: 4, pooling: SEED_POOLING_NOTE })
  })

  const cohort = syntheticCohort({ patients: 50, imagesPerPatient: 2, seed: 21, patientSpread: 0.7 })

  it('with one seed the interval is that run’s own patient-bootstrap interval (same resamples)', () => {
    const aggregated = aggregateSeeds({ labels: cohort.labels, patients: cohort.patients, runs: [{ seed: 'only', scores: cohort.scores }] }, { replicates: 300, seed: 9 })
    const single = bootstrapConfidenceIntervals(cohort, { replicates: 300, seed: 9 })
    for (const name of METRIC_NAMES) expect(aggregated.metrics[name].ci).toEqual(single.intervals[name])
    expect(aggregated.bootstrap).toMatchObject({ method: 'percentile-of-seed-mean', resamplingUnit: 'patient', clusters: 50, replicates: 300 })
    expect(aggregated.metrics.auc.standardDeviation).toBeNaN()
    expect(aggregated.metrics.auc.undefinedReason).toBe('auc has one defined seed: no spread')
  })

  it('averages the seeds on each resample: the interval of the mean lies between the seeds’ own intervals', () => {
    const runs = [0, 1, 2].map((seed) => ({
      seed,
      scores: cohort.scores.map((score, index) => Math.min(1, Math.max(0, score + 0.15 * Math.sin(index * (seed + 1))))),
    }))
    const aggregated = aggregateSeeds({ labels: cohort.labels, patients: cohort.patients, runs }, { replicates: 400, seed: 4 })
    const own = runs.map((run) => bootstrapConfidenceIntervals({ labels: cohort.labels, patients: cohort.patients, scores: run.scores }, { replicates: 400, seed: 4 }).intervals.auc)
    expect(aggregated.metrics.auc.ci.lower).toBeGreaterThanOrEqual(Math.min(...own.map((ci) => ci.lower)))
    expect(aggregated.metrics.auc.ci.upper).toBeLessThanOrEqual(Math.max(...own.map((ci) => ci.upper)))
    expect(aggregated.metrics.auc.ci.lower).toBeLessThan(aggregated.metrics.auc.mean)
    expect(aggregated.metrics.auc.ci.upper).toBeGreaterThan(aggregated.metrics.auc.mean)
    expect(aggregated.metrics.auc.standardDeviation).toBeGreaterThan(0)
  })

  it('identical seeds: SD 0 and the single run’s interval', () => {
    const runs = [1, 2, 3].map((seed) => ({ seed, scores: cohort.scores }))
    const aggregated = aggregateSeeds({ labels: cohort.labels, patients: cohort.patients, runs }, { replicates: 200, seed: 2 })
    const single = bootstrapConfidenceIntervals(cohort, { replicates: 200, seed: 2 })
    expect(aggregated.metrics.balancedAccuracy.standardDeviation).toBe(0)
    expect(aggregated.metrics.balancedAccuracy.ci.lower).toBeCloseTo(single.intervals.balancedAccuracy.lower, 14)
    expect(aggregated.metrics.balancedAccuracy.ci.upper).toBeCloseTo(single.intervals.balancedAccuracy.upper, 14)
  })

  it('says when a metric is undefined for some seeds and uses the others', () => {
    const labels = [0, 1, 0, 1]
    const result = aggregateSeeds(
      { labels, runs: [{ seed: 'a', scores: [0.1, 0.2, 0.3, 0.4] }, { seed: 'b', scores: [0.2, 0.9, 0.1, 0.7] }] },
      { replicates: 50 },
    )
    // Run a calls nothing positive: precision 0/0.
    expect(result.metrics.precision.values[0]).toBeNaN()
    expect(result.metrics.precision).toMatchObject({ definedSeeds: 1, mean: 1 })
    expect(result.metrics.precision.undefinedReason).toBe('precision is undefined for 1 of 2 seeds (no positive predictions); precision has one defined seed: no spread')
  })

  it('an infinite DOR (a perfect seed) leaves the spread undefined and points to the Haldane correction', () => {
    const labels = [0, 1, 0, 1, 0, 1]
    const runs = [
      { seed: 1, scores: [0.1, 0.9, 0.2, 0.8, 0.3, 0.7] },
      { seed: 2, scores: [0.6, 0.9, 0.2, 0.4, 0.3, 0.7] },
    ]
    const plain = aggregateSeeds({ labels, runs }, { replicates: 50 })
    expect(plain.metrics.diagnosticOddsRatio.mean).toBe(Number.POSITIVE_INFINITY)
    expect(plain.metrics.diagnosticOddsRatio.standardDeviation).toBeNaN()
    expect(plain.metrics.diagnosticOddsRatio.undefinedReason).toMatch(/infinite for some seed.*Haldane/)
    const haldane = aggregateSeeds({ labels, runs }, { replicates: 50, haldane: true })
    expect(Number.isFinite(haldane.metrics.diagnosticOddsRatio.standardDeviation)).toBe(true)
  })

  it('refuses an empty cell and names the seed whose scores are bad', () => {
    expect(() => aggregateSeeds({ labels: [0, 1], runs: [] })).toThrow(/at least one trained run/)
    expect(() => aggregateSeeds({ labels: [0, 1], runs: [{ seed: 7, scores: [0.2, 0.4] }, { seed: 8, scores: [0.2] }] })).toThrow(/^run with seed 8: labels and scores must have the same length/)
  })
})
