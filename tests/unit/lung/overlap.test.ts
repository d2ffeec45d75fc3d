import { describe, expect, it } from 'vitest'
import { createBinaryMask, diceCoefficient, intersectionOverUnion, maskFromRows, overlapCounts } from '@shared/lung'

// A: 3 pixels, B: 3 pixels, both: 2 → Dice = 2·2 / (3 + 3) = 2/3, IoU = 2 / (3 + 3 − 2) = 1/2.
const first = maskFromRows([
  [1, 1, 0],
  [0, 1, 0],
])
const second = maskFromRows([
  [1, 0, 0],
  [0, 1, 1],
])

describe('diceCoefficient and intersectionOverUnion', () => {
  it('match hand-computed values', () => {
    expect(overlapCounts(first, second)).toEqual({ intersection: 2, firstArea: 3, secondArea: 3 })
    expect(diceCoefficient(first, second)).toBeCloseTo(2 / 3, 12)
    expect(intersectionOverUnion(first, second)).toBeCloseTo(1 / 2, 12)
  })

  it('second hand example: nested masks', () => {
    // Inner 1 pixel inside outer 4 pixels: Dice = 2·1 / 5 = 0.4, IoU = 1/4.
    const outer = maskFromRows([
      [1, 1],
      [1, 1],
    ])
    const inner = maskFromRows([
      [0, 0],
      [0, 1],
    ])
    expect(diceCoefficient(outer, inner)).toBeCloseTo(0.4, 12)
    expect(intersectionOverUnion(outer, inner)).toBeCloseTo(0.25, 12)
  })

  it('are symmetric and related by IoU = Dice / (2 − Dice)', () => {
    expect(diceCoefficient(second, first)).toBe(diceCoefficient(first, second))
    const dice = diceCoefficient(first, second)
    expect(intersectionOverUnion(first, second)).toBeCloseTo(dice / (2 - dice), 12)
  })

  it('give 1 for identical masks and 0 for disjoint ones', () => {
    expect(diceCoefficient(first, first)).toBe(1)
    expect(intersectionOverUnion(first, first)).toBe(1)
    const disjoint = maskFromRows([
      [0, 0, 1],
      [1, 0, 0],
    ])
    expect(diceCoefficient(first, disjoint)).toBe(0)
    expect(intersectionOverUnion(first, disjoint)).toBe(0)
  })

  it('define empty vs empty as 1 and empty vs non-empty as 0', () => {
    const empty = createBinaryMask(3, 2)
    expect(diceCoefficient(empty, empty)).toBe(1)
    expect(intersectionOverUnion(empty, empty)).toBe(1)
    expect(diceCoefficient(empty, first)).toBe(0)
    expect(intersectionOverUnion(first, empty)).toBe(0)
  })

  it('treat any non-zero byte as inside (0/1 and 0/255 masks compare equal)', () => {
    const ones = { width: 3, height: 2, data: Uint8Array.from([1, 1, 0, 0, 1, 0]) }
    expect(diceCoefficient(ones, first)).toBe(1)
  })

  it('throw naming both sizes when they differ', () => {
    expect(() => diceCoefficient(first, createBinaryMask(2, 3))).toThrow('first mask is 3x2 but second mask is 2x3: sizes must match')
  })

  it('reject malformed masks', () => {
    expect(() => diceCoefficient({ width: 2, height: 2, data: new Uint8Array(3) }, createBinaryMask(2, 2))).toThrow(/needs 4/)
  })
})
