import { createGreyImage, type GreyImage } from './preprocess/greyImage'

/** The part of a decoded image that decides how its grey values read. */
export interface PresentationSource {
  width: number
  height: number
  /** One value per pixel after the Modality LUT. */
  pixels: Float32Array
  /** MONOCHROME1: the smallest value is white. */
  invert: boolean
  pixelRange: { min: number; max: number }
}

/**
 * The image as a radiologist reads it, before any windowing: higher value = brighter, on the modality's own
 * scale. MONOCHROME1 files are flipped within their range (max + min − v), so that histogram equalization, lung
 * segmentation and the classifier see bone as bright whatever the vendor's convention. The one entry point from
 * decoded pixels to the preprocessing chain, shared by the viewer, the CLI and training.
 */
export function toPresentationGrey(source: PresentationSource): GreyImage {
  if (!source.invert) return createGreyImage(source.width, source.height, source.pixels)
  const { min, max } = source.pixelRange
  const flipped = new Float32Array(source.pixels.length)
  const total = min + max
  for (let i = 0; i < flipped.length; i++) flipped[i] = total - source.pixels[i]
  return createGreyImage(source.width, source.height, flipped)
}
