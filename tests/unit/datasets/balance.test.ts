import { describe, it, expect } from 'vitest'
import { createRandom } from '@shared/metrics/random'
import { balanceTrainingSet, countClasses, drawNegatives, planBalance, subsampleProportionally } from '@shared/datasets'
import type { LabeledImage } from '@shared/datasets'
import { syntheticDataset } from './syntheticDatasets'

/** `positive` COVID+ and `negative` COVID− images of one dataset, one image per patient unless `patients` says fewer. */
function labeled(datasetId: string, positive: number, negative: number): LabeledImage[] {
  return syntheticDataset(datasetId, [
    { label: 'p', images: positive, patients: positive },
    { label: 'n', images: negative, patients: negative },
  ]).map((record) => ({ ...record, binaryLabel: record.label === 'p' ? 'positive' : 'negative' }))
}

describe('planBalance (the arithmetic, before any image is drawn)', () => {
  it('subsample: both classes become min(P, N)', () => {
    expect(planBalance({ positive: 165, negative: 84 }, 'subsample')).toEqual({
      mode: 'subsample',
      before: { positive: 165, negative: 84 },
      borrow: 0,
      after: { positive: 84, negative: 84 },
      dropped: { positive: 81, negative: 0 },
    })
    expect(planBalance({ positive: 10, negative: 30 }, 'subsample').dropped).toEqual({ positive: 0, negative: 20 })
  })

  it('borrow: B = min(P − N, available) negatives, then subsample any remainder', () => {
    // CORDA&ChestXRay training split: 165 COVID+, 84 COVID− → borrow 81.
    expect(planBalance({ positive: 165, negative: 84 }, 'borrow', 1000)).toMatchObject({ borrow: 81, after: { positive: 165, negative: 165 } })
    // A pool of only 50: 84 + 50 = 134, so 31 COVID+ are dropped.
    expect(planBalance({ positive: 165, negative: 84 }, 'borrow', 50)).toMatchObject({
      borrow: 50,
      after: { positive: 134, negative: 134 },
      dropped: { positive: 31, negative: 0 },
    })
    // More negatives than positives: nothing to borrow, negatives subsampled.
    expect(planBalance({ positive: 20, negative: 30 }, 'borrow', 1000)).toMatchObject({ borrow: 0, dropped: { positive: 0, negative: 10 } })
  })

  it('none: unchanged', () => {
    expect(planBalance({ positive: 78, negative: 19 }, 'none')).toMatchObject({ borrow: 0, after: { positive: 78, negative: 19 } })
  })
})

describe('balanceTrainingSet', () => {
  it('subsamples the larger class to the smaller, keeping each dataset in proportion', () => {
    const train = [...labeled('corda', 165, 84), ...labeled('cohen', 78, 19)]
    const result = balanceTrainingSet(train, { mode: 'subsample', seed: 0 })
    expect(countClasses(result.train)).toEqual({ positive: 103, negative: 103 })
    const positivesOf = (datasetId: string) => result.train.filter((image) => image.datasetId === datasetId && image.binaryLabel === 'positive').length
    // 103 × 165/243 = 69.94 → 70 and 103 × 78/243 = 33.06 → 33 (largest remainder).
    expect([positivesOf('corda'), positivesOf('cohen')]).toEqual([70, 33])
    expect(result.dropped).toHaveLength(140)
    expect(result.dropped.every((image) => image.binaryLabel === 'positive')).toBe(true)
  })

  it('borrows exactly P − N negatives from the pool', () => {
    const result = balanceTrainingSet(labeled('corda', 165, 84), { mode: 'borrow', borrowPool: labeled('rsna', 0, 500), seed: 0 })
    expect(result.borrowed).toHaveLength(81)
    expect(result.shortfall).toBe(0)
    expect(countClasses(result.train)).toEqual({ positive: 165, negative: 165 })
    expect(result.unusedPool).toHaveLength(500 - 81)
    expect(result.borrowed.every((image) => image.datasetId === 'rsna' && image.binaryLabel === 'negative')).toBe(true)
  })

  it('borrows whole patients: with two images per patient, 81 is out of reach, so 80 and one COVID+ fewer', () => {
    const pool = labeled('rsna', 0, 500).map((image, index) => ({ ...image, patientId: `pair-${Math.floor(index / 2)}` }))
    const result = balanceTrainingSet(labeled('corda', 165, 84), { mode: 'borrow', borrowPool: pool, seed: 0 })
    expect(result.borrowed).toHaveLength(80)
    expect(result.shortfall).toBe(1)
    expect(countClasses(result.train)).toEqual({ positive: 164, negative: 164 })
    const borrowedPatients = new Set(result.borrowed.map((image) => image.patientId))
    expect(result.unusedPool.filter((image) => borrowedPatients.has(image.patientId))).toEqual([])
  })

  it('falls back to subsampling COVID+ when the pool runs short, and reports the shortfall', () => {
    const result = balanceTrainingSet(labeled('corda', 165, 84), { mode: 'borrow', borrowPool: labeled('rsna', 0, 50), seed: 0 })
    expect(result.shortfall).toBe(31)
    expect(countClasses(result.train)).toEqual({ positive: 134, negative: 134 })
  })

  it('is reproducible by seed', () => {
    const train = labeled('corda', 165, 84)
    const ids = (seed: number) => balanceTrainingSet(train, { mode: 'subsample', seed }).train.map((image) => image.imageId)
    expect(ids(4)).toEqual(ids(4))
    expect(ids(4)).not.toEqual(ids(5))
  })
})

describe('drawNegatives and subsampleProportionally', () => {
  it('never draws more than asked, taking whole patients only', () => {
    const pool = labeled('kermany', 0, 30).map((image, index) => ({ ...image, patientId: `triple-${Math.floor(index / 3)}` }))
    const draw = drawNegatives(pool, 10, 0)
    expect(draw.drawn).toHaveLength(9)
    expect(draw.shortfall).toBe(1)
    expect(draw.rest).toHaveLength(21)
    expect(drawNegatives(pool, 0, 0)).toMatchObject({ drawn: [], shortfall: 0 })
  })

  it('keeps everything when asked for more than there is', () => {
    const images = labeled('corda', 5, 0)
    expect(subsampleProportionally(images, 9, createRandom(0))).toEqual({ kept: images, dropped: [] })
  })
})
