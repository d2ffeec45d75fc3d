import { describe, expect, it } from 'vitest'
import { createGreyImage, resize, type GreyImage } from '@shared/imaging/preprocess'
import { expectClose, imageFromRows, rowsOf, snapshot } from './helpers'

/** The top-left width x height corner of an image. */
function topLeftCorner(image: GreyImage, width: number, height: number): GreyImage {
  const corner = createGreyImage(width, height)
  for (let y = 0; y < height; y++) corner.data.set(image.data.subarray(y * image.width, y * image.width + width), y * width)
  return corner
}

describe('resize', () => {
  it('stretches a 2x2 to 4x4 bilinearly with pixel centres aligned (hand values)', () => {
    // Target x = 0..3 sits at source x = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1:
    // weights of the right pixel 0, 1/4, 3/4, 1. Same down the rows.
    const { image, placement } = resize(imageFromRows([[0, 4], [8, 12]]), { width: 4, height: 4, mode: 'stretch', interpolation: 'bilinear' })
    expect(rowsOf(image)).toEqual([
      [0, 1, 3, 4],
      [2, 3, 5, 6],
      [6, 7, 9, 10],
      [8, 9, 11, 12],
    ])
    expect(placement).toEqual({ x: 0, y: 0, width: 4, height: 4, scaleX: 2, scaleY: 2, scale: 2 })
  })

  it('keeps the aspect ratio in pad mode, centres the content and fills with padValue', () => {
    // 4 wide x 2 high into 8x8: scale 2, content 8x4 at y = 2, rows 0-1 and 6-7 padded.
    const source = imageFromRows([[1, 1, 1, 1], [1, 1, 1, 1]])
    const { image, placement } = resize(source, { width: 8, height: 8, mode: 'pad', interpolation: 'bilinear', padValue: -1 })
    expect(placement).toEqual({ x: 0, y: 2, width: 8, height: 4, scaleX: 2, scaleY: 2, scale: 2 })
    const rows = rowsOf(image)
    for (const row of [0, 1, 6, 7]) expect(rows[row]).toEqual(new Array(8).fill(-1))
    for (const row of [2, 3, 4, 5]) expect(rows[row]).toEqual(new Array(8).fill(1))
  })

  it('letterboxes a tall image with columns of padding and a content region of the same aspect', () => {
    // 100 x 200 into 64 x 64: scale 0.32, content 32 x 64 at x = 16.
    const tall = createGreyImage(100, 200, new Array(20000).fill(0.5))
    const { image, placement } = resize(tall, { width: 64, height: 64, mode: 'pad', interpolation: 'area' })
    expect(placement.width / placement.height).toBeCloseTo(100 / 200, 6)
    expect(placement).toMatchObject({ x: 16, y: 0, width: 32, height: 64, scale: 0.32 })
    const rows = rowsOf(image)
    expect(rows[10].slice(0, 16)).toEqual(new Array(16).fill(0))
    expect(rows[10].slice(48)).toEqual(new Array(16).fill(0))
    expectClose(rows[10].slice(16, 48), new Array(32).fill(0.5), 1e-6)
  })

  it('area-downscales a checkerboard to its mean instead of aliasing', () => {
    // 1-pixel checkerboard 0/1, 64x64 -> 8x8: every 8x8 block averages to 0.5 exactly.
    const board = createGreyImage(64, 64)
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) board.data[y * 64 + x] = (x + y) % 2
    const area = resize(board, { width: 8, height: 8, interpolation: 'area' }).image
    expectClose(area.data, new Array(64).fill(0.5), 1e-7)
  })

  it('shows why: bilinear at an odd factor samples pixel centres and aliases, area does not', () => {
    // 63 -> 9 is a factor 7: bilinear reads source pixel 7i + 3 exactly, returning a full-contrast
    // 0/1 checkerboard; area returns 7x7 block means, 24/49 or 25/49.
    const board = createGreyImage(63, 63)
    for (let y = 0; y < 63; y++) for (let x = 0; x < 63; x++) board.data[y * 63 + x] = (x + y) % 2
    const bilinear = resize(board, { width: 9, height: 9, interpolation: 'bilinear' }).image
    expect(Math.max(...bilinear.data) - Math.min(...bilinear.data)).toBe(1)
    const area = resize(board, { width: 9, height: 9, interpolation: 'area' }).image
    for (const value of area.data) expect([24 / 49, 25 / 49].some((mean) => Math.abs(value - mean) < 1e-6)).toBe(true)
  })

  it('area-averages with fractional overlaps when the ratio is not an integer (3 -> 2)', () => {
    // Target pixel 0 covers source [0, 1.5): (a + b / 2) / 1.5; pixel 1 covers [1.5, 3): (b / 2 + c) / 1.5.
    const { image } = resize(imageFromRows([[3, 6, 9]]), { width: 2, height: 1, interpolation: 'area' })
    expectClose(image.data, [(3 + 3) / 1.5, (3 + 9) / 1.5], 1e-6)
  })

  it('uses the source pixel under each target centre for nearest (masks stay binary)', () => {
    const mask = imageFromRows([[0, 1, 1], [1, 0, 1], [0, 0, 1]])
    const { image } = resize(mask, { width: 6, height: 6, interpolation: 'nearest' })
    expect(rowsOf(image)).toEqual([
      [0, 0, 1, 1, 1, 1],
      [0, 0, 1, 1, 1, 1],
      [1, 1, 0, 0, 1, 1],
      [1, 1, 0, 0, 1, 1],
      [0, 0, 0, 0, 1, 1],
      [0, 0, 0, 0, 1, 1],
    ])
    const down = resize(mask, { width: 2, height: 2, interpolation: 'nearest' }).image
    // Centres 0.75 and 2.25 of 3 -> source 0 and 2.
    expect(rowsOf(down)).toEqual([[0, 1], [0, 1]])
  })

  it('matches OpenCV cv2.resize on a float image (area and bilinear down, bilinear up, nearest-exact)', () => {
    // Source: float32 (i^1.5) % 17 over 13x7; values from OpenCV 4.6, rounded to 5 decimals.
    const source = createGreyImage(13, 7, [0,1,2.82843,5.19615,8,11.18034,14.69694,1.52026,5.62742,10,14.62278,2.48287,7.56922,12.87217,1.3832,7.09475,13,2.0928,8.36753,14.81908,4.44272,11.23409,1.18915,8.30412,15.57551,6,13.57451,4.29611,12.16206,3.16977,11.31676,2.60071,11.01933,2.57057,11.25237,3.06279,12,4.06221,13.24774,5.55492,14.98221,7.52811,0.1911,9.96985,2.86298,12.86917,5.98718,16.21576,9.55377,3,13.55341,7.21283,0.97733,11.84583,5.81735,16.89093,11.06561,5.34058,16.71484,11.18759,5.758,0.42523,12.18851,7.047,2,14.04675,9.18652,4.41864,16.74237,12.15704,7.66199,3.25659,15.94025,11.71228,7.57202,3.51904,16.55261,12.6723,8.87738,5.16736,1.54175,15,11.54156,8.16602,4.87274,1.66132,15.53119,12.48199,9.51318,6.62433,3.81494])
    const area = resize(source, { width: 5, height: 4, interpolation: 'area' }).image
    expectClose(area.data, [3.64422,6.87181,9.59514,7.52872,8.51522,9.30174,6.95493,6.90062,8.32332,9.32584,7.76081,10.17007,9.98827,7.32959,7.79721,7.55673,11.63537,6.448,11.00235,8.71416], 1e-4)
    const bilinear = resize(source, { width: 5, height: 4, interpolation: 'bilinear' }).image
    expectClose(bilinear.data, [1.88037,7.18748,14.74274,7.10953,7.31024,7.01991,6.13782,11.25056,7.07361,6.69756,10.1002,13.25353,16.23413,3.76586,6.81856,7.50282,14.10098,4.26669,12.02409,9.70524], 1e-4)
    const nearest = resize(source, { width: 5, height: 4, interpolation: 'nearest' }).image
    expectClose(nearest.data, [1,5.19615,14.69694,10,2.48287,4.29611,3.16977,11.01933,3.06279,4.06221,11.84583,16.89093,16.71484,0.42523,7.047,5.16736,15,4.87274,12.48199,6.62433], 1e-4)
    // The top-left 5x3 corner enlarged to 7x8.
    const corner = topLeftCorner(source, 5, 3)
    const enlarged = resize(corner, { width: 7, height: 8, interpolation: 'bilinear' }).image
    expectClose(enlarged.data, [0,0.57143,1.52241,2.82843,4.51966,6.3978,8,0.80451,0.9299,1.6157,3.09507,4.94423,6.51828,7.6308,5.63157,3.08076,2.17545,4.69494,7.49165,7.24116,5.4156,10.45863,5.23162,2.7352,6.29481,10.03907,7.96404,3.2004,13.00385,6.67558,3.67666,8.04487,10.2677,8.01346,3.82229,13.26723,7.41265,4.99983,9.94511,8.17753,7.3894,7.28127,13.53061,8.14972,6.323,11.84536,6.08736,6.76534,10.74026,13.57451,8.27257,6.54353,12.16206,5.739,6.66134,11.31676], 1e-4)
  })

  it('maps points back with the placement formula', () => {
    const source = createGreyImage(300, 100)
    const { placement } = resize(source, { width: 90, height: 90, mode: 'pad' })
    expect(placement).toMatchObject({ x: 0, y: 30, width: 90, height: 30 })
    // Target pixel centre (45, 45) -> source ((45.5 - 0) / 0.3 - 0.5, (45.5 - 30) / 0.3 - 0.5) = (151.17, 51.17).
    const sourceX = (45 + 0.5 - placement.x) / placement.scaleX - 0.5
    const sourceY = (45 + 0.5 - placement.y) / placement.scaleY - 0.5
    expect(sourceX).toBeCloseTo(151.1667, 3)
    expect(sourceY).toBeCloseTo(51.1667, 3)
  })

  it('does not mutate its input and rejects bad sizes and modes', () => {
    const source = imageFromRows([[1, 2], [3, 4]])
    const before = snapshot(source)
    for (const interpolation of ['bilinear', 'area', 'nearest'] as const) {
      for (const mode of ['stretch', 'pad'] as const) resize(source, { width: 3, height: 5, mode, interpolation })
    }
    expect(snapshot(source)).toEqual(before)
    expect(() => resize(source, { width: 0, height: 4 })).toThrow(/0x4/)
    expect(() => resize(source, { width: 2.5, height: 4 })).toThrow(/positive integers/)
    expect(() => resize(source, { width: 4, height: 4, mode: 'crop' as never })).toThrow(/mode/)
    expect(() => resize(source, { width: 4, height: 4, interpolation: 'cubic' as never })).toThrow(/interpolation/)
  })
})
