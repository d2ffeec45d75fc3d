/** Numeric helpers shared by the backend comparison tests. */

/** Deterministic values in [-1, 1) (or [0, 1) with `unit`): reproducible failures, no test-order coupling. */
export function pseudoRandom(count: number, seed: number, range: 'signed' | 'unit' = 'signed'): Float32Array {
  const values = new Float32Array(count)
  let state = seed >>> 0
  for (let index = 0; index < count; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    values[index] = range === 'signed' ? state / 2 ** 31 - 1 : state / 2 ** 32
  }
  return values
}

/** max |actual − expected| / max |expected| (Infinity when the lengths differ). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity
  let largestDifference = 0
  let largestExpected = 0
  for (let index = 0; index < expected.length; index++) {
    largestDifference = Math.max(largestDifference, Math.abs(actual[index] - expected[index]))
    largestExpected = Math.max(largestExpected, Math.abs(expected[index]))
  }
  return largestDifference / Math.max(largestExpected, 1e-6)
}
