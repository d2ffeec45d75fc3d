import { describe, expect, it } from 'vitest'
import { fillHoles, keepLargestComponents, labelComponents, maskFromRows, threshold, type BinaryMask } from '@shared/lung'
import { imageFromRows } from '../preprocess/helpers'

function rowsOf(mask: BinaryMask): number[][] {
  const rows: number[][] = []
  for (let y = 0; y < mask.height; y++) rows.push(Array.from(mask.data.subarray(y * mask.width, (y + 1) * mask.width), (value) => (value ? 1 : 0)))
  return rows
}

describe('threshold', () => {
  it('marks values at or above the level as 255', () => {
    const mask = threshold(imageFromRows([[0.2, 0.5, 0.7, Number.NaN]]), 0.5)
    expect(Array.from(mask.data)).toEqual([0, 255, 255, 0])
  })
})

describe('labelComponents', () => {
  // Two pixels touching only at a corner: one object with 8-connectivity, two with 4.
  const diagonal = maskFromRows([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 0],
  ])

  it('joins corner neighbours with 8-connectivity only', () => {
    expect(labelComponents(diagonal, 8).areas).toEqual([2])
    expect(labelComponents(diagonal, 4).areas).toEqual([1, 1])
  })

  it('numbers components in raster order of their first pixel', () => {
    const mask = maskFromRows([
      [0, 0, 1, 1],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
    ])
    const { labels, areas } = labelComponents(mask)
    expect(areas).toEqual([2, 2])
    expect(labels[2]).toBe(1)
    expect(labels[4]).toBe(2)
  })
})

describe('keepLargestComponents', () => {
  // Components: A (5 px, left), B (3 px, right), C (1 px speck).
  const threeBlobs = maskFromRows([
    [1, 1, 0, 0, 1, 0],
    [1, 1, 0, 0, 1, 0],
    [1, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 1, 0, 0, 0],
  ])

  it('keeps the two largest and drops the speck', () => {
    expect(rowsOf(keepLargestComponents(threeBlobs, 2))).toEqual([
      [1, 1, 0, 0, 1, 0],
      [1, 1, 0, 0, 1, 0],
      [1, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ])
  })

  it('keeps one, none, or all', () => {
    expect(labelComponents(keepLargestComponents(threeBlobs, 1)).areas).toEqual([5])
    expect(labelComponents(keepLargestComponents(threeBlobs, 0)).areas).toEqual([])
    expect(labelComponents(keepLargestComponents(threeBlobs, 5)).areas).toEqual([5, 3, 1])
  })

  it('drops kept components below minRelativeArea of the largest', () => {
    // B is 3/5 = 0.6 of A: kept at 0.5, dropped at 0.7.
    expect(labelComponents(keepLargestComponents(threeBlobs, 2, { minRelativeArea: 0.5 })).areas).toEqual([5, 3])
    expect(labelComponents(keepLargestComponents(threeBlobs, 2, { minRelativeArea: 0.7 })).areas).toEqual([5])
  })

  it('breaks ties by raster order, deterministically', () => {
    const twins = maskFromRows([[1, 0, 1, 0, 1]])
    expect(rowsOf(keepLargestComponents(twins, 2))).toEqual([[1, 0, 1, 0, 0]])
  })

  it('respects the connectivity', () => {
    const mask = maskFromRows([
      [1, 0, 0, 0],
      [0, 1, 0, 1],
      [0, 0, 0, 1],
    ])
    // 8: the diagonal pair (2 px) ties the vertical pair (2 px); 4: three components 1, 1, 2.
    expect(labelComponents(keepLargestComponents(mask, 1, { connectivity: 4 })).areas).toEqual([2])
    expect(rowsOf(keepLargestComponents(mask, 1, { connectivity: 4 }))).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 0, 0, 1],
    ])
  })

  it('does not mutate its input', () => {
    const before = Array.from(threeBlobs.data)
    keepLargestComponents(threeBlobs, 1)
    expect(Array.from(threeBlobs.data)).toEqual(before)
  })
})

describe('fillHoles', () => {
  it('fills an enclosed hole', () => {
    const ring = maskFromRows([
      [0, 0, 0, 0, 0],
      [0, 1, 1, 1, 0],
      [0, 1, 0, 1, 0],
      [0, 1, 1, 1, 0],
      [0, 0, 0, 0, 0],
    ])
    expect(rowsOf(fillHoles(ring))[2]).toEqual([0, 1, 1, 1, 0])
  })

  it('leaves background that reaches the border, like the gap between the lungs', () => {
    const lungs = maskFromRows([
      [0, 1, 0, 1, 0],
      [0, 1, 0, 1, 0],
      [0, 1, 0, 1, 0],
    ])
    expect(rowsOf(fillHoles(lungs))).toEqual(rowsOf(lungs))
  })

  it('treats a diagonally closed outline as closed with 4-connected background', () => {
    // The centre pixel touches the outside only through corners.
    const diamond = maskFromRows([
      [0, 0, 1, 0, 0],
      [0, 1, 0, 1, 0],
      [0, 0, 1, 0, 0],
    ])
    expect(rowsOf(fillHoles(diamond))[1]).toEqual([0, 1, 1, 1, 0])
    expect(rowsOf(fillHoles(diamond, { backgroundConnectivity: 8 }))[1]).toEqual([0, 1, 0, 1, 0])
  })

  it('fills a hole touching the mask edge pixels but not the image border', () => {
    const mask = maskFromRows([
      [1, 1, 1],
      [1, 0, 1],
      [1, 1, 1],
    ])
    expect(rowsOf(fillHoles(mask))).toEqual([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ])
  })
})
