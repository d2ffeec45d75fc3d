/**
 * Seeded randomness for data order and augmentation. Every draw is a pure function of (seed, phase, epoch,
 * step), never of how many draws came before, so a resumed run replays exactly the batches and augmentations
 * the uninterrupted run would have seen.
 */
import { fnv1a32, mulberry32 } from '@shared/metrics/random'

/** Mixes numbers and names into one 32-bit seed (FNV-1a over their text joined by '|'). */
export function mixSeed(...parts: (number | string)[]): number {
  return fnv1a32(parts.join('|'))
}

/** The order of `count` items in one epoch: a Fisher–Yates shuffle seeded by (seed, phase, epoch). */
export function epochOrder(count: number, seed: number, phase: string, epoch: number): number[] {
  const random = mulberry32(mixSeed(seed, phase, 'order', epoch))
  const order = Array.from({ length: count }, (_, index) => index)
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1))
    ;[order[index], order[other]] = [order[other], order[index]]
  }
  return order
}

/**
 * Steps per epoch: full batches only (the last partial batch is dropped, as `drop_last`), since a batch of one
 * makes batch-norm statistics meaningless; a set smaller than one batch is one step over all of it.
 */
export function stepsPerEpoch(count: number, batchSize: number): number {
  return count >= batchSize ? Math.floor(count / batchSize) : count > 0 ? 1 : 0
}

/** The item indices of one step. */
export function batchIndices(order: readonly number[], step: number, batchSize: number): number[] {
  return order.slice(step * batchSize, (step + 1) * batchSize)
}
