import { histogramEqualize, resize, type GreyImage, type ResizeMode, type ResizePlacement } from '@shared/imaging/preprocess'
import { threshold, type BinaryMask } from '@shared/lung'

/** The U-Net's input and where the radiograph sits in it. */
export interface UNetInput {
  /** size × size, values in [0, 1]. */
  image: GreyImage
  placement: ResizePlacement
}

/**
 * The U-Net sees what the classifier sees: presentation grey (bone bright) → global histogram equalization at
 * full bit depth → resize to the network size ('area' when shrinking, so a 2048-pixel radiograph does not
 * alias; 'bilinear' when enlarging), as `preprocessChain` does, minus the mask it is about to produce. Equalizing
 * also removes the per-source windowing differences the segmentation data has.
 */
export function prepareUNetInput(grey: GreyImage, size: number, resizeMode: ResizeMode): UNetInput {
  const equalized = histogramEqualize(grey)
  const shrinks = size < grey.width || size < grey.height
  const { image, placement } = resize(equalized, { width: size, height: size, mode: resizeMode, interpolation: shrinks ? 'area' : 'bilinear' })
  return { image, placement }
}

/**
 * A ground-truth mask at the network size, as 0/1 floats: area-averaged (the fraction of each target pixel
 * that is lung) and thresholded at one half, which places the border where a nearest-neighbour resize of a
 * thin structure could drop or double it.
 */
export function prepareMaskTarget(mask: BinaryMask, size: number, resizeMode: ResizeMode): GreyImage {
  const unit = new Float32Array(mask.data.length)
  for (let index = 0; index < unit.length; index++) unit[index] = mask.data[index] !== 0 ? 1 : 0
  const shrinks = size < mask.width || size < mask.height
  const { image } = resize({ width: mask.width, height: mask.height, data: unit }, { width: size, height: size, mode: resizeMode, interpolation: shrinks ? 'area' : 'bilinear' })
  const binary = threshold(image, 0.5)
  const data = new Float32Array(binary.data.length)
  for (let index = 0; index < data.length; index++) data[index] = binary.data[index] !== 0 ? 1 : 0
  return { width: size, height: size, data }
}
