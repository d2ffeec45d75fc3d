import type { AucResult, RocPoint } from './types'
import { validateBinaryInput } from './validate'

/**
 * ROC analysis: exact AUC and the empirical ROC curve.
 *
 * AUC is computed exactly as the Mann–Whitney U statistic divided by P·N
 * (Bamber 1975, J Math Psychol 12:387; Hanley & McNeil 1982, Radiology
 * 143:29), i.e. the probability that a random positive scores higher than a
 * random negative, with tied pairs counting 1/2. That equals the trapezoidal
 * area under the tie-collapsed ROC curve, and `sklearn.metrics.roc_auc_score`.
 */

/** Reason strings for an undefined AUC / ROC, shared with tests and UIs. */
export const AUC_UNDEFINED_REASONS = {
  noPositives: 'no positive cases: AUC needs both classes',
  noNegatives: 'no negative cases: AUC needs both classes',
  noCases: 'no cases',
} as const

function oneClassReason(positives: number, negatives: number): string | undefined {
  if (positives === 0 && negatives === 0) return AUC_UNDEFINED_REASONS.noCases
  if (positives === 0) return AUC_UNDEFINED_REASONS.noPositives
  if (negatives === 0) return AUC_UNDEFINED_REASONS.noNegatives
  return undefined
}

/**
 * Case indices sorted by ascending score, plus the end (exclusive) of every
 * run of equal scores. Sorting once and sweeping tie groups is what makes both
 * the exact AUC and each bootstrap replicate cheap.
 */
export interface SortedTieGroups {
  /** Case indices in ascending score order. */
  order: Uint32Array
  /** `groupEnds[g]` is the exclusive end in `order` of the g-th tie group. */
  groupEnds: Uint32Array
}

/**
 * Sort cases by score (O(n log n)) and delimit runs of tied scores.
 * Does not validate; callers validate first.
 */
export function sortTieGroups(scores: ArrayLike<number>): SortedTieGroups {
  const n = scores.length
  const values = Float64Array.from({ length: n }, (_, index) => scores[index])
  const order = new Uint32Array(n)
  for (let index = 0; index < n; index++) order[index] = index
  order.sort((a, b) => values[a] - values[b])
  const ends: number[] = []
  for (let position = 1; position <= n; position++) {
    if (position === n || values[order[position]] !== values[order[position - 1]]) ends.push(position)
  }
  return { order, groupEnds: Uint32Array.from(ends) }
}

/**
 * Exact ROC AUC via the Mann–Whitney U statistic with average (mid-)ranks
 * for ties: U = R₊ − P(P+1)/2, AUC = U / (P·N), where R₊ is the rank sum of
 * the positives. O(n log n). All scores equal → 0.5.
 *
 * @returns `{ auc, positives, negatives }`; `auc` is `NaN` with a reason when
 *   only one class is present (the AUC compares the two classes, so it does
 *   not exist with one).
 * @throws RangeError on invalid labels/scores (see `validateBinaryInput`).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): AucResult {
  validateBinaryInput(labels, scores)
  let positives = 0
  for (let index = 0; index < labels.length; index++) positives += labels[index]
  const negatives = labels.length - positives
  const reason = oneClassReason(positives, negatives)
  if (reason) return { auc: Number.NaN, positives, negatives, undefinedReason: reason }

  const { order, groupEnds } = sortTieGroups(scores)
  let positiveRankSum = 0
  let start = 0
  for (const end of groupEnds) {
    // 1-based ranks start+1 … end share their mean.
    const averageRank = (start + 1 + end) / 2
    let positivesInGroup = 0
    for (let position = start; position < end; position++) positivesInGroup += labels[order[position]]
    positiveRankSum += positivesInGroup * averageRank
    start = end
  }
  const u = positiveRankSum - (positives * (positives + 1)) / 2
  return { auc: u / (positives * negatives), positives, negatives }
}

/**
 * AUC of a weighted sample, given pre-sorted tie groups. With integer weights
 * this equals `rocAuc` on the data with case i repeated `weights[i]` times —
 * exactly what a bootstrap replicate is — but costs O(n) instead of a re-sort.
 *
 * Sweeping tie groups in ascending score order, each positive beats every
 * negative below its group and ties half of the negatives inside it.
 *
 * @returns the AUC, or `NaN` when the weighted sample lacks a class.
 */
export function weightedAuc(
  groups: SortedTieGroups,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
): number {
  const { order, groupEnds } = groups
  let negativesBelow = 0
  let positivesTotal = 0
  let concordant = 0
  let start = 0
  for (let g = 0; g < groupEnds.length; g++) {
    const end = groupEnds[g]
    let groupPositives = 0
    let groupNegatives = 0
    for (let position = start; position < end; position++) {
      const index = order[position]
      const weight = weights[index]
      if (labels[index] === 1) groupPositives += weight
      else groupNegatives += weight
    }
    concordant += groupPositives * (negativesBelow + groupNegatives / 2)
    negativesBelow += groupNegatives
    positivesTotal += groupPositives
    start = end
  }
  const pairs = positivesTotal * negativesBelow
  return pairs === 0 ? Number.NaN : concordant / pairs
}

/**
 * Empirical ROC curve with tied scores collapsed into one step — the same
 * points as `sklearn.metrics.roc_curve(y, s, drop_intermediate=False)`.
 *
 * Points are ordered by decreasing threshold. The first point is
 * `{ fpr: 0, tpr: 0, threshold: Infinity }` ("call nothing positive"), as in
 * sklearn ≥ 1.3 (sklearn ≤ 1.2 used max(score)+1 there). Each later point is
 * an observed score t with cases `score >= t` called positive; the last is
 * `{ fpr: 1, tpr: 1 }` at the minimum score.
 *
 * With only one class present, the rate whose denominator is 0 is `NaN` at
 * every point (sklearn returns the same, with a warning); check `rocAuc`'s
 * `undefinedReason`. An empty input gives just the initial point.
 *
 * @throws RangeError on invalid labels/scores.
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocPoint[] {
  validateBinaryInput(labels, scores)
  let positives = 0
  for (let index = 0; index < labels.length; index++) positives += labels[index]
  const negatives = labels.length - positives
  const { order, groupEnds } = sortTieGroups(scores)
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY }]
  let truePositives = 0
  let falsePositives = 0
  // Walk tie groups from the highest score down, lowering the threshold one
  // distinct score at a time.
  let end = labels.length
  for (let g = groupEnds.length - 1; g >= 0; g--) {
    const start = g === 0 ? 0 : groupEnds[g - 1]
    for (let position = start; position < end; position++) {
      if (labels[order[position]] === 1) truePositives++
      else falsePositives++
    }
    points.push({
      fpr: negatives === 0 ? Number.NaN : falsePositives / negatives,
      tpr: positives === 0 ? Number.NaN : truePositives / positives,
      threshold: scores[order[start]],
    })
    end = start
  }
  return points
}
