import { assertGreyImage, type GreyImage } from '../imaging/preprocess/greyImage'
import { MASK_INSIDE, type BinaryMask } from './binaryMask'

/**
 * Binarizes a probability (or any grey) image: a pixel is inside when its value is >= `level` (default 0.5,
 * the decision boundary of a sigmoid trained with cross-entropy). `>=` rather than `>` so that a 0/1 mask
 * stored as grey thresholds back to itself at any level in (0, 1]. NaN counts as outside.
 */
export function threshold(image: GreyImage, level = 0.5): BinaryMask {
  assertGreyImage(image, 'threshold image')
  if (!Number.isFinite(level)) throw new RangeError(`threshold: level must be a finite number, got ${level}`)
  const source = image.data
  const data = new Uint8Array(source.length)
  for (let index = 0; index < source.length; index++) if (source[index] >= level) data[index] = MASK_INSIDE
  return { width: image.width, height: image.height, data }
}
