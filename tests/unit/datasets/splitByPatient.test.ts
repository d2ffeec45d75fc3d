import { describe, it, expect } from 'vitest'
import { apportion, CompositionError, groupByPatient, heldOutCount, majorityClass, splitByPatient } from '@shared/datasets'
import type { ImageRecord } from '@shared/datasets'
import { randomRecords, syntheticDataset } from './syntheticDatasets'

const patientsOf = (records: readonly ImageRecord[]) => new Set(records.map((record) => `${record.datasetId}/${record.patientId}`))
const countLabel = (records: readonly ImageRecord[], label: string) => records.filter((record) => record.label === label).length

describe('heldOutCount and apportion (the rounding of every split)', () => {
  it('rounds the held-out share up, like scikit-learn, which is what reproduces Table I', () => {
    expect(heldOutCount(297, 0.3)).toBe(90) // 89.1 → 90 (Table I CORDA COVID+ test)
    expect(heldOutCount(150, 0.3)).toBe(45)
    expect(heldOutCount(207, 0.2)).toBe(42) // 41.4 → 42 (126 = 84 + 42)
    expect(heldOutCount(10, 0.7)).toBe(7) // 0.7 × 10 = 7.000000000000001 in binary floating point: not 8
    expect(heldOutCount(1, 0.3)).toBe(1)
  })

  it('apportions by largest remainder, sums to the total, and breaks ties toward the larger part', () => {
    // scikit-learn's stratified CORDA split: 135 test images over classes of 150 and 297 → 45.30 / 89.70.
    expect(apportion(135, [150, 297])).toEqual([45, 90])
    expect(apportion(5, [1, 1, 1])).toEqual([2, 2, 1])
    expect(apportion(3, [2, 4])).toEqual([1, 2])
    expect(apportion(1, [3, 3])).toEqual([1, 0])
    expect(apportion(0, [3, 3])).toEqual([0, 0])
    expect(apportion(4, [0, 0])).toEqual([0, 0])
  })
})

describe('groupByPatient', () => {
  it('merges patients that share an identical image and ignores input order', () => {
    const records: ImageRecord[] = [
      { imageId: 'a', datasetId: 'd', patientId: 'p1', label: 'x', contentHash: 'h1' },
      { imageId: 'b', datasetId: 'd', patientId: 'p2', label: 'x', contentHash: 'h1' },
      { imageId: 'c', datasetId: 'd', patientId: 'p3', label: 'x', contentHash: 'h3' },
      { imageId: 'e', datasetId: 'other', patientId: 'p3', label: 'x', contentHash: 'h4' },
    ]
    const groups = groupByPatient(records)
    expect(groups.map((group) => group.patientKeys)).toEqual([['d/p1', 'd/p2'], ['d/p3'], ['other/p3']])
    expect(groupByPatient([...records].reverse()).map((group) => group.key)).toEqual(groups.map((group) => group.key))
  })

  it('gives the same split whatever the patient ids are called (pseudonyms are keyed per library)', () => {
    const records = randomRecords({ seed: 11, patients: 120, maxImages: 3, positiveShare: 0.4 })
    // Two libraries pseudonymise the same patients with different keys: any renaming that keeps patients apart.
    const renamed = (salt: string) => records.map((record) => ({ ...record, patientId: `P-${salt}-${[...record.patientId].reverse().join('')}` }))
    const held = (input: readonly ImageRecord[]) => splitByPatient(input, { fraction: 0.3, seed: 5 }).heldOut.map((record) => record.imageId)
    expect(held(renamed('zz'))).toEqual(held(records))
    expect(held(renamed('aa'))).toEqual(held(records))
  })

  it("gives a mixed patient the majority class, and a tie the class that is rarer overall", () => {
    const sizes = new Map([
      ['positive', 10],
      ['negative', 30],
    ])
    const classOf = (label: string) => label
    expect(majorityClass(['negative', 'negative', 'positive'], classOf, sizes)).toBe('negative')
    expect(majorityClass(['negative', 'positive'], classOf, sizes)).toBe('positive')
    expect(majorityClass(['positive', 'negative'], classOf, new Map([['positive', 30], ['negative', 10]]))).toBe('negative')
  })
})

