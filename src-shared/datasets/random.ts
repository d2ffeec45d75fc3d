import { createRandom, fnv1a32, randomInteger } from '../metrics/random'
import type { RandomSource } from '../metrics/random'

/**
 * Seed plumbing for compositions. The generator itself is the project's xoshiro128** in
 * `src-shared/metrics/random.ts`; this file only derives per-step seeds and shuffles.
 */

/**
 * A seed for one named step of a composition (e.g. `test/<datasetId>`), derived from the composition seed by
 * FNV-1a over `seed:step`. Why per step: the CORDA test set then depends only on CORDA and the seed, so it is
 * the same set in every CORDA composition (as in the paper's code, which split CORDA once), and adding a borrow
 * dataset cannot reshuffle it.
 * @param seed the composition seed.
 * @param step a stable name of the random step.
 */
export function deriveSeed(seed: number, step: string): number {
  return fnv1a32(`${seed}:${step}`) | 0
}

/**
 * Fisher–Yates shuffle into a new array (the input is not mutated).
 * @param items what to shuffle.
 * @param random the seeded source.
 */
export function shuffle<T>(items: readonly T[], random: RandomSource): T[] {
  const result = items.slice()
  for (let index = result.length - 1; index > 0; index -= 1) {
    const other = randomInteger(random, index + 1)
    const kept = result[index]
    result[index] = result[other]
    result[other] = kept
  }
  return result
}

/**
 * A seeded source for one named step of a composition.
 * @param seed the composition seed.
 * @param step a stable name of the random step.
 */
export function randomForStep(seed: number, step: string): RandomSource {
  return createRandom(deriveSeed(seed, step))
}
