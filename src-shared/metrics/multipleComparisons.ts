/**
 * Adjusting p-values when a study makes many comparisons at once: with 20 comparisons at α = 0.05, one "significant"
 * result is expected by chance alone.
 *
 * - Holm 1979, "A simple sequentially rejective multiple test procedure", Scand J Statist 6:65–70: controls the
 *   family-wise error rate (the chance of any false claim) under any dependence between the tests, and is uniformly
 *   more powerful than Bonferroni. The default.
 * - Benjamini & Hochberg 1995, "Controlling the false discovery rate", JRSS-B 57:289–300: controls the expected share
 *   of false claims among the claims; valid for independent or positively dependent tests. For screening.
 *
 * Adjusted p-values are in the form of Wright 1992 (Biometrics 48:1005–1013), the same as R's `p.adjust` and
 * statsmodels' `multipletests`: compare each adjusted value with α directly. They are monotone in the raw p-values
 * and capped at 1.
 *
 * p-values that are `NaN` (a test that could not be computed) are not hypotheses that were tested: they stay `NaN`
 * and do not count in the number of comparisons m.
 */

/** Which adjustment. */
export type MultipleComparisonMethod = 'holm' | 'benjamini-hochberg'

/** Adjusted p-values in the input order, with what produced them. */
export interface AdjustedPValues {
  method: MultipleComparisonMethod
  /** Comparisons counted (the p-values that are not `NaN`). */
  comparisons: number
  /** One adjusted value per input p-value, same order. */
  adjusted: number[]
}

function checkPValues(pValues: readonly number[]): void {
  pValues.forEach((value, index) => {
    if (typeof value !== 'number' || (!Number.isNaN(value) && !(value >= 0 && value <= 1))) {
      throw new RangeError(`p-value ${index + 1} must be between 0 and 1 (or NaN for a test that could not be computed), got ${String(value)}`)
    }
  })
}

/**
 * Validate, then the indices of the defined p-values by ascending p (stable, so ties keep input order), their count m
 * and an all-NaN output to fill.
 */
function prepare(pValues: readonly number[]): { order: number[]; m: number; adjusted: number[] } {
  checkPValues(pValues)
  const order = pValues
    .map((value, index) => ({ value, index }))
    .filter(({ value }) => !Number.isNaN(value))
    .sort((left, right) => left.value - right.value || left.index - right.index)
    .map(({ index }) => index)
  return { order, m: order.length, adjusted: pValues.map(() => Number.NaN) }
}

/**
 * Holm's step-down adjustment: with p₍₁₎ ≤ … ≤ p₍ₘ₎, adjusted p₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎).
 * @throws RangeError when a p-value is outside [0, 1] (NaN is allowed: see the module note).
 */
export function holmAdjust(pValues: readonly number[]): AdjustedPValues {
  const { order, m, adjusted } = prepare(pValues)
  let running = 0
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]))
    adjusted[index] = running
  })
  return { method: 'holm', comparisons: m, adjusted }
}

/**
 * Benjamini–Hochberg's step-up adjustment: adjusted p₍ᵢ₎ = min over j ≥ i of min(1, m·p₍ⱼ₎ / j).
 * @throws RangeError when a p-value is outside [0, 1] (NaN is allowed).
 */
export function benjaminiHochbergAdjust(pValues: readonly number[]): AdjustedPValues {
  const { order, m, adjusted } = prepare(pValues)
  let running = 1
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank]
    running = Math.min(running, (m * pValues[index]) / (rank + 1))
    adjusted[index] = Math.min(1, running)
  }
  return { method: 'benjamini-hochberg', comparisons: m, adjusted }
}

/** Adjust with the named method (Holm by default). */
export function adjustPValues(pValues: readonly number[], method: MultipleComparisonMethod = 'holm'): AdjustedPValues {
  return method === 'holm' ? holmAdjust(pValues) : benjaminiHochbergAdjust(pValues)
}