describe('splitByPatient', () => {
  // 400 patients with 1–6 images each: many ways to miss a target by a whole patient.
  const records = randomRecords({ seed: 7, patients: 400, maxImages: 6, positiveShare: 0.3 })

  it('never puts a patient on both sides', () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      const { heldOut, remaining } = splitByPatient(records, { fraction: 0.3, seed })
      const held = patientsOf(heldOut)
      expect([...patientsOf(remaining)].filter((patient) => held.has(patient))).toEqual([])
      expect(heldOut.length + remaining.length).toBe(records.length)
    }
  })

  it('hits each class target to within one patient group (⌈0.3 × N⌉ apportioned by class)', () => {
    for (const seed of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const { heldOut, strata } = splitByPatient(records, { fraction: 0.3, seed })
      expect(strata.map((stratum) => stratum.target).reduce((a, b) => a + b)).toBe(heldOutCount(records.length, 0.3))
      for (const stratum of strata) {
        expect(Math.abs(stratum.achieved - stratum.target)).toBeLessThan(stratum.largestPatient)
        expect(countLabel(heldOut, stratum.stratum)).toBe(stratum.achieved)
      }
    }
  })

  it('hits targets exactly when patients allow it (first fit finds the small patients)', () => {
    const misses = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((seed) =>
      splitByPatient(records, { fraction: 0.3, seed }).strata.filter((stratum) => stratum.achieved !== stratum.target),
    )
    expect(misses).toEqual([])
  })

  it('keeps the class ratio on both sides (stratified)', () => {
    const { heldOut, remaining } = splitByPatient(records, { fraction: 0.3, seed: 3 })
    const share = (side: ImageRecord[]) => countLabel(side, 'positive') / side.length
    const overall = countLabel(records, 'positive') / records.length
    expect(Math.abs(share(heldOut) - overall)).toBeLessThan(0.01)
    expect(Math.abs(share(remaining) - overall)).toBeLessThan(0.01)
  })

  it('without stratification only the total is targeted', () => {
    const { strata, heldOut } = splitByPatient(records, { fraction: 0.3, seed: 3, stratify: false })
    expect(strata.map((stratum) => stratum.stratum)).toEqual(['all'])
    expect(Math.abs(heldOut.length - heldOutCount(records.length, 0.3))).toBeLessThan(6)
  })

  it('same seed → same split, whatever the input order; different seeds → different splits', () => {
    const ids = (split: { heldOut: ImageRecord[] }) => split.heldOut.map((record) => record.imageId).sort()
    const first = splitByPatient(records, { fraction: 0.3, seed: 11 })
    expect(ids(splitByPatient(records, { fraction: 0.3, seed: 11 }))).toEqual(ids(first))
    expect(ids(splitByPatient([...records].reverse(), { fraction: 0.3, seed: 11 }))).toEqual(ids(first))
    expect(ids(splitByPatient(records, { fraction: 0.3, seed: 12 }))).not.toEqual(ids(first))
  })

  it('splits the paper-sized CORDA exactly 90/45 to test', () => {
    const corda = syntheticDataset('corda', [
      { label: 'COVID+', images: 297, patients: 256 },
      { label: 'COVID-', images: 150, patients: 130 },
    ])
    const { strata } = splitByPatient(corda, { fraction: 0.3, seed: 0 })
    expect(strata.map(({ stratum, target, achieved }) => ({ stratum, target, achieved }))).toEqual([
      { stratum: 'COVID+', target: 90, achieved: 90 },
      { stratum: 'COVID-', target: 45, achieved: 45 },
    ])
  })

  it('misses by less than one patient when only big patients exist, and says so', () => {
    // Three patients of 4 images: ⌈0.3 × 12⌉ = 4 is reachable; with 0.4 the target 5 is not (4 is closest).
    const big = randomRecords({ seed: 1, patients: 3, maxImages: 1, positiveShare: 1 }).flatMap((record) =>
      [0, 1, 2, 3].map((copy) => ({ ...record, imageId: `${record.imageId}-${copy}`, contentHash: `${record.contentHash}-${copy}` })),
    )
    expect(splitByPatient(big, { fraction: 0.3, seed: 0 }).strata[0]).toMatchObject({ target: 4, achieved: 4 })
    expect(splitByPatient(big, { fraction: 0.4, seed: 0 }).strata[0]).toMatchObject({ target: 5, achieved: 4, largestPatient: 4 })
  })

  it('holds out fixed counts per class, and forced images with their whole patient', () => {
    const fixed = splitByPatient(records, { seed: 0, heldOutCounts: { positive: 10, negative: 5 } })
    expect(fixed.strata.map((stratum) => [stratum.stratum, stratum.achieved])).toEqual([
      ['negative', 5],
      ['positive', 10],
    ])
    const forcedPatient = records[0].patientId
    const forced = splitByPatient(records, {
      seed: 0,
      heldOutCounts: { positive: 0, negative: 0 },
      mustHoldOut: (record) => record.imageId === records[0].imageId,
    })
    expect(forced.heldOut.map((record) => record.patientId)).toEqual(records.filter((record) => record.patientId === forcedPatient).map(() => forcedPatient))
  })

  it('rejects fractions outside (0, 1) and impossible fixed counts, naming them', () => {
    for (const fraction of [0, 1, -0.1, 1.5, Number.NaN]) {
      expect(() => splitByPatient(records, { fraction, seed: 0 })).toThrow(CompositionError)
      expect(() => splitByPatient(records, { fraction, seed: 0 })).toThrow(/strictly between 0 and 1/)
    }
    expect(() => splitByPatient(records, { seed: 0, heldOutCounts: { positive: 100000 } })).toThrow(/Cannot hold out 100000 images of class "positive"/)
    expect(() => splitByPatient(records, { seed: 0, heldOutCounts: { positive: 1 } })).toThrow(/No fraction or fixed count for class\(es\): negative/)
  })
})
