import { sortTieGroups, weightedAuc, type SortedTieGroups } from './auc'
import { binaryMetrics } from './binaryMetrics'
import { createRandom, randomInteger } from './random'
import type { MetricName } from './types'
import { BINARY_METRIC_NAMES, METRIC_NAMES } from './types'
import { validateBinaryInput, validateThreshold, withContext } from './validate'

/**
 * The patient-level (cluster) bootstrap's resampling, shared by every interval that resamples a test set: one
 * model's intervals (`bootstrapConfidenceIntervals`), the difference between two models and the mean over seeds.
 * Several models are scored on the same resample of patients, so their replicate values are paired: a difference
 * or a mean over models inherits the correlation between models instead of treating them as independent. See
 * `bootstrap.ts` for why patients and not images are resampled.
 */

/** Map each image to a dense cluster index: its patient (numbered by first appearance), or itself without ids. */
export function clusterIndex(n: number, patients?: ArrayLike<string>): { clusterOf: Uint32Array; clusters: number } {
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

/** @throws RangeError when the replicate count, seed or (when given) confidence is unusable. */
export function checkBootstrapSettings(settings: { replicates: number; seed: number; confidence?: number }): void {
  const { replicates, seed, confidence } = settings
  if (!Number.isInteger(replicates) || replicates < 1) {
    throw new RangeError(`bootstrap replicates must be a positive integer, got ${String(replicates)}`)
  }
  if (confidence !== undefined && (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1))) {
    throw new RangeError(`bootstrap confidence must be in (0, 1), got ${String(confidence)}`)
  }
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RangeError(`bootstrap seed must be a finite number, got ${String(seed)}`)
  }
}

/** One model's scores and the threshold its threshold metrics use. */
export interface ResampledModel {
  /** Score per image, aligned with the labels. */
  scores: ArrayLike<number>
  /** Score ≥ threshold is positive. Default 0.5. */
  threshold?: number
}

/** Input of {@link resampleModelsByPatient}: one test set and any number of models scored on it. */
export interface PatientResamplingInput {
  labels: ArrayLike<number>
  /** Patient per image; without it every image is its own cluster. */
  patients?: ArrayLike<string>
  models: readonly ResampledModel[]
}

/** Resampling settings (already defaulted by the caller). */
export interface PatientResamplingSettings {
  replicates: number
  seed: number
  /** Haldane-correct the DOR in each replicate. */
  haldane?: boolean
  /** β of the F-score. */
  fBeta?: number
}

/** Every metric of every model on every replicate; replicate r of every model comes from the same resample. */
export interface ResampledMetrics {
  resamplingUnit: 'patient' | 'image'
  clusters: number
  replicates: number
  /** `values[model][metric][replicate]`; `NaN` where the metric was undefined on that replicate. */
  values: Record<MetricName, Float64Array>[]
}

/** A model's data arranged once so each replicate costs O(images + patients). */
interface PreparedModel {
  /** [tp, fp, tn, fn] per cluster at the model's threshold. */
  cells: Float64Array
  /** Labels and cluster ids in ascending-score order, so the AUC sweep reads memory sequentially. */
  sortedLabels: Uint8Array
  sortedClusterOf: Uint32Array
  /** Tie groups over the sorted positions (the permutation is the identity). */
  groups: SortedTieGroups
}

function prepareModel(labels: Uint8Array, scores: ArrayLike<number>, threshold: number, clusterOf: Uint32Array, clusters: number): PreparedModel {
  const n = labels.length
  const cells = new Float64Array(clusters * 4)
  for (let index = 0; index < n; index++) {
    const predictedPositive = scores[index] >= threshold
    const cell = labels[index] === 1 ? (predictedPositive ? 0 : 3) : predictedPositive ? 1 : 2
    cells[clusterOf[index] * 4 + cell]++
  }
  const sorted = sortTieGroups(scores)
  const sortedLabels = new Uint8Array(n)
  const sortedClusterOf = new Uint32Array(n)
  for (let position = 0; position < n; position++) {
    sortedLabels[position] = labels[sorted.order[position]]
    sortedClusterOf[position] = clusterOf[sorted.order[position]]
  }
  const groups = { order: Uint32Array.from({ length: n }, (_, position) => position), groupEnds: sorted.groupEnds }
  return { cells, sortedLabels, sortedClusterOf, groups }
}

/** Write every metric of `model` on the resample with per-patient `multiplicity` into replicate slot `replicate`. */
function scoreReplicate(
  model: PreparedModel,
  multiplicity: Float64Array,
  weights: Float64Array,
  metricOptions: { haldane: boolean; fBeta: number },
  values: Record<MetricName, Float64Array>,
  replicate: number,
): void {
  let tp = 0
  let fp = 0
  let tn = 0
  let fn = 0
  for (let cluster = 0; cluster < multiplicity.length; cluster++) {
    const times = multiplicity[cluster]
    if (times === 0) continue
    const offset = cluster * 4
    tp += times * model.cells[offset]
    fp += times * model.cells[offset + 1]
    tn += times * model.cells[offset + 2]
    fn += times * model.cells[offset + 3]
  }
  for (let position = 0; position < weights.length; position++) weights[position] = multiplicity[model.sortedClusterOf[position]]
  const metrics = binaryMetrics({ tp, fp, tn, fn }, metricOptions)
  for (const name of BINARY_METRIC_NAMES) values[name][replicate] = metrics[name]
  values.auc[replicate] = weightedAuc(model.groups, model.sortedLabels, weights)
}

/**
 * Draw `replicates` resamples of patients with replacement (xoshiro128** seeded with `seed`) and compute every metric
 * of every model on each. Each replicate weights every image by how often its patient was drawn, which equals
 * recomputing on the resampled data. The same input and seed give the same resamples, whatever the number of models.
 * @throws RangeError on invalid labels, scores, patients, thresholds or settings, or with no model.
 */
export function resampleModelsByPatient(input: PatientResamplingInput, settings: PatientResamplingSettings): ResampledMetrics {
  const { labels, patients, models } = input
  if (models.length === 0) throw new RangeError('at least one model is needed to resample')
  models.forEach((model, index) => {
    const validate = () => {
      validateBinaryInput(labels, model.scores, patients)
      validateThreshold(model.threshold ?? 0.5)
    }
    if (models.length === 1) validate()
    else withContext(`model ${index + 1}`, validate)
  })
  const { replicates, seed } = settings
  checkBootstrapSettings(settings)
  const metricOptions = { haldane: settings.haldane === true, fBeta: settings.fBeta ?? 1 }

  const n = labels.length
  const labelArray = Uint8Array.from({ length: n }, (_, index) => labels[index])
  const { clusterOf, clusters } = clusterIndex(n, patients)
  const prepared = models.map((model) => prepareModel(labelArray, model.scores, model.threshold ?? 0.5, clusterOf, clusters))
  const values = models.map(
    () => Object.fromEntries(METRIC_NAMES.map((name) => [name, new Float64Array(replicates)])) as Record<MetricName, Float64Array>,
  )
  const random = createRandom(seed)
  const multiplicity = new Float64Array(clusters)
  const weights = new Float64Array(n)
  for (let replicate = 0; replicate < replicates; replicate++) {
    multiplicity.fill(0)
    for (let draw = 0; draw < clusters; draw++) multiplicity[randomInteger(random, clusters)]++
    prepared.forEach((model, index) => scoreReplicate(model, multiplicity, weights, metricOptions, values[index], replicate))
  }
  return { resamplingUnit: patients === undefined ? 'image' : 'patient', clusters, replicates, values }
}
