import { AUC_UNDEFINED_REASONS, rocCurve } from './auc'

/** The threshold maximising Youden's J on a labelled set. */
export interface YoudenThreshold {
  /** Best threshold (cases with score >= threshold are positive); `NaN` when undefined. */
  threshold: number
  /** J = sensitivity + specificity − 1 at that threshold. */
  youdenIndex: number
  /** Sensitivity (TPR) at that threshold. */
  sensitivity: number
  /** Specificity (1 − FPR) at that threshold. */
  specificity: number
  /** How many distinct candidate thresholds reach the maximal J (1 = unique). */
  tiedThresholds: number
  /** Explanation of the tie-break, present when `tiedThresholds > 1`. */
  tieBreak?: string
  /** Why the threshold is undefined (`NaN`), when it is. */
  undefinedReason?: string
}

/** Wording of the tie-break note; exported so UIs and tests can match it. */
export const YOUDEN_TIE_BREAK =
  'several thresholds reach the maximal J; the highest is chosen because it calls fewer cases positive ' +
  '(higher specificity at the same J) and is deterministic'

/**
 * Threshold maximising Youden's J = TPR − FPR (Youden 1950, Cancer 3:32;
 * Fluss, Faraggi & Reiser 2005, Biom J 47:458), searched over the observed
 * scores (the vertices of the tie-collapsed ROC curve), with cases
 * `score >= threshold` called positive.
 *
 * Ties in J: the highest threshold wins. Among thresholds with equal J, the
 * highest one makes the fewest positive calls — in screening for COVID-19 in
 * a low-prevalence population that favours specificity at no cost in J — and
 * picking an extreme is reproducible where "the middle one" is not.
 * The ROC's "call nothing positive" point (threshold `Infinity`, J = 0) is
 * not a candidate: it is not a usable operating point.
 *
 * Note that a threshold chosen on a test set is optimistically biased for
 * that set; choose it on validation data and apply it to test data.
 *
 * @returns the threshold, or `NaN` values with a reason when a class is missing.
 * @throws RangeError on invalid labels/scores.
 */
export function youdenThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>): YoudenThreshold {
  const points = rocCurve(labels, scores)
  let positives = 0
  for (let index = 0; index < labels.length; index++) positives += labels[index]
  const negatives = labels.length - positives
  if (positives === 0 || negatives === 0) {
    const undefinedReason =
      labels.length === 0
        ? AUC_UNDEFINED_REASONS.noCases
        : positives === 0
          ? 'no positive cases: Youden’s J needs both classes'
          : 'no negative cases: Youden’s J needs both classes'
    return {
      threshold: Number.NaN,
      youdenIndex: Number.NaN,
      sensitivity: Number.NaN,
      specificity: Number.NaN,
      tiedThresholds: 0,
      undefinedReason,
    }
  }
  // Points come in decreasing threshold order, so a strict ">" keeps the
  // highest threshold among equal maxima. J is compared as an exact rational
  // (TP·N − FP·P) / (P·N) via its integer numerator to avoid rounding ties apart.
  let bestIndex = -1
  let bestNumerator = Number.NEGATIVE_INFINITY
  let tiedThresholds = 0
  for (let index = 1; index < points.length; index++) {
    const point = points[index]
    const numerator = Math.round(point.tpr * positives) * negatives - Math.round(point.fpr * negatives) * positives
    if (numerator > bestNumerator) {
      bestNumerator = numerator
      bestIndex = index
      tiedThresholds = 1
    } else if (numerator === bestNumerator) {
      tiedThresholds++
    }
  }
  const best = points[bestIndex]
  const result: YoudenThreshold = {
    threshold: best.threshold,
    youdenIndex: bestNumerator / (positives * negatives),
    sensitivity: best.tpr,
    specificity: 1 - best.fpr,
    tiedThresholds,
  }
  if (tiedThresholds > 1) result.tieBreak = YOUDEN_TIE_BREAK
  return result
}
