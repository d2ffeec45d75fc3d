/**
 * "Which dataset is this image from?" measured on frozen encoder features (paper Sec. IV-B, Fig. 3): if a
 * simple classifier tells the source dataset apart far better than chance, the encoder carries dataset
 * signatures a COVID classifier can take as a shortcut. Pure TypeScript, usable by main, renderer and CLI.
 */
import type { DatasetSeparability } from './types'

/** Features with what each row is: its source dataset (the class to predict) and its patient (the CV group). */
export interface LabelledFeatures {
  /** One feature vector per image, all the same length. */
  values: ArrayLike<number>[]
  /** Class of each row (here: the source dataset id). */
  classes: string[]
  /** Patient of each row, unique across datasets; rows of one patient are never split across train and test. */
  groups?: string[]
}

/**
 * True when `accuracy` is "much" above `chance`: more than half-way from chance to perfect. A relative rule
 * because a fixed margin means little when chance is already 0.9 (one dataset dominating).
 */
export function isFarAboveChance(accuracy: number, chance: number): boolean {
  return chance < 1 && accuracy - chance >= 0.5 * (1 - chance)
}

/** Share of the most frequent class: the accuracy of always guessing it (0 for no rows). */
export function majorityShare(classes: string[]): number {
  if (classes.length === 0) return 0
  const counts = new Map<string, number>()
  for (const name of classes) counts.set(name, (counts.get(name) ?? 0) + 1)
  return Math.max(...counts.values()) / classes.length
}

/** Column means and standard deviations of `rows` (a constant column gets sd 1, so it standardizes to 0). */
export function columnStats(rows: ArrayLike<number>[]): { mean: Float64Array; sd: Float64Array } {
  const dimension = rows[0]?.length ?? 0
  const mean = new Float64Array(dimension)
  const sd = new Float64Array(dimension)
  for (const row of rows) for (let j = 0; j < dimension; j++) mean[j] += row[j] / rows.length
  for (const row of rows) for (let j = 0; j < dimension; j++) sd[j] += (row[j] - mean[j]) ** 2 / rows.length
  for (let j = 0; j < dimension; j++) sd[j] = sd[j] > 1e-12 ? Math.sqrt(sd[j]) : 1
  return { mean, sd }
}

/** Rows standardized with the given statistics. */
export function standardize(rows: ArrayLike<number>[], stats: { mean: Float64Array; sd: Float64Array }): Float64Array[] {
  return rows.map((row) => Float64Array.from({ length: stats.mean.length }, (_, j) => (row[j] - stats.mean[j]) / stats.sd[j]))
}

function check(data: LabelledFeatures): void {
  const n = data.values.length
  if (data.classes.length !== n) throw new RangeError(`${n} feature rows but ${data.classes.length} classes`)
  if (data.groups && data.groups.length !== n) throw new RangeError(`${n} feature rows but ${data.groups.length} groups`)
  const dimension = data.values[0]?.length ?? 0
  data.values.forEach((row, index) => {
    if (row.length !== dimension) throw new RangeError(`feature row ${index} has ${row.length} values, row 0 has ${dimension}`)
  })
}

/**
 * Leave-one-out k-NN accuracy (Euclidean on standardized features, majority vote, ties to the nearest
 * neighbour's class) at predicting each row's class from the others. Rows of the same patient are not
 * neighbours: two radiographs of one patient are near-duplicates and would make any feature look separable.
 */
export function knnSeparability(data: LabelledFeatures, k = 5): DatasetSeparability {
  check(data)
  const n = data.values.length
  const classNames = [...new Set(data.classes)].sort()
  const chance = majorityShare(data.classes)
  if (n < 2) return { method: 'knn-loo', accuracy: null, chance, n, classes: classNames, warning: false, folds: null }
  const rows = standardize(data.values, columnStats(data.values))
  let correct = 0
  let scored = 0
  for (let i = 0; i < n; i++) {
    const neighbours: { distance: number; index: number }[] = []
    for (let j = 0; j < n; j++) {
      if (j === i || (data.groups && data.groups[j] === data.groups[i])) continue
      let distance = 0
      for (let d = 0; d < rows[i].length; d++) distance += (rows[i][d] - rows[j][d]) ** 2
      neighbours.push({ distance, index: j })
    }
    if (neighbours.length === 0) continue
    neighbours.sort((a, b) => a.distance - b.distance || a.index - b.index)
    const nearest = neighbours.slice(0, k)
    const votes = new Map<string, number>()
    for (const { index } of nearest) votes.set(data.classes[index], (votes.get(data.classes[index]) ?? 0) + 1)
    const top = Math.max(...votes.values())
    // Ties go to the class of the closest neighbour among the tied classes.
    const predicted = nearest.find(({ index }) => votes.get(data.classes[index]) === top)!
    scored += 1
    if (data.classes[predicted.index] === data.classes[i]) correct += 1
  }
  const accuracy = scored === 0 ? null : correct / scored
  return { method: 'knn-loo', accuracy, chance, n, classes: classNames, warning: accuracy !== null && isFarAboveChance(accuracy, chance), folds: null }
}

/** Options of {@link trainLogisticRegression}. */
export interface LogisticOptions {
  /** Full-batch gradient steps. */
  steps?: number
  learningRate?: number
  /** L2 penalty on the weights (not the biases): keeps the fit finite on separable data. */
  l2?: number
}

