/**
 * Integer arithmetic of splits, shared by the train/test split and the subsampling of a class.
 */

/**
 * How many of `size` items a held-out fraction takes: ⌈fraction × size⌉, the rule of scikit-learn's
 * `train_test_split` (`n_test = ceil(test_size × n)`), which the paper's code used. Why that rule: it is the
 * one that reproduces Table I — CORDA COVID+ 297 × 0.3 = 89.1 → 90 test images, then 207 × 0.2 = 41.4 → 42
 * validation images (Table I's 126 = 84 balanced training + 42 validation).
 * The 1e-9 slack stops a binary-float product such as 0.7 × 10 = 7.000000000000001 from rounding up to 8.
 * @param size number of items.
 * @param fraction share held out, in (0, 1).
 */
export function heldOutCount(size: number, fraction: number): number {
  return Math.min(size, Math.max(0, Math.ceil(size * fraction - 1e-9)))
}

/**
 * Split an integer total across parts in proportion to their weights, by largest remainder: each part gets
 * ⌊total × weight / Σweights⌋ and the units left over go to the largest fractional remainders. This is the
 * apportionment scikit-learn uses for stratified splits (`_approximate_mode`), except that remainder ties go
 * to the heavier part and then to the earlier part instead of being drawn at random, so the counts are a
 * function of the sizes alone and can be shown before any image is drawn.
 * @param total the integer to split (≥ 0, ≤ Σweights when weights are counts).
 * @param weights non-negative weights, one per part.
 * @returns one integer per part, summing to `total` (or all zero when every weight is zero).
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((accumulator, weight) => accumulator + weight, 0)
  if (sum <= 0 || total <= 0) return weights.map(() => 0)
  const exact = weights.map((weight) => (total * weight) / sum)
  const shares = exact.map((value) => Math.floor(value + 1e-9))
  let left = total - shares.reduce((accumulator, share) => accumulator + share, 0)
  const order = exact
    .map((value, index) => ({ index, remainder: value - shares[index], weight: weights[index] }))
    .sort((a, b) => b.remainder - a.remainder || b.weight - a.weight || a.index - b.index)
  for (const { index } of order) {
    if (left <= 0) break
    shares[index] += 1
    left -= 1
  }
  return shares
}
