import { sortTieGroups } from './auc'
import { twoSidedCriticalValue, twoSidedNormalPValue } from './distributions'
import { validateBinaryInput, withContext } from './validate'

/**
 * Comparing ROC AUCs.
 *
 * Two models scored on the same test images: DeLong, DeLong & Clarke-Pearson 1988, "Comparing the areas under two
 * or more correlated receiver operating characteristic curves: a nonparametric approach", Biometrics 44:837–845.
 * Each AUC is the mean of per-image "placements" (for a positive image, the share of negatives it outscores; for a
 * negative, the share of positives that outscore it; ties ½), and the covariance of the two AUCs follows from the
 * covariance of the placements of the same images under the two models. Because both models see the same images,
 * their AUCs are correlated and the test of the difference is much more powerful than comparing two intervals.
 * The placements are computed in O(n log n) from one sort (Sun & Xu 2014, "Fast implementation of DeLong's
 * algorithm for comparing the areas under correlated receiver operating characteristic curves", IEEE Signal
 * Processing Letters 21(11):1389–1393, who derive them from mid-ranks) instead of the O(P·N) pairwise kernel.
 * Results equal pROC's `roc.test(method = "delong", paired = TRUE)` (Robin et al. 2011, BMC Bioinformatics 12:77).
 *
 * Models scored on different test sets are independent samples: see `unpairedAuc.ts`.
 *
 * DeLong treats images as independent. Several radiographs of one patient are not, so with repeated patients the
 * p-value is optimistic; the patient-level paired bootstrap (`pairedBootstrapDifference`) is then the safer figure.
 */

/** Why a comparison could not be made or came out degenerate; shared so tests and verdicts can match them. */
export const COMPARISON_REASONS = {
  oneClass: 'the test set lacks one of the two classes, so there is no AUC to compare',
  tooFewImages: 'DeLong’s variance needs at least two positive and two negative images',
  identical:
    'the two models rank the test images identically (the same placement of every image): there is no difference to test',
  noVariance:
    'the AUC difference does not vary from image to image (e.g. one model gives every image the same score), so DeLong’s standard error is 0 and no p-value can be computed',
  repeatedPatients:
    'some patients have several images; DeLong treats images as independent, so this p-value is optimistic: prefer the patient-level bootstrap of the difference',
} as const

/** How a comparison came out: `ok`, or which degenerate case stopped or shaped it. */
export type ComparisonStatus = 'ok' | 'identical' | 'no-variance' | 'too-few-images' | 'one-class'

/** A confidence interval with its level. */
export interface Interval {
  lower: number
  upper: number
  /** Two-sided confidence level, e.g. 0.95. */
  confidence: number
}

/** DeLong's structural components of one model's AUC. */
export interface DeLongPlacements {
  /** The AUC, equal to the mean of either placement vector. */
  auc: number
  /** For each positive image in input order, the share of negatives it outscores (ties ½): DeLong's V₁₀. */
  positivePlacements: Float64Array
  /** For each negative image in input order, the share of positives that outscore it (ties ½): DeLong's V₀₁. */
  negativePlacements: Float64Array
}

/**
 * DeLong's placements in O(n log n) (Sun & Xu 2014): their identity "rank among all images − rank among the image's
 * own class" counts, for a positive image, the negatives below it plus half the tied ones. One sort and a sweep over
 * tie groups give those counts directly, for both classes at once. Needs both classes present; does not validate.
 */
export function delongPlacements(labels: ArrayLike<number>, scores: ArrayLike<number>): DeLongPlacements {
  // Each image's position within its class, so placements come back in input order.
  const positionInClass = new Uint32Array(labels.length)
  let positives = 0
  let negatives = 0
  for (let index = 0; index < labels.length; index++) positionInClass[index] = labels[index] === 1 ? positives++ : negatives++
  const positivePlacements = new Float64Array(positives)
  const negativePlacements = new Float64Array(negatives)
  const { order, groupEnds } = sortTieGroups(scores)
  let positivesBelow = 0
  let negativesBelow = 0
  let concordance = 0
  let start = 0
  for (const end of groupEnds) {
    let groupPositives = 0
    for (let position = start; position < end; position++) groupPositives += labels[order[position]]
    const groupNegatives = end - start - groupPositives
    const positivePlacement = (negativesBelow + groupNegatives / 2) / negatives
    const negativePlacement = (positives - positivesBelow - groupPositives / 2) / positives
    for (let position = start; position < end; position++) {
      const index = order[position]
      if (labels[index] === 1) positivePlacements[positionInClass[index]] = positivePlacement
      else negativePlacements[positionInClass[index]] = negativePlacement
    }
    concordance += groupPositives * (negativesBelow + groupNegatives / 2)
    positivesBelow += groupPositives
    negativesBelow += groupNegatives
    start = end
  }
  return { auc: concordance / (positives * negatives), positivePlacements, negativePlacements }
}

/** Σ(a − meanA)(b − meanB) / (length − 1): the sample covariance of two placement vectors. */
function covariance(a: Float64Array, meanA: number, b: Float64Array, meanB: number): number {
  let sum = 0
  for (let index = 0; index < a.length; index++) sum += (a[index] - meanA) * (b[index] - meanB)
  return sum / (a.length - 1)
}

