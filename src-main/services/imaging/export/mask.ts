/**
 * Lung masks from files: the 0/255 PNGs of the public segmentation sets (and anything else the decoder
 * reads), brought to the [0, 1] GreyImage the preprocessing chain multiplies with.
 */
import { ImagingError } from '@shared/imaging/errors'
import { resize, type GreyImage } from '@shared/imaging/preprocess'
import { decodeImageFile } from '../decode'

/** A mask ready for `preprocessChain`, with what had to be done to it. */
export interface LoadedMask {
  mask: GreyImage
  /** Human-readable notes (resampled, empty...), for stderr or a log. */
  notes: string[]
}

/**
 * Largest relative difference of aspect ratio accepted when the mask must be resampled: masks are
 * often saved at another resolution than their image, but a different shape means a different image.
 */
const ASPECT_TOLERANCE = 0.01

/**
 * Read a mask file and scale it to [0, 1] (0 → 0, the format's maximum, e.g. 255, → 1). A mask of another
 * size than the image with the same aspect ratio is resampled bilinearly to the image size (the chain blurs
 * it afterwards anyway); another aspect ratio is rejected, since stretching would misplace the lungs.
 * Rejects with an ImagingError naming the mask file.
 */
export async function readMaskFile(path: string, target: { width: number; height: number }): Promise<LoadedMask> {
  const decoded = await decodeImageFile(path)
  const notes: string[] = []
  const full = 2 ** decoded.bitsStored - 1
  const data = new Float32Array(decoded.pixels.length)
  let inside = 0
  for (let i = 0; i < data.length; i++) {
    const value = Math.min(1, Math.max(0, decoded.pixels[i] / full))
    data[i] = value
    if (value >= 0.5) inside++
  }
  let mask: GreyImage = { width: decoded.width, height: decoded.height, data }
  if (mask.width !== target.width || mask.height !== target.height) {
    const maskAspect = mask.width / mask.height
    const imageAspect = target.width / target.height
    if (Math.abs(maskAspect / imageAspect - 1) > ASPECT_TOLERANCE) {
      throw new ImagingError(
        'BAD_DIMENSIONS',
        path,
        `mask is ${mask.width}x${mask.height} but the image is ${target.width}x${target.height}: the aspect ratios differ, so it is not this image's mask`,
      )
    }
    mask = resize(mask, { width: target.width, height: target.height, mode: 'stretch', interpolation: 'bilinear' }).image
    notes.push(`mask resampled from ${decoded.width}x${decoded.height} to ${target.width}x${target.height}`)
  }
  if (inside === 0) notes.push('mask is empty (no pixel at or above half its maximum): the output will be black')
  return { mask, notes }
}
