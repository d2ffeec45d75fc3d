import { gaussianBlur } from '../imaging/preprocess/gaussianBlur'
import type { GreyImage } from '../imaging/preprocess/greyImage'
import { maskToGrey, type BinaryMask } from './binaryMask'
import { fillHoles, keepLargestComponents, type Connectivity } from './components'
import { threshold } from './threshold'

/** Options of {@link postprocessLungMask}; the defaults are the shipped lung model's. */
export interface LungPostprocessOptions {
  /** Probability at or above which a pixel is lung (default 0.5). */
  threshold?: number
  /** Components kept (default 2: two lungs). */
  keepComponents?: number
  /** Connectivity of the lung components (default 8). */
  connectivity?: Connectivity
  /** Kept components smaller than this fraction of the largest are dropped (default 0.1). */
  minRelativeArea?: number
  /** Fill holes inside the lungs (default true). */
  fillHoles?: boolean
  /** Gaussian radius (sigma) of the soft mask, default 3 px as in the paper (Sec. III-B). */
  blurRadius?: number
}

/** The defaults of {@link LungPostprocessOptions}, recorded in the model card. */
export const LUNG_POSTPROCESS_DEFAULTS: Required<LungPostprocessOptions> = {
  threshold: 0.5,
  keepComponents: 2,
  connectivity: 8,
  minRelativeArea: 0.1,
  fillHoles: true,
  blurRadius: 3,
}

/** The binary lung mask and the soft one the preprocessing chain multiplies with. */
export interface LungMasks {
  /** 0/255. */
  mask: BinaryMask
  /** The binary mask blurred with a Gaussian of `blurRadius`, values in [0, 1]. */
  blurred: GreyImage
}

/**
 * Turns a lung probability map into the paper's mask: threshold → keep the two largest components (drops
 * specks the network lit outside the chest) → fill holes (keeps dense opacities inside the lung, which is
 * where COVID-19 shows) → Gaussian blur of 3 px so the masked image has no sharp edge a CNN could use.
 */
export function postprocessLungMask(probability: GreyImage, options: LungPostprocessOptions = {}): LungMasks {
  const settings = { ...LUNG_POSTPROCESS_DEFAULTS, ...options }
  let mask = threshold(probability, settings.threshold)
  mask = keepLargestComponents(mask, settings.keepComponents, { connectivity: settings.connectivity, minRelativeArea: settings.minRelativeArea })
  if (settings.fillHoles) mask = fillHoles(mask, { backgroundConnectivity: settings.connectivity === 8 ? 4 : 8 })
  return { mask, blurred: blurMask(mask, settings.blurRadius) }
}

/** A binary mask as a soft [0, 1] mask: Gaussian blur of `radius` px (sigma, Pillow's convention; default 3). */
export function blurMask(mask: BinaryMask, radius = 3): GreyImage {
  return gaussianBlur(maskToGrey(mask), { radius })
}