/**
 * Whether every value equals the first. Placements are multiples of 1/(2·count), so a tolerance far below that
 * spacing decides "no variance" exactly, without trusting a rounded variance to come out as 0.
 */
function isConstant(values: ArrayLike<number>): boolean {
  for (let index = 1; index < values.length; index++) if (Math.abs(values[index] - values[0]) > 1e-12) return false
  return true
}

/** Whether a − b is the same for every image. */
function constantDifference(a: Float64Array, b: Float64Array): boolean {
  return isConstant(a.map((value, index) => value - b[index]))
}

/** DeLong's variance of one AUC: S₁₀/P + S₀₁/N, exactly 0 when every placement within a class is equal. */
function delongVariance(placements: DeLongPlacements): number {
  const { auc, positivePlacements: x, negativePlacements: y } = placements
  if (isConstant(x) && isConstant(y)) return 0
  return covariance(x, auc, x, auc) / x.length + covariance(y, auc, y, auc) / y.length
}

function classCounts(labels: ArrayLike<number>): { positives: number; negatives: number } {
  let positives = 0
  for (let index = 0; index < labels.length; index++) positives += labels[index]
  return { positives, negatives: labels.length - positives }
}

function sampleStatus(positives: number, negatives: number): { status: ComparisonStatus; reason: string } | undefined {
  if (positives === 0 || negatives === 0) return { status: 'one-class', reason: COMPARISON_REASONS.oneClass }
  if (positives < 2 || negatives < 2) return { status: 'too-few-images', reason: COMPARISON_REASONS.tooFewImages }
  return undefined
}

/** `value` limited to [low, high]: intervals of an AUC stay in [0, 1], of a difference in [−1, 1]. */
export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value))
}

/** One AUC with DeLong's standard error and a normal-theory interval. */
export interface AucWithStandardError {
  auc: number
  /** DeLong's standard error; `NaN` with fewer than two images of a class. */
  standardError: number
  /** AUC ± z·SE, clamped to [0, 1] as pROC's `ci.auc(method = "delong")` does. */
  ci: Interval
  positives: number
  negatives: number
  /** Why `auc` or `standardError` is `NaN`, when one is. */
  undefinedReason?: string
}

/**
 * An AUC with DeLong's standard error and its normal-theory confidence interval (DeLong et al. 1988), the same as
 * pROC's `ci.auc(method = "delong")`. Images are treated as independent.
 * @throws RangeError on invalid labels or scores, or a confidence outside (0, 1).
 */
export function aucWithStandardError(labels: ArrayLike<number>, scores: ArrayLike<number>, confidence = 0.95): AucWithStandardError {
  validateBinaryInput(labels, scores)
  const critical = twoSidedCriticalValue(confidence)
  const { positives, negatives } = classCounts(labels)
  const problem = sampleStatus(positives, negatives)
  if (problem?.status === 'one-class') {
    return { auc: Number.NaN, standardError: Number.NaN, ci: { lower: Number.NaN, upper: Number.NaN, confidence }, positives, negatives, undefinedReason: problem.reason }
  }
  const placements = delongPlacements(labels, scores)
  if (problem) {
    return { auc: placements.auc, standardError: Number.NaN, ci: { lower: Number.NaN, upper: Number.NaN, confidence }, positives, negatives, undefinedReason: problem.reason }
  }
  const standardError = Math.sqrt(delongVariance(placements))
  const auc = placements.auc
  return {
    auc,
    standardError,
    ci: { lower: clamp(auc - critical * standardError, 0, 1), upper: clamp(auc + critical * standardError, 0, 1), confidence },
    positives,
    negatives,
  }
}

/** Labels and two models' scores for the same images, in the same order. */
export interface PairedScoresInput {
  /** Ground truth per image, 0 or 1. */
  labels: ArrayLike<number>
  /** Model A's score per image. */
  scoresA: ArrayLike<number>
  /** Model B's score per image. */
  scoresB: ArrayLike<number>
  /** Patient per image (optional): used only to warn that DeLong ignores repeated patients. */
  patients?: ArrayLike<string>
}

/** DeLong's test of two correlated AUCs. Differences are A − B. */
export interface CorrelatedAucComparison {
  method: 'delong-paired'
  status: ComparisonStatus
  aucA: number
  aucB: number
  /** AUC(A) − AUC(B). */
  difference: number
  /** Standard error of the difference; 0 for `identical`/`no-variance`, `NaN` when it cannot be estimated. */
  standardError: number
  /** difference ± z·SE, clamped to [−1, 1]. */
  ci: Interval
  /** difference / SE; 0 when `identical` (as pROC), `NaN` when undefined. */
  z: number
  /** Two-sided p-value from the normal distribution; 1 when `identical`, `NaN` when undefined. */
  pValue: number
  /** DeLong standard errors of each AUC on its own. */
  standardErrorA: number
  standardErrorB: number
  /** Correlation of the two AUC estimates: the pairing's gain (`NaN` when a variance is 0). */
  correlation: number
  n: number
  positives: number
  negatives: number
  /** Why the test is undefined or degenerate, when it is. */
  undefinedReason?: string
  /** A caveat the reader should see next to the p-value (e.g. repeated patients). */
  note?: string
}

