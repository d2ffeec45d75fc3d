import { createGreyImage, type GreyImage } from '@shared/imaging/preprocess'

/** A grey image from rows of numbers, so tiny known-answer inputs read like matrices. */
export function imageFromRows(rows: number[][]): GreyImage {
  return createGreyImage(rows[0].length, rows.length, rows.flat())
}

/** The image's samples as rows of plain numbers, for readable toEqual diffs. */
export function rowsOf(image: GreyImage): number[][] {
  const rows: number[][] = []
  for (let y = 0; y < image.height; y++) rows.push(Array.from(image.data.subarray(y * image.width, (y + 1) * image.width)))
  return rows
}

/** Expects every sample of `actual` within `tolerance` of `expected`, reporting the first miss. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`)
  for (let index = 0; index < actual.length; index++) {
    if (!(Math.abs(actual[index] - expected[index]) <= tolerance)) {
      throw new Error(`sample ${index}: ${actual[index]} differs from ${expected[index]} by more than ${tolerance}`)
    }
  }
}

/** A frozen copy of the image's samples, to check later that a function did not mutate it. */
export function snapshot(image: GreyImage): number[] {
  return Array.from(image.data)
}

/**
 * The deterministic 8-bit test pattern the reference values were computed on with
 * OpenCV 4.6 / scipy 1.10 / Pillow 9.4 (numpy: `(x*x*3 + y*17 + ((x ^ y)*5)) % 256`
 * over `np.mgrid`): busy enough to exercise every bin, identical in both languages.
 */
export function referencePattern(width: number, height: number): GreyImage {
  const data = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (x * x * 3 + y * 17 + ((x ^ y) * 5)) % 256
  }
  return { width, height, data }
}
