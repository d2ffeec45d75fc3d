import { describe, expect, it } from 'vitest'
import { centerCrop, createGreyImage } from '@shared/imaging/preprocess'
import { rowsOf, snapshot } from './helpers'

/** A width x height image whose sample is 10 * row + column, so values name coordinates. */
function coordinates(width: number, height: number) {
  const image = createGreyImage(width, height)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) image.data[y * width + x] = 10 * y + x
  return image
}

describe('centerCrop', () => {
  it('crops an even margin symmetrically (6x6 -> 2x2 starts at 2, 2)', () => {
    expect(rowsOf(centerCrop(coordinates(6, 6), { width: 2, height: 2 }))).toEqual([
      [22, 23],
      [32, 33],
    ])
  })

  it('drops the extra pixel of an odd margin on the right / bottom (5x5 -> 2x2 starts at 1, 1)', () => {
    expect(rowsOf(centerCrop(coordinates(5, 5), { width: 2, height: 2 }))).toEqual([
      [11, 12],
      [21, 22],
    ])
  })

  it('centres an odd crop in an odd image exactly (5x7 -> 3x3 starts at 1, 2)', () => {
    expect(rowsOf(centerCrop(coordinates(5, 7), { width: 3, height: 3 }))).toEqual([
      [21, 22, 23],
      [31, 32, 33],
      [41, 42, 43],
    ])
  })

  it('returns a copy for a full-size crop and never mutates', () => {
    const image = coordinates(3, 2)
    const before = snapshot(image)
    const result = centerCrop(image, { width: 3, height: 2 })
    expect(Array.from(result.data)).toEqual(before)
    result.data[0] = 99
    expect(snapshot(image)).toEqual(before)
  })

  it('rejects crops larger than the image or not positive', () => {
    expect(() => centerCrop(coordinates(4, 4), { width: 5, height: 2 })).toThrow(/5x2.*4x4/)
    expect(() => centerCrop(coordinates(4, 4), { width: 0, height: 2 })).toThrow(/positive/)
  })
})