/** Validate the labels and both models' scores, naming the model in the message. */
export function validatePairedScores(input: PairedScoresInput): void {
  withContext('model A', () => validateBinaryInput(input.labels, input.scoresA, input.patients))
  withContext('model B', () => validateBinaryInput(input.labels, input.scoresB))
}

function hasRepeatedPatients(patients: ArrayLike<string> | undefined): boolean {
  return patients !== undefined && new Set(Array.from(patients)).size < patients.length
}

/**
 * DeLong's test for two correlated AUCs (DeLong et al. 1988, Sun & Xu 2014): both AUCs, their difference with its
 * standard error and normal-theory confidence interval, z and the two-sided p-value.
 *
 * Degenerate cases are returned, never thrown: a missing class (`one-class`), fewer than two images of a class
 * (`too-few-images`: the variance is 0/0), identical rankings (`identical`: SE 0 and difference 0; z = 0 and p = 1 as
 * in pROC) and a difference that is the same for every image (`no-variance`: SE 0 but a non-zero difference, e.g. a
 * model that gives every image one score; pROC would report p = 0 there, which is not evidence). Tied scores count ½, as mid-ranks do.
 * Perfect separation by both models is `identical` (every placement is 1).
 *
 * @throws RangeError on invalid labels or scores (the message names the model) or a confidence outside (0, 1).
 */
export function compareCorrelatedAucs(input: PairedScoresInput, options: { confidence?: number } = {}): CorrelatedAucComparison {
  validatePairedScores(input)
  const confidence = options.confidence ?? 0.95
  const critical = twoSidedCriticalValue(confidence)
  const { labels, scoresA, scoresB } = input
  const { positives, negatives } = classCounts(labels)
  const note = hasRepeatedPatients(input.patients) ? COMPARISON_REASONS.repeatedPatients : undefined
  const base = { method: 'delong-paired' as const, n: labels.length, positives, negatives, ...(note ? { note } : {}) }
  const undefinedInterval = { lower: Number.NaN, upper: Number.NaN, confidence }
  const problem = sampleStatus(positives, negatives)
  // Without both classes there are no AUCs; with a single image of a class there are AUCs but no variance.
  const a = problem?.status === 'one-class' ? undefined : delongPlacements(labels, scoresA)
  const b = problem?.status === 'one-class' ? undefined : delongPlacements(labels, scoresB)
  if (problem || !a || !b) {
    const aucA = a?.auc ?? Number.NaN
    const aucB = b?.auc ?? Number.NaN
    const unknown = Number.NaN
    return {
      ...base,
      status: problem?.status ?? 'one-class',
      aucA,
      aucB,
      difference: aucA - aucB,
      standardError: unknown,
      ci: undefinedInterval,
      z: unknown,
      pValue: unknown,
      standardErrorA: unknown,
      standardErrorB: unknown,
      correlation: unknown,
      undefinedReason: problem?.reason ?? COMPARISON_REASONS.oneClass,
    }
  }
  const difference = a.auc - b.auc
  const varianceA = delongVariance(a)
  const varianceB = delongVariance(b)
  const covarianceAB =
    covariance(a.positivePlacements, a.auc, b.positivePlacements, b.auc) / positives +
    covariance(a.negativePlacements, a.auc, b.negativePlacements, b.auc) / negatives
  const flat =
    constantDifference(a.positivePlacements, b.positivePlacements) && constantDifference(a.negativePlacements, b.negativePlacements)
  const standardError = flat ? 0 : Math.sqrt(Math.max(0, varianceA + varianceB - 2 * covarianceAB))
  const shared = {
    ...base,
    aucA: a.auc,
    aucB: b.auc,
    standardErrorA: Math.sqrt(varianceA),
    standardErrorB: Math.sqrt(varianceB),
    correlation: varianceA > 0 && varianceB > 0 ? covarianceAB / Math.sqrt(varianceA * varianceB) : Number.NaN,
  }
  if (standardError === 0) {
    // Constant placement differences mean the difference is their common value: 0 exactly when rankings agree.
    if (Math.abs(difference) < 1e-12) {
      return { ...shared, status: 'identical', difference: 0, standardError: 0, ci: { lower: 0, upper: 0, confidence }, z: 0, pValue: 1, undefinedReason: COMPARISON_REASONS.identical }
    }
    return { ...shared, status: 'no-variance', difference, standardError: 0, ci: undefinedInterval, z: Number.NaN, pValue: Number.NaN, undefinedReason: COMPARISON_REASONS.noVariance }
  }
  const z = difference / standardError
  return {
    ...shared,
    status: 'ok',
    difference,
    standardError,
    ci: { lower: clamp(difference - critical * standardError, -1, 1), upper: clamp(difference + critical * standardError, -1, 1), confidence },
    z,
    pValue: twoSidedNormalPValue(z),
  }
}
