import { describe, expect, it } from 'vitest'
import { applyMask } from '@shared/imaging/preprocess'
import { expectClose, imageFromRows, snapshot } from './helpers'

describe('applyMask', () => {
  it('multiplies element by element', () => {
    const result = applyMask(imageFromRows([[2, 4], [6, 8]]), imageFromRows([[0, 0.5], [1, 0.25]]))
    expectClose(result.data, [0, 2, 6, 2], 0)
  })

  it('throws an error naming both sizes when they differ', () => {
    expect(() => applyMask(imageFromRows([[1, 2, 3]]), imageFromRows([[1], [1], [1]]))).toThrow(
      'applyMask: image is 3x1 but mask is 1x3: sizes must match',
    )
  })

  it('does not mutate its inputs', () => {
    const image = imageFromRows([[1, 2]])
    const mask = imageFromRows([[0, 1]])
    const before = [snapshot(image), snapshot(mask)]
    const result = applyMask(image, mask)
    expect([snapshot(image), snapshot(mask)]).toEqual(before)
    expect(result.data).not.toBe(image.data)
  })
})
