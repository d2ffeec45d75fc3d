import { fnv1a32 } from '@shared/metrics/random'

/** Draws the seed of the next initialiser in build order; undefined when the model is built unseeded. */
export type InitializerSeeds = () => number | undefined

/**
 * Seeds for a model's weight initialisers, one per layer in build order, each a hash of (run seed, stream,
 * layer index) in [1, 2³¹ − 1].
 *
 * Why hashed rather than seed, seed + 1, …: TensorFlow.js treats a seed of 0 as no seed at all in its normal
 * and truncated-normal draws (`seed ? seed : Math.random()` in tfjs-core's rand_util), so a run with seed 0 (the
 * default) started from different weights every time, and a negative seed hit 0 a few layers in. And with
 * consecutive seeds, layer k + 1 of seed s drew the same numbers as layer k of seed s + 1: a study's seeds 0–4
 * were not independent starts. A hash of the three parts gives every (seed, layer) its own stream and is never 0.
 * @param seed the run's seed; undefined builds an unseeded model (tests of shapes only).
 * @param stream which part of the model ('encoder', 'head-3', 'unet'), so parts built from one seed differ.
 */
export function initializerSeeds(seed: number | undefined, stream: string): InitializerSeeds {
  if (seed === undefined) return () => undefined
  let index = 0
  return () => (fnv1a32(`${seed}|${stream}|${index++}`) % 2_147_483_647) + 1
}
