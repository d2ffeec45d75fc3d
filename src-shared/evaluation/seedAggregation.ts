/**
 * One cell of a study (a network × pre-training × composition) trained with k seeds: how good is that recipe, and how
 * much does it depend on the seed? Pure TypeScript, usable by main, renderer and CLI.
 *
 * What is reported per metric:
 * - the k per-seed values, their mean and sample standard deviation (n − 1): the spread is the seed-to-seed
 *   variability of training, which a single run hides;
 * - a 95% interval for the mean over seeds from a patient bootstrap of the test set: patients are resampled once per
 *   replicate, all k models are scored on that same resample, and the replicate value is the mean of the k metrics.
 *
 * Why not "pool" the k × n predictions and compute one metric on them: the same n test images would count k times,
 * as if the test set were k times larger, so any interval would be about √k too narrow; and an AUC over pooled
 * scores mixes models whose scores are on different scales (one seed's 0.6 is another's 0.9), which measures
 * calibration agreement between seeds rather than the recipe's ranking ability. The mean of per-seed metrics is the
 * quantity of interest (the expected performance of a model trained with this recipe), and resampling patients once
 * for all seeds keeps the dependence between the seeds' errors on the same images in the interval.
 *
 * The interval covers test-set sampling given these k models; the seed-to-seed spread is the standard deviation next
 * to it, shown as it is (a t-interval over k = 3 seed values would be too wide to say anything).
 */
import {
  checkBootstrapSettings,
  DEFAULT_BOOTSTRAP,
  evaluateBinary,
  METRIC_NAMES,
  percentileInterval,
  resampleModelsByPatient,
  withContext,
  type BootstrapSettings,
  type ConfidenceInterval,
  type MetricName,
} from '../metrics'

/** One trained model of the cell: its seed and its scores on the cell's test images. */
export interface SeedRun {
  /** The training seed, or any label that names the run in reports. */
  seed: number | string
  /** Score per test image, aligned with the labels. */
  scores: ArrayLike<number>
  /** Score ≥ threshold is positive. Default 0.5 (the paper's). */
  threshold?: number
}

/** The cell's test set and its k runs. Every run must be scored on the same images in the same order. */
export interface SeedAggregationInput {
  labels: ArrayLike<number>
  /** Patient per image; without it each image is resampled on its own. */
  patients?: ArrayLike<string>
  runs: readonly SeedRun[]
}

/** How metrics are computed and resampled. */
export interface SeedAggregationOptions extends BootstrapSettings {
  /** Haldane-correct the DOR (keeps the mean finite when a seed's test is perfect). Default false. */
  haldane?: boolean
  /** β of the F-score. Default 1. */
  fBeta?: number
}

/** One metric over the seeds. */
export interface SeedMetricSummary {
  /** Per-seed value, in the order of `runs` (`NaN` where undefined for that seed). */
  values: number[]
  /** Seeds where the metric is defined; the mean and SD use only those. */
  definedSeeds: number
  mean: number
  /** Sample standard deviation (n − 1) over the defined seeds; `NaN` with fewer than two or an infinite value. */
  standardDeviation: number
  minimum: number
  maximum: number
  /** Percentile interval of the mean over seeds under the patient bootstrap. */
  ci: ConfidenceInterval
  /** Why the mean or SD is undefined or rests on fewer seeds, when it does. */
  undefinedReason?: string
}

/** Sentence for reports saying how the interval was made. */
export const SEED_POOLING_NOTE =
  'mean of the per-seed metrics; 95% interval from resampling patients once for all seeds and averaging the seeds on each resample (predictions are not pooled across seeds)'

/** The cell's metrics over seeds and the bootstrap behind the intervals. */
export interface SeedAggregation {
  seeds: (number | string)[]
  /** Test images. */
  n: number
  metrics: Record<MetricName, SeedMetricSummary>
  bootstrap: {
    method: 'percentile-of-seed-mean'
    resamplingUnit: 'patient' | 'image'
    clusters: number
    replicates: number
    confidence: number
    seed: number
  }
  /** How "pooled" is meant: {@link SEED_POOLING_NOTE}. */
  pooling: string
}

