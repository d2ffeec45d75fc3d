import { assertBinaryMask, assertSameMaskSize, type BinaryMask } from './binaryMask'

/** Pixel counts behind the overlap measures. */
export interface OverlapCounts {
  /** Inside both masks. */
  intersection: number
  /** Inside the first mask. */
  firstArea: number
  /** Inside the second mask. */
  secondArea: number
}

/** Counts the pixels inside each mask and inside both. Sizes must match. */
export function overlapCounts(first: BinaryMask, second: BinaryMask): OverlapCounts {
  assertBinaryMask(first, 'first mask')
  assertBinaryMask(second, 'second mask')
  assertSameMaskSize(first, second, 'first mask', 'second mask')
  let intersection = 0
  let firstArea = 0
  let secondArea = 0
  const a = first.data
  const b = second.data
  for (let index = 0; index < a.length; index++) {
    const inFirst = a[index] !== 0
    const inSecond = b[index] !== 0
    if (inFirst) firstArea++
    if (inSecond) secondArea++
    if (inFirst && inSecond) intersection++
  }
  return { intersection, firstArea, secondArea }
}

/**
 * Dice coefficient (Sørensen–Dice) of two binary masks: 2|A ∩ B| / (|A| + |B|), in [0, 1], symmetric.
 *
 * Empty vs empty is defined as 1: both masks agree that there is nothing, which is a perfect answer (e.g. a
 * QA check on a non-chest image), and 0 or NaN would punish or poison an average over images. Empty vs
 * non-empty is 0 by the formula.
 */
export function diceCoefficient(first: BinaryMask, second: BinaryMask): number {
  const { intersection, firstArea, secondArea } = overlapCounts(first, second)
  const total = firstArea + secondArea
  return total === 0 ? 1 : (2 * intersection) / total
}

/**
 * Intersection over union (Jaccard index) of two binary masks: |A ∩ B| / |A ∪ B|, in [0, 1], symmetric.
 * Empty vs empty is 1, for the same reason as {@link diceCoefficient}; the two are related by
 * IoU = Dice / (2 − Dice).
 */
export function intersectionOverUnion(first: BinaryMask, second: BinaryMask): number {
  const { intersection, firstArea, secondArea } = overlapCounts(first, second)
  const union = firstArea + secondArea - intersection
  return union === 0 ? 1 : intersection / union
}
