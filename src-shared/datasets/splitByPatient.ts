import { createRandom } from '../metrics/random'
import { apportion, heldOutCount } from './apportion'
import { CompositionError } from './errors'
import { groupByPatient, majorityClass } from './patientGroups'
import type { PatientGroup } from './patientGroups'
import { shuffle } from './random'
import type { ImageRecord } from './types'

/** How {@link splitByPatient} holds images out. */
export interface SplitByPatientOptions<T extends ImageRecord> {
  /** Share of images held out, in (0, 1); required unless `heldOutCounts` fixes every class. */
  fraction?: number
  seed: number
  /** Keep each class's share (default true). Off: one stratum named `all`. */
  stratify?: boolean
  /** An image's class for stratification (default: its dataset label). */
  classOf?: (record: T) => string
  /** Fixed held-out image counts for some classes, replacing the fraction for them (the COVID-ChestXRay test set). */
  heldOutCounts?: Readonly<Record<string, number>>
  /** Images that must be held out; their whole patient group goes with them and counts toward the target. */
  mustHoldOut?: (record: T) => boolean
}

/** Target and outcome for one class. Counts are images; `patients` counts patient groups. */
export interface StratumSplit {
  stratum: string
  images: number
  patients: number
  target: number
  achieved: number
  /** Largest patient group of the class: the achieved count is within one group of the target, |achieved − target| < this. */
  largestPatient: number
}

/** Two patient-disjoint sides, in input order, plus the per-class arithmetic. */
export interface PatientSplit<T extends ImageRecord> {
  heldOut: T[]
  remaining: T[]
  strata: StratumSplit[]
}

/**
 * Split images in two with no patient on both sides, stratified by class.
 *
 * Rules, in order:
 * 1. Unit: patient groups ({@link groupByPatient}; patients sharing an identical image are one group).
 * 2. A group's class is the majority class of its images ({@link majorityClass}).
 * 3. Targets in images: ⌈fraction × N⌉ held out in total (scikit-learn's rule, which reproduces Table I),
 *    apportioned to classes by largest remainder; classes in `heldOutCounts` get their fixed count instead.
 * 4. Groups are shuffled with the seeded xoshiro128** generator; each group joins the held-out side if its
 *    class's count plus its size does not pass the target (first fit), so targets are hit exactly whenever
 *    small patients allow it. If a class ends short by g images, its smallest unused group is added when that
 *    lands closer (size − g < g). Hence |achieved − target| < the class's largest group.
 * First fit is slightly biased toward small patients late in the pass; with one or two images per patient
 * (CORDA: 447 images, 386 patients) that bias is negligible, and it buys exact Table I counts.
 * @param records images to split (typically one dataset).
 * @param options fraction or fixed counts, seed, stratification.
 * @throws CompositionError `invalid-fraction` for a fraction outside (0, 1); `invalid-test-policy` for a
 *   fixed count larger than its class or for a class without fraction or count.
 */
export function splitByPatient<T extends ImageRecord>(records: readonly T[], options: SplitByPatientOptions<T>): PatientSplit<T> {
  const { fraction, seed, heldOutCounts = {}, mustHoldOut } = options
  if (fraction !== undefined && !(fraction > 0 && fraction < 1)) {
    throw new CompositionError('invalid-fraction', `The held-out fraction must be strictly between 0 and 1 (got ${fraction}).`, [String(fraction)])
  }
  const classOf = options.stratify === false ? () => 'all' : (options.classOf ?? ((record: T) => record.label))

  const classSizes = new Map<string, number>()
  for (const record of records) classSizes.set(classOf(record), (classSizes.get(classOf(record)) ?? 0) + 1)
  const groups = groupByPatient(records).map((group) => ({ group, stratum: majorityClass(group.records, classOf, classSizes) }))

  const strata = [...new Set(groups.map((entry) => entry.stratum))].sort()
  const imagesOf = (stratum: string) =>
    groups.filter((entry) => entry.stratum === stratum).reduce((sum, entry) => sum + entry.group.records.length, 0)
  const targets = computeTargets(strata, imagesOf, fraction, heldOutCounts)

  const achieved = new Map(strata.map((stratum) => [stratum, 0]))
  const held = new Set<PatientGroup<T>>()
  const take = (entry: { group: PatientGroup<T>; stratum: string }) => {
    held.add(entry.group)
    achieved.set(entry.stratum, (achieved.get(entry.stratum) ?? 0) + entry.group.records.length)
  }
  const order = shuffle(groups, createRandom(seed))
  if (mustHoldOut) for (const entry of order) if (entry.group.records.some(mustHoldOut)) take(entry)
  for (const entry of order) {
    if (held.has(entry.group)) continue
    if ((achieved.get(entry.stratum) ?? 0) + entry.group.records.length <= (targets.get(entry.stratum) ?? 0)) take(entry)
  }
  for (const stratum of strata) {
    const gap = (targets.get(stratum) ?? 0) - (achieved.get(stratum) ?? 0)
    if (gap <= 0) continue
    const unused = order.filter((entry) => entry.stratum === stratum && !held.has(entry.group))
    // The smallest unused group, earliest in shuffled order among equals: still a seeded choice.
    const smallest = unused.reduce<(typeof unused)[number] | undefined>(
      (best, entry) => (!best || entry.group.records.length < best.group.records.length ? entry : best),
      undefined,
    )
    if (smallest && smallest.group.records.length - gap < gap) take(smallest)
  }

  const heldRecords = new Set<T>()
  for (const group of held) for (const record of group.records) heldRecords.add(record)
  return {
    heldOut: records.filter((record) => heldRecords.has(record)),
    remaining: records.filter((record) => !heldRecords.has(record)),
    strata: strata.map((stratum) => {
      const members = groups.filter((entry) => entry.stratum === stratum)
      return {
        stratum,
        images: imagesOf(stratum),
        patients: members.length,
        target: targets.get(stratum) ?? 0,
        achieved: achieved.get(stratum) ?? 0,
        largestPatient: members.reduce((largest, entry) => Math.max(largest, entry.group.records.length), 0),
      }
    }),
  }
}

/** Per-class held-out targets: fixed counts where given, the apportioned ⌈fraction × N⌉ elsewhere. */
function computeTargets(
  strata: readonly string[],
  imagesOf: (stratum: string) => number,
  fraction: number | undefined,
  heldOutCounts: Readonly<Record<string, number>>,
): Map<string, number> {
  const targets = new Map<string, number>()
  for (const [stratum, count] of Object.entries(heldOutCounts)) {
    const available = strata.includes(stratum) ? imagesOf(stratum) : 0
    if (!Number.isInteger(count) || count < 0 || count > available) {
      throw new CompositionError(
        'invalid-test-policy',
        `Cannot hold out ${count} images of class "${stratum}": it has ${available}.`,
        [stratum],
      )
    }
    targets.set(stratum, count)
  }
  const free = strata.filter((stratum) => !targets.has(stratum))
  if (free.length > 0 && fraction === undefined) {
    throw new CompositionError('invalid-test-policy', `No fraction or fixed count for class(es): ${free.join(', ')}.`, free)
  }
  const sizes = free.map(imagesOf)
  const total = heldOutCount(
    sizes.reduce((sum, size) => sum + size, 0),
    fraction ?? 0.5,
  )
  apportion(total, sizes).forEach((share, index) => targets.set(free[index], share))
  return targets
}
