import { createRandom } from '../metrics/random'
import { groupByPatient } from './patientGroups'
import { shuffle } from './random'
import type { LabeledImage } from './types'

/** Images drawn from a borrow pool for one split, and what is left for the next split. */
export interface BorrowDraw {
  drawn: LabeledImage[]
  rest: LabeledImage[]
  /** Images asked for but not drawn (pool too small, or only patients too large for the last few). */
  shortfall: number
}

/**
 * Draw up to `count` COVID− images from a borrow pool, whole patients at a time, never more than asked.
 *
 * The composition calls this once per split — test, then validation, then train — each time on what the
 * previous draws left, so the borrowed images are themselves split by patient: no borrowed patient is on two
 * sides. This is the paper's procedure (its code splits RSNA 70/30 then 80/20 and samples `delta` images from
 * each part, `balance_corda_with_other`) with one difference: drawing straight from the shared pool cannot fail
 * because one part of a small pool ran out while another part had images to spare.
 * Why test first: if the pool is short, evaluation sets stay balanced and the shortfall falls on training,
 * where subsampling can still balance.
 * Why never overshoot: "up to the positive count" — a split never gets more borrowed negatives than it lacks.
 * @param pool candidate COVID− images (already patient-disjoint from the primary datasets by dataset scope).
 * @param count images wanted.
 * @param seed seed of this draw.
 */
export function drawNegatives(pool: readonly LabeledImage[], count: number, seed: number): BorrowDraw {
  if (count <= 0 || pool.length === 0) return { drawn: [], rest: pool.slice(), shortfall: Math.max(0, count) }
  const taken = new Set<LabeledImage>()
  let drawnCount = 0
  for (const group of shuffle(groupByPatient(pool), createRandom(seed))) {
    if (drawnCount === count) break
    if (drawnCount + group.records.length > count) continue
    for (const record of group.records) taken.add(record)
    drawnCount += group.records.length
  }
  return {
    drawn: pool.filter((record) => taken.has(record)),
    rest: pool.filter((record) => !taken.has(record)),
    shortfall: count - drawnCount,
  }
}
