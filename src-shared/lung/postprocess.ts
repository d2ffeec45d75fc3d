import { extendedBoxRadius } from '../imaging/preprocess/extendedBoxRadius'
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

/** Box passes per axis of `gaussianBlur`'s default (`box`) method, Pillow's. */
const BLUR_PASSES = 3

/**
 * A binary mask as a soft [0, 1] mask: Gaussian blur of `radius` px (sigma, Pillow's convention; default 3).
 *
 * Bit for bit `gaussianBlur(maskToGrey(mask), { radius })`, but blurring only the mask's bounding box widened by
 * the blur's reach, where the result can be non-zero: lungs cover about a third of a radiograph, and the full
 * blur was a third of the post-processing time at 1024 px. The crop gives the same floats because every running
 * sum of the extended box blur is exact in double precision when the values stay within 53 bits of each other:
 * they are non-negative, at most 1 and at least (scale · fraction)^passes of a mask value, which
 * {@link cropBlurIsExact} checks (radius 3 has 4 bits to spare); outside the widened box both are exactly 0.
 * A radius where that does not hold blurs the whole image.
 */
export function blurMask(mask: BinaryMask, radius = 3): GreyImage {
  const box = boundingBox(mask)
  if (radius === 0 || box === null || !cropBlurIsExact(radius)) return gaussianBlur(maskToGrey(mask), { radius })
  const { width, height } = mask
  // Each box pass reaches whole + 1 pixels (its outer fractional taps); one pixel more for safety.
  const reach = BLUR_PASSES * (Math.floor(extendedBoxRadius(radius, BLUR_PASSES)) + 1) + 1
  const left = Math.max(0, box.left - reach)
  const top = Math.max(0, box.top - reach)
  const cropWidth = Math.min(width, box.right + reach + 1) - left
  const cropHeight = Math.min(height, box.bottom + reach + 1) - top
  const crop = new Float32Array(cropWidth * cropHeight)
  for (let row = 0; row < cropHeight; row++) {
    const source = (top + row) * width + left
    for (let column = 0; column < cropWidth; column++) if (mask.data[source + column] !== 0) crop[row * cropWidth + column] = 1
  }
  const blurred = gaussianBlur({ width: cropWidth, height: cropHeight, data: crop }, { radius }).data
  const data = new Float32Array(width * height)
  for (let row = 0; row < cropHeight; row++) data.set(blurred.subarray(row * cropWidth, (row + 1) * cropWidth), (top + row) * width + left)
  return { width, height, data }
}

/**
 * True when every running sum of the extended box blur of a 0/1 image is exact in double precision, so that
 * where a sum starts (the image's edge or a crop's) cannot change its value: all values are non-negative
 * multiples of the float32 quantum of the smallest non-zero value, which each pass shrinks by at most
 * scale · fraction (a non-zero output holds at least one non-zero input at that weight; less a margin for the
 * float32 rounding), and the sums stay below the box width.
 */
export function cropBlurIsExact(radius: number): boolean {
  const boxRadius = extendedBoxRadius(radius, BLUR_PASSES)
  const whole = Math.floor(boxRadius)
  const fraction = boxRadius - whole
  const scale = 1 / (2 * boxRadius + 1)
  const shrink = scale * (fraction > 0 ? fraction : 1) * (1 - 2 ** -20)
  // The inputs of the last of the 2 × passes passes are the smallest.
  const smallest = shrink ** (2 * BLUR_PASSES - 1)
  const quantumExponent = Math.floor(Math.log2(smallest)) - 23
  const sumExponent = Math.ceil(Math.log2(2 * whole + 3)) + 1
  return sumExponent - quantumExponent <= 53
}

/** Inclusive bounds of the inside pixels, null for an empty mask. */
function boundingBox(mask: BinaryMask): { left: number; top: number; right: number; bottom: number } | null {
  const { width, height, data } = mask
  let left = width
  let right = -1
  let top = -1
  let bottom = -1
  for (let y = 0; y < height; y++) {
    const rowStart = y * width
    let first = -1
    for (let x = 0; x < width; x++) {
      if (data[rowStart + x] !== 0) {
        first = x
        break
      }
    }
    if (first < 0) continue
    if (top < 0) top = y
    bottom = y
    if (first < left) left = first
    for (let x = width - 1; x > right; x--) {
      if (data[rowStart + x] !== 0) {
        right = x
        break
      }
    }
  }
  return top < 0 ? null : { left, top, right, bottom }
}
