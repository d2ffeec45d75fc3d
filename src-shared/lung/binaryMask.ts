import { assertPositiveSize, type GreyImage } from '../imaging/preprocess/greyImage'

/**
 * A binary mask: one byte per pixel, row-major. 0 is outside; any other value is inside. Functions here
 * write 255 for inside ({@link MASK_INSIDE}), so a mask can go straight into an 8-bit PNG, the format the
 * public lung-mask sets use.
 */
export interface BinaryMask {
  width: number
  height: number
  /** `width * height` bytes; the pixel at (x, y) is `data[y * width + x]`. */
  data: Uint8Array
}

/** The value written for an inside pixel: 255, as in the 0/255 PNGs of the mask datasets. */
export const MASK_INSIDE = 255

/** An empty (all outside) mask of the given size. */
export function createBinaryMask(width: number, height: number): BinaryMask {
  assertPositiveSize(width, height, 'mask')
  return { width, height, data: new Uint8Array(width * height) }
}

/** A mask from rows of 0/1 (any non-zero is inside); for tests and small fixtures. */
export function maskFromRows(rows: readonly (readonly number[])[]): BinaryMask {
  const height = rows.length
  const width = height > 0 ? rows[0].length : 0
  const mask = createBinaryMask(width, height)
  rows.forEach((row, y) => {
    if (row.length !== width) throw new RangeError(`maskFromRows: row ${y} has ${row.length} values, expected ${width}`)
    row.forEach((value, x) => {
      mask.data[y * width + x] = value ? MASK_INSIDE : 0
    })
  })
  return mask
}

/**
 * Throws unless `mask` is a well-formed BinaryMask; called first by every public function because a wrong
 * length would otherwise read `undefined` as outside and give plausible but wrong numbers.
 */
export function assertBinaryMask(mask: BinaryMask, what = 'mask'): void {
  if (mask === null || typeof mask !== 'object') throw new TypeError(`${what}: expected a BinaryMask { width, height, data: Uint8Array }`)
  assertPositiveSize(mask.width, mask.height, what)
  if (!(mask.data instanceof Uint8Array)) throw new TypeError(`${what}: data must be a Uint8Array`)
  if (mask.data.length !== mask.width * mask.height) {
    throw new RangeError(`${what}: data has ${mask.data.length} bytes but ${mask.width}x${mask.height} needs ${mask.width * mask.height}`)
  }
}

/** Throws a RangeError naming both sizes unless the masks have the same dimensions. */
export function assertSameMaskSize(first: BinaryMask, second: BinaryMask, firstName: string, secondName: string): void {
  if (first.width !== second.width || first.height !== second.height) {
    throw new RangeError(`${firstName} is ${first.width}x${first.height} but ${secondName} is ${second.width}x${second.height}: sizes must match`)
  }
}

/** Number of inside pixels. */
export function maskArea(mask: BinaryMask): number {
  assertBinaryMask(mask)
  let area = 0
  const data = mask.data
  for (let index = 0; index < data.length; index++) if (data[index] !== 0) area++
  return area
}

/** The mask as a [0, 1] grey image (inside 1, outside 0), the form the blur and `applyMask` take. */
export function maskToGrey(mask: BinaryMask): GreyImage {
  assertBinaryMask(mask)
  const data = new Float32Array(mask.data.length)
  for (let index = 0; index < data.length; index++) data[index] = mask.data[index] !== 0 ? 1 : 0
  return { width: mask.width, height: mask.height, data }
}
