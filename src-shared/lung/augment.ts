import { assertGreyImage, assertSameSize, type GreyImage } from '../imaging/preprocess/greyImage'
import type { RandomSource } from '../metrics/random'

/** Ranges of the random transforms; each is drawn uniformly in [−r, r] (scale: [1 − r, 1 + r]). */
export interface AugmentationRanges {
  /** Rotation in degrees about the image centre (default 10). */
  rotationDegrees: number
  /** Shift as a fraction of the image side, per axis (default 0.06). */
  shift: number
  /** Relative zoom (default 0.1: 0.9–1.1). */
  scale: number
  /** Added to the [0, 1] intensities (default 0.1). */
  brightness: number
  /** Relative contrast about mid-grey (default 0.15: 0.85–1.15). */
  contrast: number
}

/**
 * Small, anatomically plausible changes of positioning and exposure. No horizontal flip: the heart sits on
 * the patient's left, and a flipped chest would teach the network an anatomy it never meets.
 */
export const DEFAULT_AUGMENTATION: AugmentationRanges = {
  rotationDegrees: 10,
  shift: 0.06,
  scale: 0.1,
  brightness: 0.1,
  contrast: 0.15,
}

/** One drawn transform. */
export interface AugmentationParameters {
  rotationDegrees: number
  /** Shift in pixels. */
  shiftX: number
  shiftY: number
  scale: number
  brightness: number
  contrast: number
}

/** The identity transform. */
export const NO_AUGMENTATION: AugmentationParameters = { rotationDegrees: 0, shiftX: 0, shiftY: 0, scale: 1, brightness: 0, contrast: 1 }

/**
 * Draws one transform for an image of the given size from a seeded source, always six draws in the same
 * order, so a seed fixes the whole augmentation stream of a training run.
 */
export function sampleAugmentation(random: RandomSource, width: number, height: number, ranges: AugmentationRanges = DEFAULT_AUGMENTATION): AugmentationParameters {
  const symmetric = (range: number) => (2 * random() - 1) * range
  return {
    rotationDegrees: symmetric(ranges.rotationDegrees),
    shiftX: symmetric(ranges.shift) * width,
    shiftY: symmetric(ranges.shift) * height,
    scale: 1 + symmetric(ranges.scale),
    brightness: symmetric(ranges.brightness),
    contrast: 1 + symmetric(ranges.contrast),
  }
}

/** An augmented image and its mask. */
export interface AugmentedPair {
  image: GreyImage
  mask: GreyImage
}

/**
 * Applies one geometric transform identically to an image and its mask, then brightness/contrast to the image
 * only. The image is sampled bilinearly; the mask by nearest neighbour, so it stays binary and no soft label
 * appears that the ground truth never had. Pixels brought in from outside the image are 0 (black, and not
 * lung), as the letterbox of the classifier's chain. Intensities are clamped to [0, 1].
 *
 * The transform maps an output pixel centre p to the source point c + R(−θ)(p − c − t) / s, with c the image
 * centre, t the shift and s the scale: rotate and zoom about the centre, then shift.
 */
export function augmentPair(image: GreyImage, mask: GreyImage, parameters: AugmentationParameters): AugmentedPair {
  assertGreyImage(image, 'augmentPair image')
  assertGreyImage(mask, 'augmentPair mask')
  assertSameSize(image, mask, 'augmentPair image', 'mask')
  const { width, height } = image
  const angle = (parameters.rotationDegrees * Math.PI) / 180
  const cos = Math.cos(angle) / parameters.scale
  const sin = Math.sin(angle) / parameters.scale
  const centreX = width / 2
  const centreY = height / 2
  const outImage = new Float32Array(width * height)
  const outMask = new Float32Array(width * height)
  const { brightness, contrast } = parameters
  const source = image.data
  const labels = mask.data
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const dx = u + 0.5 - centreX - parameters.shiftX
      const dy = v + 0.5 - centreY - parameters.shiftY
      // Source position in pixel-centre coordinates (pixel k has its centre at k + 0.5).
      const sx = centreX + cos * dx + sin * dy - 0.5
      const sy = centreY - sin * dx + cos * dy - 0.5
      const index = v * width + u
      const nearestX = Math.round(sx)
      const nearestY = Math.round(sy)
      if (nearestX >= 0 && nearestX < width && nearestY >= 0 && nearestY < height) outMask[index] = labels[nearestY * width + nearestX]
      const value = bilinearOrZero(source, width, height, sx, sy)
      const adjusted = (value - 0.5) * contrast + 0.5 + brightness
      outImage[index] = adjusted < 0 ? 0 : adjusted > 1 ? 1 : adjusted
    }
  }
  return { image: { width, height, data: outImage }, mask: { width, height, data: outMask } }
}

/**
 * Bilinear sample at (x, y) in pixel-centre coordinates; taps outside the image count as 0, so content fades
 * out over one pixel at the border instead of smearing the edge row across the gap.
 */
function bilinearOrZero(data: Float32Array, width: number, height: number, x: number, y: number): number {
  const left = Math.floor(x)
  const top = Math.floor(y)
  if (left < -1 || top < -1 || left >= width || top >= height) return 0
  const fx = x - left
  const fy = y - top
  const at = (column: number, row: number) => (column >= 0 && column < width && row >= 0 && row < height ? data[row * width + column] : 0)
  const upper = at(left, top) * (1 - fx) + at(left + 1, top) * fx
  const lower = at(left, top + 1) * (1 - fx) + at(left + 1, top + 1) * fx
  return upper * (1 - fy) + lower * fy
}
