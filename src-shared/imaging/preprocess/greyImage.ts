/**
 * The working type of the preprocessing chain: one grey channel, row-major, float.
 *
 * Float32 rather than the stored integer type because every step after the first
 * (equalization, blurring, masking) produces fractional values, and Float32 still
 * holds every 16-bit stored value exactly (integers are exact up to 2^24).
 */
export interface GreyImage {
  /** Columns, a positive integer. */
  width: number
  /** Rows, a positive integer. */
  height: number
  /** `width * height` samples; the sample at (x, y) is `data[y * width + x]`. */
  data: Float32Array
}

/**
 * Builds a grey image, copying `values` when given (so callers can pass plain
 * arrays in tests and never alias a buffer they still own), zeros otherwise.
 */
export function createGreyImage(width: number, height: number, values?: ArrayLike<number>): GreyImage {
  assertPositiveSize(width, height, 'image')
  const data = new Float32Array(width * height)
  if (values !== undefined) {
    if (values.length !== data.length) {
      throw new RangeError(`createGreyImage: ${values.length} values given for a ${width}x${height} image (${data.length} expected)`)
    }
    data.set(values)
  }
  return { width, height, data }
}

/**
 * Throws a RangeError unless `width` and `height` are positive integers; `what`
 * names the argument so the message points at the caller's mistake.
 */
export function assertPositiveSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new RangeError(`${what}: width and height must be positive integers, got ${width}x${height}`)
  }
}

/**
 * Throws unless `image` is a well-formed GreyImage. Every public function calls it
 * first, because a wrong data length would otherwise show up as silent garbage
 * (typed arrays read `undefined` → NaN) far from its cause.
 */
export function assertGreyImage(image: GreyImage, what = 'image'): void {
  if (image === null || typeof image !== 'object') {
    throw new TypeError(`${what}: expected a GreyImage { width, height, data: Float32Array }`)
  }
  assertPositiveSize(image.width, image.height, what)
  if (!(image.data instanceof Float32Array)) {
    throw new TypeError(`${what}: data must be a Float32Array`)
  }
  if (image.data.length !== image.width * image.height) {
    throw new RangeError(
      `${what}: data has ${image.data.length} samples but ${image.width}x${image.height} needs ${image.width * image.height}`,
    )
  }
}

/**
 * Throws a RangeError naming both sizes unless the two images have the same
 * dimensions; used wherever images are combined pixel by pixel.
 */
export function assertSameSize(first: GreyImage, second: GreyImage, firstName: string, secondName: string): void {
  if (first.width !== second.width || first.height !== second.height) {
    throw new RangeError(
      `${firstName} is ${first.width}x${first.height} but ${secondName} is ${second.width}x${second.height}: sizes must match`,
    )
  }
}
