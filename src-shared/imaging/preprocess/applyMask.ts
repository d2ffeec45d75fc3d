import { assertGreyImage, assertSameSize, type GreyImage } from './greyImage'

/**
 * Element-wise product `image * mask`, the paper's "keep only the lungs" step: with a
 * blurred mask in [0, 1] the lung edges fade out instead of ending in a hard step a
 * CNN could latch onto. Sizes must match exactly (resample the mask first, see
 * {@link resize}); a mismatch throws a RangeError naming both sizes. Never mutates.
 */
export function applyMask(image: GreyImage, mask: GreyImage): GreyImage {
  assertGreyImage(image, 'applyMask image')
  assertGreyImage(mask, 'applyMask mask')
  assertSameSize(image, mask, 'applyMask: image', 'mask')
  const source = image.data
  const weights = mask.data
  const output = new Float32Array(source.length)
  for (let index = 0; index < source.length; index++) output[index] = source[index] * weights[index]
  return { width: image.width, height: image.height, data: output }
}
