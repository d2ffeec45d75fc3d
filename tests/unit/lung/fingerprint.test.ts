import { describe, expect, it } from 'vitest'
import { referencePattern } from '../preprocess/helpers'
import { fingerprintDistance, imageFingerprint, isSameImage, summarizeOverlap } from '@shared/lung'

describe('imageFingerprint', () => {
  const original = referencePattern(64, 48)

  it('recognises a re-encoded copy (small noise, another intensity scale)', () => {
    const copy = { ...original, data: original.data.map((value, index) => value * 2 + 10 + ((index * 7919) % 5) - 2) }
    expect(fingerprintDistance(imageFingerprint(original), imageFingerprint(copy))).toBeLessThan(0.005)
    expect(isSameImage(imageFingerprint(original), imageFingerprint(copy))).toBe(true)
  })

  it('tells different images apart', () => {
    const other = { ...original, data: original.data.map((_, index) => (index * 37) % 256) }
    expect(isSameImage(imageFingerprint(original), imageFingerprint(other))).toBe(false)
  })

  it('never matches images of different sizes', () => {
    expect(fingerprintDistance(imageFingerprint(original), imageFingerprint(referencePattern(48, 64)))).toBe(Infinity)
  })
})

describe('summarizeOverlap', () => {
  it('gives mean, median and minimum', () => {
    expect(summarizeOverlap([{ dice: 0.9, iou: 0.8 }, { dice: 0.7, iou: 0.6 }, { dice: 0.8, iou: 0.7 }])).toEqual({
      images: 3,
      meanDice: expect.closeTo(0.8, 12),
      meanIoU: expect.closeTo(0.7, 12),
      medianDice: 0.8,
      minDice: 0.7,
    })
    expect(summarizeOverlap([])).toEqual({ images: 0, meanDice: null, meanIoU: null, medianDice: null, minDice: null })
  })
})