/** Mean of the defined (non-NaN) values, or NaN when there is none. */
function definedMean(values: ArrayLike<number>): number {
  let sum = 0
  let count = 0
  for (let index = 0; index < values.length; index++) {
    if (Number.isNaN(values[index])) continue
    sum += values[index]
    count++
  }
  return count === 0 ? Number.NaN : sum / count
}

function summarise(name: MetricName, values: number[], reasons: string[]): Omit<SeedMetricSummary, 'ci'> {
  const defined = values.filter((value) => !Number.isNaN(value))
  const mean = definedMean(values)
  let standardDeviation = Number.NaN
  const notes: string[] = []
  if (defined.length < values.length) notes.push(`${name} is undefined for ${values.length - defined.length} of ${values.length} seeds (${[...new Set(reasons)].join('; ')})`)
  if (defined.some((value) => !Number.isFinite(value))) {
    notes.push(`${name} is infinite for some seed, so its spread is undefined${name === 'diagnosticOddsRatio' ? ' (the Haldane correction keeps it finite)' : ''}`)
  } else if (defined.length >= 2) {
    standardDeviation = Math.sqrt(defined.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (defined.length - 1))
  } else if (defined.length === 1) {
    notes.push(`${name} has one defined seed: no spread`)
  }
  const summary: Omit<SeedMetricSummary, 'ci'> = {
    values,
    definedSeeds: defined.length,
    mean,
    standardDeviation,
    minimum: defined.length ? Math.min(...defined) : Number.NaN,
    maximum: defined.length ? Math.max(...defined) : Number.NaN,
  }
  if (notes.length > 0) summary.undefinedReason = notes.join('; ')
  return summary
}

/**
 * Mean ± sample SD over seeds of every metric (threshold metrics at each run's threshold, and AUC), with a patient
 * bootstrap interval of the mean over seeds (see the module note for why predictions are not pooled).
 * Reproducible for a bootstrap seed; with one run the interval is that run's own bootstrap interval.
 * @throws RangeError with no run, or on invalid scores (naming the run's seed), labels, patients or settings.
 */
export function aggregateSeeds(input: SeedAggregationInput, options: SeedAggregationOptions = {}): SeedAggregation {
  const { labels, patients, runs } = input
  if (runs.length === 0) throw new RangeError('a study cell needs at least one trained run to summarise')
  const replicates = options.replicates ?? DEFAULT_BOOTSTRAP.replicates
  const confidence = options.confidence ?? DEFAULT_BOOTSTRAP.confidence
  const bootstrapSeed = options.seed ?? DEFAULT_BOOTSTRAP.seed
  checkBootstrapSettings({ replicates, confidence, seed: bootstrapSeed })
  const haldane = options.haldane === true
  const fBeta = options.fBeta ?? 1

  const points = runs.map((run) =>
    withContext(`run with seed ${String(run.seed)}`, () => evaluateBinary({ labels, patients, scores: run.scores, threshold: run.threshold ?? 0.5, haldane, fBeta }).metrics),
  )
  const resampled = resampleModelsByPatient(
    { labels, patients, models: runs.map((run) => ({ scores: run.scores, threshold: run.threshold ?? 0.5 })) },
    { replicates, seed: bootstrapSeed, haldane, fBeta },
  )
  const metrics = {} as Record<MetricName, SeedMetricSummary>
  for (const name of METRIC_NAMES) {
    const seedMeans = new Float64Array(replicates)
    const perReplicate = new Float64Array(runs.length)
    for (let replicate = 0; replicate < replicates; replicate++) {
      for (let run = 0; run < runs.length; run++) perReplicate[run] = resampled.values[run][name][replicate]
      seedMeans[replicate] = definedMean(perReplicate)
    }
    const values = points.map((point) => point[name].value)
    const reasons = points.map((point) => point[name].undefinedReason).filter((reason): reason is string => reason !== undefined)
    metrics[name] = { ...summarise(name, values, reasons), ci: percentileInterval(seedMeans, confidence, `the mean ${name} over seeds`) }
  }
  return {
    seeds: runs.map((run) => run.seed),
    n: labels.length,
    metrics,
    bootstrap: {
      method: 'percentile-of-seed-mean',
      resamplingUnit: resampled.resamplingUnit,
      clusters: resampled.clusters,
      replicates,
      confidence,
      seed: bootstrapSeed,
    },
    pooling: SEED_POOLING_NOTE,
  }
}
