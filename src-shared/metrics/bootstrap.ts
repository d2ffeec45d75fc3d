import { checkBootstrapSettings, resampleModelsByPatient } from './patientResampling'
import type { BinaryInput, BootstrapSettings, ConfidenceInterval, MetricName } from './types'
import { METRIC_NAMES } from './types'
import { validateBinaryInput, validateThreshold } from './validate'

/**
 * Cluster (patient-level) bootstrap confidence intervals for every metric.
 *
 * Why patients, not images: several radiographs of one patient are
 * correlated (same anatomy, same scanner, same disease course), so the
 * effective sample size is closer to the number of patients than of images.
 * Resampling images would treat them as independent and give intervals that
 * are too narrow. Resampling whole patients with replacement (the cluster
 * bootstrap: Davison & Hinkley 1997, "Bootstrap Methods and their
 * Application", §3.8; Field & Welsh 2007, JRSS-B 69:369) keeps each patient's
 * images together. Without patient ids every image is its own cluster, which
 * is the ordinary case-resampling bootstrap.
 *
 * Interval: the percentile method (Efron & Tibshirani 1993, "An Introduction
 * to the Bootstrap", §13.3): the (1−c)/2 and (1+c)/2 quantiles of the
 * replicate values, with linear interpolation between order statistics
 * (Hyndman & Fan 1996 type 7, numpy's default). Percentile rather than BCa
 * because it needs no jackknife (BCa's acceleration needs n extra fits per
 * metric, awkward for clusters and for metrics that go undefined) and is
 * transformation-respecting, which matters for the skewed DOR.
 *
 * Undefined replicates: a replicate can lack positives (sensitivity = NaN) or
 * have FP·FN = 0 (DOR = Infinity). NaN replicates are skipped and counted via
 * `validReplicates`; Infinity is a valid DOR value and is kept, so the upper
 * DOR bound can be Infinity — use `haldane: true` for a finite interval.
 * When many replicates are skipped the interval is conditional on the metric
 * being defined; report `validReplicates` next to it.
 */

/** Defaults: B = 2000 (Efron & Tibshirani recommend ≥ 1000 for percentile CIs), 95 %. */
export const DEFAULT_BOOTSTRAP: Required<BootstrapSettings> = {
  replicates: 2000,
  confidence: 0.95,
  seed: 20200428,
}

/** Options of `bootstrapConfidenceIntervals`: resampling settings plus how metrics are computed. */
export interface BootstrapOptions extends BootstrapSettings {
  /** Decision threshold for the threshold metrics; default 0.5. */
  threshold?: number
  /** Haldane-correct the DOR in each replicate; default false. */
  haldane?: boolean
  /** β of the F-score; default 1. */
  fBeta?: number
}

/** Bootstrap intervals for every metric plus the settings that produced them. */
export interface BootstrapResult {
  /** Always `'percentile'` (see module documentation). */
  method: 'percentile'
  /** `'patient'` when patient ids were given, else `'image'`. */
  resamplingUnit: 'patient' | 'image'
  /** Number of resampled clusters (patients, or images when no ids). */
  clusters: number
  /** Number of replicates B. */
  replicates: number
  /** Confidence level. */
  confidence: number
  /** PRNG seed used. */
  seed: number
  /** One interval per metric. */
  intervals: Record<MetricName, ConfidenceInterval>
}

/**
 * Percentile of a sorted sample with linear interpolation (type 7).
 * Handles ±Infinity without producing `Infinity − Infinity = NaN`.
 * @param sorted ascending, without NaN; must be non-empty.
 * @param probability in [0, 1].
 */
export function percentile(sorted: ArrayLike<number>, probability: number): number {
  const position = (sorted.length - 1) * probability
  const below = Math.floor(position)
  const fraction = position - below
  const low = sorted[below]
  if (fraction === 0 || below + 1 >= sorted.length) return low
  const high = sorted[below + 1]
  if (low === high) return low
  // Interpolating towards an infinite neighbour gives that infinity (as numpy
  // does); computed explicitly because Infinity − Infinity would be NaN.
  if (!Number.isFinite(low)) return low
  if (!Number.isFinite(high)) return high
  return low + fraction * (high - low)
}

/**
 * Percentile interval of one metric's replicate values: `NaN` replicates (metric undefined on that resample) are
 * skipped and counted out of `validReplicates`.
 * @param name the metric, for the reason given when no replicate was valid.
 */
export function percentileInterval(values: Float64Array, confidence: number, name: string): ConfidenceInterval {
  const valid = values.filter((value) => !Number.isNaN(value)).sort()
  if (valid.length === 0) {
    return {
      lower: Number.NaN,
      upper: Number.NaN,
      validReplicates: 0,
      undefinedReason: `${name} was undefined in every bootstrap replicate`,
    }
  }
  const tail = (1 - confidence) / 2
  return { lower: percentile(valid, tail), upper: percentile(valid, 1 - tail), validReplicates: valid.length }
}

/**
 * Patient-level bootstrap percentile confidence intervals for every metric
 * (the threshold metrics of `binaryMetrics` and the ROC AUC).
 *
 * Each replicate draws `clusters` patients with replacement and weights every
 * image by how often its patient was drawn; metrics are computed on those
 * integer weights, which equals recomputing them on the resampled data. The
 * data are sorted once, so a replicate costs O(images + patients).
 *
 * Reproducible: the same input, options and seed give identical intervals.
 *
 * @throws RangeError on invalid input or settings.
 */
export function bootstrapConfidenceIntervals(input: BinaryInput, options: BootstrapOptions = {}): BootstrapResult {
  const { labels, scores, patients } = input
  validateBinaryInput(labels, scores, patients)
  const replicates = options.replicates ?? DEFAULT_BOOTSTRAP.replicates
  const confidence = options.confidence ?? DEFAULT_BOOTSTRAP.confidence
  const seed = options.seed ?? DEFAULT_BOOTSTRAP.seed
  const threshold = options.threshold ?? 0.5
  checkBootstrapSettings({ replicates, confidence, seed })
  validateThreshold(threshold)

  const resampled = resampleModelsByPatient(
    { labels, patients, models: [{ scores, threshold }] },
    { replicates, seed, haldane: options.haldane === true, fBeta: options.fBeta ?? 1 },
  )
  const intervals = {} as Record<MetricName, ConfidenceInterval>
  for (const name of METRIC_NAMES) intervals[name] = percentileInterval(resampled.values[0][name], confidence, name)
  return {
    method: 'percentile',
    resamplingUnit: resampled.resamplingUnit,
    clusters: resampled.clusters,
    replicates,
    confidence,
    seed,
    intervals,
  }
}
