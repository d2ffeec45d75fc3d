import { sortTieGroups, weightedAuc } from './auc'
import { binaryMetrics } from './binaryMetrics'
import { createRandom, randomInteger } from './random'
import type { BinaryInput, BootstrapSettings, ConfidenceInterval, MetricName } from './types'
import { BINARY_METRIC_NAMES, METRIC_NAMES } from './types'
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

function checkSettings(replicates: number, confidence: number, seed: number): void {
  if (!Number.isInteger(replicates) || replicates < 1) {
    throw new RangeError(`bootstrap replicates must be a positive integer, got ${String(replicates)}`)
  }
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new RangeError(`bootstrap confidence must be in (0, 1), got ${String(confidence)}`)
  }
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RangeError(`bootstrap seed must be a finite number, got ${String(seed)}`)
  }
}

/** Map each image to a dense cluster index (patient, or itself). */
function clusterIndex(n: number, patients?: ArrayLike<string>): { clusterOf: Uint32Array; clusters: number } {
  const clusterOf = new Uint32Array(n)
  if (patients === undefined) {
    for (let index = 0; index < n; index++) clusterOf[index] = index
    return { clusterOf, clusters: n }
  }
  const ids = new Map<string, number>()
  for (let index = 0; index < n; index++) {
    const id = patients[index]
    let cluster = ids.get(id)
    if (cluster === undefined) {
      cluster = ids.size
      ids.set(id, cluster)
    }
    clusterOf[index] = cluster
  }
  return { clusterOf, clusters: ids.size }
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
  checkSettings(replicates, confidence, seed)
  validateThreshold(threshold)
  const metricOptions = { haldane: options.haldane === true, fBeta: options.fBeta ?? 1 }

  const n = labels.length
  const labelArray = Uint8Array.from({ length: n }, (_, index) => labels[index])
  const { clusterOf, clusters } = clusterIndex(n, patients)
  // Per-cluster confusion cells, so a replicate's matrix costs O(clusters).
  const cells = new Float64Array(clusters * 4) // [tp, fp, tn, fn] per cluster
  for (let index = 0; index < n; index++) {
    const predictedPositive = scores[index] >= threshold
    const cell = labelArray[index] === 1 ? (predictedPositive ? 0 : 3) : predictedPositive ? 1 : 2
    cells[clusterOf[index] * 4 + cell]++
  }
  // Work in ascending-score order so the AUC sweep reads memory sequentially:
  // labels and cluster ids are permuted once, and the permutation becomes the
  // identity for `weightedAuc`.
  const sorted = sortTieGroups(scores)
  const sortedLabels = new Uint8Array(n)
  const sortedClusterOf = new Uint32Array(n)
  for (let position = 0; position < n; position++) {
    sortedLabels[position] = labelArray[sorted.order[position]]
    sortedClusterOf[position] = clusterOf[sorted.order[position]]
  }
  const groups = { order: Uint32Array.from({ length: n }, (_, position) => position), groupEnds: sorted.groupEnds }

  const values = new Map<MetricName, Float64Array>(METRIC_NAMES.map((name) => [name, new Float64Array(replicates)]))
  const random = createRandom(seed)
  const multiplicity = new Float64Array(clusters)
  const weights = new Float64Array(n)
  for (let replicate = 0; replicate < replicates; replicate++) {
    multiplicity.fill(0)
    for (let draw = 0; draw < clusters; draw++) multiplicity[randomInteger(random, clusters)]++
    let tp = 0
    let fp = 0
    let tn = 0
    let fn = 0
    for (let cluster = 0; cluster < clusters; cluster++) {
      const times = multiplicity[cluster]
      if (times === 0) continue
      const offset = cluster * 4
      tp += times * cells[offset]
      fp += times * cells[offset + 1]
      tn += times * cells[offset + 2]
      fn += times * cells[offset + 3]
    }
    for (let position = 0; position < n; position++) weights[position] = multiplicity[sortedClusterOf[position]]
    const metrics = binaryMetrics({ tp, fp, tn, fn }, metricOptions)
    for (const name of BINARY_METRIC_NAMES) values.get(name)![replicate] = metrics[name]
    values.get('auc')![replicate] = weightedAuc(groups, sortedLabels, weights)
  }

  const tail = (1 - confidence) / 2
  const intervals = {} as Record<MetricName, ConfidenceInterval>
  for (const name of METRIC_NAMES) {
    const valid = values.get(name)!.filter((value) => !Number.isNaN(value)).sort()
    if (valid.length === 0) {
      intervals[name] = {
        lower: Number.NaN,
        upper: Number.NaN,
        validReplicates: 0,
        undefinedReason: `${name} was undefined in every bootstrap replicate`,
      }
      continue
    }
    intervals[name] = {
      lower: percentile(valid, tail),
      upper: percentile(valid, 1 - tail),
      validReplicates: valid.length,
    }
  }
  return {
    method: 'percentile',
    resamplingUnit: patients === undefined ? 'image' : 'patient',
    clusters,
    replicates,
    confidence,
    seed,
    intervals,
  }
}
