import { assertGreyImage, type GreyImage } from '../imaging/preprocess/greyImage'
import { resize } from '../imaging/preprocess/resize'

/** A small picture of an image's content, to recognise one radiograph saved twice. */
export interface ImageFingerprint {
  /** Size of the image it was made from: copies have the same size. */
  width: number
  height: number
  /** side × side area-averaged thumbnail, min–max scaled to [0, 1]. */
  thumbnail: Float32Array
}

/** Default thumbnail side: coarse enough to ignore JPEG re-encoding, fine enough to tell two days of one patient apart. */
export const FINGERPRINT_SIDE = 16

/**
 * Below this mean absolute thumbnail difference two same-sized images count as one. Re-encoded copies of the
 * shared data's images differ by about 0.001; follow-up radiographs of one patient by well over 0.02.
 */
export const DUPLICATE_DISTANCE = 0.01

/**
 * Fingerprint of a grey image: its area-averaged side × side thumbnail scaled to [0, 1]. Two files can hold
 * the same radiograph with different bytes (one copy re-encoded as JPEG, or re-saved as PNG), so a file hash
 * alone misses them; the thumbnail survives re-encoding.
 */
export function imageFingerprint(image: GreyImage, side = FINGERPRINT_SIDE): ImageFingerprint {
  assertGreyImage(image, 'imageFingerprint image')
  const { data } = resize(image, { width: side, height: side, mode: 'stretch', interpolation: 'area' }).image
  let minimum = Infinity
  let maximum = -Infinity
  for (const value of data) {
    if (value < minimum) minimum = value
    if (value > maximum) maximum = value
  }
  const span = maximum - minimum
  const thumbnail = new Float32Array(data.length)
  if (span > 0) for (let index = 0; index < data.length; index++) thumbnail[index] = (data[index] - minimum) / span
  return { width: image.width, height: image.height, thumbnail }
}

/** Mean absolute difference of two fingerprints' thumbnails; Infinity when the images differ in size or side. */
export function fingerprintDistance(first: ImageFingerprint, second: ImageFingerprint): number {
  if (first.width !== second.width || first.height !== second.height || first.thumbnail.length !== second.thumbnail.length) return Infinity
  let sum = 0
  for (let index = 0; index < first.thumbnail.length; index++) sum += Math.abs(first.thumbnail[index] - second.thumbnail[index])
  return sum / first.thumbnail.length
}

/** True when two fingerprints are of the same radiograph (see {@link DUPLICATE_DISTANCE}). */
export function isSameImage(first: ImageFingerprint, second: ImageFingerprint, distance = DUPLICATE_DISTANCE): boolean {
  return fingerprintDistance(first, second) < distance
}
