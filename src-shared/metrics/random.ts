/**
 * A small seeded pseudo-random generator, so bootstrap intervals are
 * reproducible across runs, machines and the main/renderer processes
 * (`Math.random` cannot be seeded).
 *
 * Generator: xoshiro128** 1.1 (Blackman & Vigna 2018, "Scrambled linear
 * pseudorandom number generators", https://prng.di.unimi.it/), 128-bit state,
 * period 2¹²⁸−1 — ample for 2000 × 10⁵ draws, unlike the 2³² period of
 * mulberry32. The state is seeded from a 32-bit seed with SplitMix32 so that
 * nearby seeds (1, 2, 3…) give unrelated streams and the state is never all 0.
 */

/** A source of uniform doubles in [0, 1). */
export type RandomSource = () => number

/** SplitMix32 step: expands one 32-bit seed into well-mixed state words. */
function splitMix32(state: { value: number }): number {
  state.value = (state.value + 0x9e3779b9) | 0
  let z = state.value
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/**
 * Create a seeded xoshiro128** generator returning doubles in [0, 1) with 32
 * bits of resolution.
 * @param seed any number; it is truncated to a 32-bit integer.
 * @throws RangeError when `seed` is not a finite number.
 */
export function createRandom(seed: number): RandomSource {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RangeError(`seed must be a finite number, got ${String(seed)}`)
  }
  const mixer = { value: seed | 0 }
  const state: [number, number, number, number] = [
    splitMix32(mixer),
    splitMix32(mixer),
    splitMix32(mixer),
    splitMix32(mixer),
  ]
  if (state.every((word) => word === 0)) state[0] = 1 // astronomically unlikely, but all-zero is a fixed point
  const next = xoshiro128StarStar(state)
  return () => next() / 4294967296
}

/**
 * Raw xoshiro128** generator from an explicit 128-bit state, returning
 * unsigned 32-bit integers. Exposed so it can be checked against the
 * reference C implementation's output; use {@link createRandom} otherwise.
 * @param state four 32-bit words, not all zero (copied, not mutated).
 * @throws RangeError when the state is all zero (a fixed point of the generator).
 */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): () => number {
  let [s0, s1, s2, s3] = state.map((word) => word >>> 0)
  if ((s0 | s1 | s2 | s3) === 0) throw new RangeError('xoshiro128** state must not be all zero')
  return () => {
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 11)
    return result
  }
}

function rotateLeft(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/**
 * mulberry32: 32 bits of state, tiny and fast, for shuffles and augmentation where a 2³² period is ample.
 * Training runs draw their data order and augmentations from it, so a resumed run replays the same batches: its
 * output for a given seed must never change.
 */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * FNV-1a over the code points of `text`, as an unsigned 32-bit integer: how seeds for named steps are derived
 * (stable across platforms and versions, unlike a hash of object identity or insertion order).
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5
  for (const character of text) {
    hash ^= character.codePointAt(0) ?? 0
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/**
 * Uniform integer in [0, n) from a random source. Multiplying a 32-bit
 * uniform by n has bias at most n/2³², negligible for n ≪ 2³² (cohort sizes).
 */
export function randomInteger(random: RandomSource, n: number): number {
  return Math.floor(random() * n)
}
