import { describe, expect, it } from 'vitest'
import { createBinaryMask, maskFromRows, maskQualityFeatures } from '@shared/lung'

describe('maskQualityFeatures', () => {
  it('matches hand-computed values', () => {
    const mask = maskFromRows([
      [0, 1, 1, 0, 0, 0],
      [0, 1, 1, 0, 1, 0],
      [0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0],
    ])
    expect(maskQualityFeatures(mask)).toEqual({
      width: 6,
      height: 4,
      area: 6,
      areaFraction: 6 / 24,
      componentCount: 2,
      leftArea: 4,
      rightArea: 2,
      leftRightBalance: 0.5,
      boundingBox: { x: 1, y: 0, width: 4, height: 3 },
      boundingBoxFraction: 12 / 24,
    })
  })

  it('counts the middle column of an odd width on neither side', () => {
    const features = maskQualityFeatures(maskFromRows([[1, 0, 1, 0, 1]]))
    expect([features.leftArea, features.rightArea, features.area]).toEqual([1, 1, 3])
  })

  it('flags a single lung by a balance of 0', () => {
    const features = maskQualityFeatures(maskFromRows([[1, 1, 0, 0]]))
    expect(features.leftRightBalance).toBe(0)
    expect(features.componentCount).toBe(1)
  })

  it('describes an empty mask without dividing by zero', () => {
    expect(maskQualityFeatures(createBinaryMask(4, 3))).toMatchObject({ area: 0, componentCount: 0, leftRightBalance: 1, boundingBox: null, boundingBoxFraction: 0 })
  })

  it('counts 4-connected components when asked', () => {
    expect(maskQualityFeatures(maskFromRows([[1, 0], [0, 1]]), 4).componentCount).toBe(2)
    expect(maskQualityFeatures(maskFromRows([[1, 0], [0, 1]])).componentCount).toBe(1)
  })
})
