import { describe, expect, it } from 'vitest'
import type { MaskQualityFeatures } from '@shared/lung'
import { COMPONENT_PENALTY, median, robustStatistics, scoreMasks, SCALE_FLOORS, TERM_CAP } from '@shared/lung/qa'

const mask = (areaFraction: number, componentCount = 2, leftRightBalance = 0.9, boundingBoxFraction = 0.5): MaskQualityFeatures => ({
  width: 10,
  height: 10,
  area: Math.round(areaFraction * 100),
  areaFraction,
  componentCount,
  leftArea: 0,
  rightArea: 0,
  leftRightBalance,
  boundingBox: null,
  boundingBoxFraction,
})

describe('mask unusualness', () => {
  it('uses median and floored MAD', () => {
    expect(median([3, 1, 2, 10])).toBe(2.5)
    expect(robustStatistics([0.3, 0.3, 0.3, 0.9], SCALE_FLOORS.areaFraction)).toEqual({ median: 0.3, scale: SCALE_FLOORS.areaFraction })
    expect(robustStatistics([1, 2, 3, 4, 100], 0).scale).toBeCloseTo(1.4826, 4)
  })

  it('ranks a tiny, a one-component and a one-sided mask above typical ones', () => {
    const typical = [0.3, 0.31, 0.29, 0.32, 0.3, 0.28].map((area) => mask(area))
    const scores = scoreMasks([...typical, mask(0.02), mask(0.3, 1), mask(0.3, 2, 0.1)])
    const worstTypical = Math.max(...scores.slice(0, 6).map((s) => s.score))
    expect(worstTypical).toBeLessThan(2)
    expect(scores[6].terms.areaFraction).toBe(TERM_CAP)
    expect(scores[7].terms.componentCount).toBe(COMPONENT_PENALTY)
    expect(scores[8].terms.leftRightBalance).toBeGreaterThan(3)
    for (const bad of scores.slice(6)) expect(bad.score).toBeGreaterThan(worstTypical + 1)
  })

  it('does not count a better-than-median balance against a mask', () => {
    const [, balanced] = scoreMasks([mask(0.3, 2, 0.6), mask(0.3, 2, 1), mask(0.3, 2, 0.6)])
    expect(balanced.terms.leftRightBalance).toBe(0)
  })
})
