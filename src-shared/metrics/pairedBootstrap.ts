import { DEFAULT_BOOTSTRAP, percentileInterval } from './bootstrap'
import { validatePairedScores, type PairedScoresInput } from './delong'
import { evaluateBinary } from './evaluate'
import { checkBootstrapSettings, resampleModelsByPatient } from './patientResampling'
import type { BootstrapSettings, ConfidenceInterval, MetricName } from './types'
import { METRIC_NAMES } from './types'

/**
 * The difference between two models on any metric, with a patient-level bootstrap interval.
 *
 * Patients are resampled once per replicate and both models are scored on that same resample, so the replicate
 * difference keeps the pairing: images both models find hard stay hard for both, and the interval of the difference
 * is narrower than two separate intervals suggest (the paired bootstrap, Efron & Tibshirani 1993, "An Introduction to
 * the Bootstrap", §9 on paired designs; clusters as in `bootstrap.ts`). It applies to every metric, threshold metrics
 * included, and respects repeated patients, which DeLong's test does not.
 *
 * The p-value inverts the percentile interval: twice the smaller share of replicate differences on either side of 0,
 * with the (count + 1)/(B + 1) convention of Monte Carlo p-values (Davison & Hinkley 1997, "Bootstrap Methods and their
 * Application", §4.2.1), so that it is never reported as exactly 0 from B replicates. It agrees with the interval:
 * p < 1 − confidence roughly when the interval excludes 0.
 *
 * The DOR's difference is skewed and infinite whenever a replicate has FP·FN = 0; with `haldane: true` it stays
 * finite. Differences are A − B.
 */

/** Input of {@link pairedBootstrapDifference}: labels, patients and both models' scores and thresholds. */
export interface PairedBootstrapInput extends PairedScoresInput {
  /** Model A's threshold (score ≥ threshold is positive). Default 0.5. */
  thresholdA?: number
  /** Model B's threshold. Default 0.5. */
  thresholdB?: number
}

/** Options of {@link pairedBootstrapDifference}. */
export interface PairedBootstrapOptions extends BootstrapSettings {
  /** Haldane-correct the DOR (+0.5 per cell) for both models. Default false. */
  haldane?: boolean
  /** β of the F-score. Default 1. */
  fBeta?: number
}

/** One metric compared. */
export interface MetricDifference {
  /** Model A's value on the full test set. */
  valueA: number
  valueB: number
  /** valueA − valueB. */
  difference: number
  /** Percentile interval of the replicate differences. */
  ci: ConfidenceInterval
  /** Two-sided p-value from inverting the percentile interval; `NaN` when no replicate was valid. */
  pValue: number
  /** Why `difference` is `NaN` (a metric undefined for a model), when it is. */
  undefinedReason?: string
}

/** Every metric's difference between two models and the bootstrap that produced the intervals. */
export interface PairedBootstrapResult {
  method: 'paired-percentile'
  resamplingUnit: 'patient' | 'image'
  clusters: number
  replicates: number
  confidence: number
  seed: number
  differences: Record<MetricName, MetricDifference>
}

/**
 * Two-sided p-value of "no difference" from replicate differences: 2·min(#(d ≤ 0) + 1, #(d ≥ 0) + 1)/(valid + 1),
 * capped at 1; `NaN` replicates are skipped.
 */
export function bootstrapPValue(differences: Float64Array): number {
  let valid = 0
  let atMostZero = 0
  let atLeastZero = 0
  for (const value of differences) {
    if (Number.isNaN(value)) continue
    valid++
    if (value <= 0) atMostZero++
    if (value >= 0) atLeastZero++
  }
  if (valid === 0) return Number.NaN
  return Math.min(1, (2 * (Math.min(atMostZero, atLeastZero) + 1)) / (valid + 1))
}

/**
 * Difference between models A and B in every metric (threshold metrics at each model's threshold, and AUC), with
 * patient-level paired bootstrap percentile intervals and p-values. Reproducible for a seed; the resamples are the
 * ones `bootstrapConfidenceIntervals` draws for the same test set and seed.
 * @throws RangeError on invalid input (the message names the model) or settings.
 */
export function pairedBootstrapDifference(input: PairedBootstrapInput, options: PairedBootstrapOptions = {}): PairedBootstrapResult {
  validatePairedScores(input)
  const replicates = options.replicates ?? DEFAULT_BOOTSTRAP.replicates
  const confidence = options.confidence ?? DEFAULT_BOOTSTRAP.confidence
  const seed = options.seed ?? DEFAULT_BOOTSTRAP.seed
  checkBootstrapSettings({ replicates, confidence, seed })
  const haldane = options.haldane === true
  const fBeta = options.fBeta ?? 1
  const thresholdA = input.thresholdA ?? 0.5
  const thresholdB = input.thresholdB ?? 0.5
  const { labels, patients } = input
  const resampled = resampleModelsByPatient(
    { labels, patients, models: [{ scores: input.scoresA, threshold: thresholdA }, { scores: input.scoresB, threshold: thresholdB }] },
    { replicates, seed, haldane, fBeta },
  )
  const pointA = evaluateBinary({ labels, scores: input.scoresA, threshold: thresholdA, haldane, fBeta }).metrics
  const pointB = evaluateBinary({ labels, scores: input.scoresB, threshold: thresholdB, haldane, fBeta }).metrics
  const differences = {} as Record<MetricName, MetricDifference>
  for (const name of METRIC_NAMES) {
    const valuesA = resampled.values[0][name]
    const valuesB = resampled.values[1][name]
    const replicateDifferences = valuesA.map((value, replicate) => value - valuesB[replicate])
    const entry: MetricDifference = {
      valueA: pointA[name].value,
      valueB: pointB[name].value,
      difference: pointA[name].value - pointB[name].value,
      ci: percentileInterval(replicateDifferences, confidence, `the difference in ${name}`),
      pValue: bootstrapPValue(replicateDifferences),
    }
    const reasons = [pointA[name].undefinedReason && `model A: ${pointA[name].undefinedReason}`, pointB[name].undefinedReason && `model B: ${pointB[name].undefinedReason}`].filter(Boolean)
    if (reasons.length > 0) entry.undefinedReason = reasons.join('; ')
    differences[name] = entry
  }
  return { method: 'paired-percentile', resamplingUnit: resampled.resamplingUnit, clusters: resampled.clusters, replicates, confidence, seed, differences }
}