/** A fitted multinomial logistic regression on standardized features. */
export interface LogisticModel {
  classes: string[]
  stats: { mean: Float64Array; sd: Float64Array }
  /** weights[c][d], one row per class. */
  weights: Float64Array[]
  biases: Float64Array
  /** Class of each row. */
  predict(rows: ArrayLike<number>[]): string[]
}

/**
 * Multinomial logistic regression (softmax; with two classes the ordinary logistic one), fitted by full-batch
 * gradient descent on standardized features. Standardizing makes one learning rate fit every feature scale, so
 * a few hundred plain steps converge without a line search.
 */
export function trainLogisticRegression(rows: ArrayLike<number>[], labels: string[], options: LogisticOptions = {}): LogisticModel {
  const steps = options.steps ?? 300
  const rate = options.learningRate ?? 0.5
  const l2 = options.l2 ?? 1e-3
  const classes = [...new Set(labels)].sort()
  const stats = columnStats(rows)
  const x = standardize(rows, stats)
  const n = x.length
  const dimension = stats.mean.length
  const target = labels.map((label) => classes.indexOf(label))
  const weights = classes.map(() => new Float64Array(dimension))
  const biases = new Float64Array(classes.length)
  const probabilities = new Float64Array(classes.length)
  for (let step = 0; step < steps && classes.length > 1; step++) {
    const gradW = classes.map(() => new Float64Array(dimension))
    const gradB = new Float64Array(classes.length)
    for (let i = 0; i < n; i++) {
      softmax(x[i], weights, biases, probabilities)
      for (let c = 0; c < classes.length; c++) {
        const error = (probabilities[c] - (target[i] === c ? 1 : 0)) / n
        gradB[c] += error
        const row = gradW[c]
        for (let d = 0; d < dimension; d++) row[d] += error * x[i][d]
      }
    }
    for (let c = 0; c < classes.length; c++) {
      biases[c] -= rate * gradB[c]
      for (let d = 0; d < dimension; d++) weights[c][d] -= rate * (gradW[c][d] + l2 * weights[c][d])
    }
  }
  return {
    classes,
    stats,
    weights,
    biases,
    predict(input) {
      const scratch = new Float64Array(classes.length)
      return standardize(input, stats).map((row) => {
        softmax(row, weights, biases, scratch)
        let best = 0
        for (let c = 1; c < classes.length; c++) if (scratch[c] > scratch[best]) best = c
        return classes[best]
      })
    },
  }
}

function softmax(row: Float64Array, weights: Float64Array[], biases: Float64Array, out: Float64Array): void {
  let max = -Infinity
  for (let c = 0; c < weights.length; c++) {
    let z = biases[c]
    for (let d = 0; d < row.length; d++) z += weights[c][d] * row[d]
    out[c] = z
    if (z > max) max = z
  }
  let sum = 0
  for (let c = 0; c < weights.length; c++) {
    out[c] = Math.exp(out[c] - max)
    sum += out[c]
  }
  for (let c = 0; c < weights.length; c++) out[c] /= sum
}

/** Options of {@link datasetProbe}. */
export interface ProbeOptions extends LogisticOptions {
  /** Cross-validation folds (fewer when there are fewer patients). Default 5. */
  folds?: number
  /** Seed of the patient-to-fold assignment. */
  seed?: number
}

/**
 * The "which dataset?" probe: a logistic regression on frozen features predicting the source dataset,
 * cross-validated by patient (all images of a patient in one fold, so the probe cannot recognise a patient it
 * trained on). Reports the pooled held-out accuracy next to chance, with a warning when it is far above.
 */
export function datasetProbe(data: LabelledFeatures, options: ProbeOptions = {}): DatasetSeparability {
  check(data)
  const n = data.values.length
  const classNames = [...new Set(data.classes)].sort()
  const chance = majorityShare(data.classes)
  const groups = data.groups ?? data.classes.map((_, index) => String(index))
  const distinct = [...new Set(groups)].sort()
  const folds = Math.min(options.folds ?? 5, distinct.length)
  if (folds < 2 || classNames.length < 2) return { method: 'logistic-cv', accuracy: null, chance, n, classes: classNames, warning: false, folds: null }
  // Seeded shuffle then round-robin: folds of near-equal patient counts, the same on every call.
  const order = shuffle(distinct, options.seed ?? 1)
  const foldOf = new Map(order.map((group, index) => [group, index % folds]))
  let correct = 0
  let scored = 0
  for (let fold = 0; fold < folds; fold++) {
    const train: number[] = []
    const test: number[] = []
    groups.forEach((group, index) => (foldOf.get(group) === fold ? test : train).push(index))
    if (test.length === 0 || train.length === 0) continue
    const model = trainLogisticRegression(
      train.map((index) => data.values[index]),
      train.map((index) => data.classes[index]),
      options,
    )
    const predicted = model.predict(test.map((index) => data.values[index]))
    test.forEach((index, position) => {
      scored += 1
      if (predicted[position] === data.classes[index]) correct += 1
    })
  }
  const accuracy = scored === 0 ? null : correct / scored
  return { method: 'logistic-cv', accuracy, chance, n, classes: classNames, warning: accuracy !== null && isFarAboveChance(accuracy, chance), folds }
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items]
  let state = seed >>> 0 || 1
  const next = () => {
    // xorshift32: enough for assigning folds, and dependency-free.
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4294967296
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
