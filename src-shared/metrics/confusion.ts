import type { ConfusionMatrix } from './types'
import { validateBinaryInput, validateThreshold } from './validate'

/**
 * Build the 2×2 confusion matrix of a thresholded score.
 *
 * A case is called positive when `score >= threshold` (inclusive, the same
 * convention as `sklearn.metrics.roc_curve` thresholds), so a score exactly
 * equal to the threshold counts as positive. The paper (Tartaglione et al.
 * 2020, Sec. IV) fixes the threshold at 0.5 for every metric except AUC.
 *
 * @param labels ground truth, each 0 or 1 (1 = positive, e.g. COVID+).
 * @param scores model scores, each finite.
 * @param threshold decision threshold; default 0.5.
 * @returns `{ tp, fp, tn, fn }` counts.
 * @throws RangeError on mismatched lengths, a label outside {0, 1}, a non-finite
 *   score or a `NaN` threshold; the message names the field and index.
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): ConfusionMatrix {
  validateBinaryInput(labels, scores)
  validateThreshold(threshold)
  let tp = 0
  let fp = 0
  let tn = 0
  let fn = 0
  for (let index = 0; index < labels.length; index++) {
    const predictedPositive = scores[index] >= threshold
    if (labels[index] === 1) {
      if (predictedPositive) tp++
      else fn++
    } else if (predictedPositive) fp++
    else tn++
  }
  return { tp, fp, tn, fn }
}
