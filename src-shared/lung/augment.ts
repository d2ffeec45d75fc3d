import { clahe } from '../imaging/preprocess/clahe'
import { gaussianBlur } from '../imaging/preprocess/gaussianBlur'
import { assertGreyImage, assertSameSize, type GreyImage } from '../imaging/preprocess/greyImage'
import { createRandom, type RandomSource } from '../metrics/random'

/**
 * Ranges of the random transforms. Symmetric ones are drawn uniformly in [−r, r] (scale: [1 − r, 1 + r]); the
 * one-sided ones (CLAHE weight, blur, noise) in [0, r]. The fields after `contrast` are optional and 0 (off)
 * when absent, so ranges written before they existed keep their meaning.
 */
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
  /**
   * Relative change of the aspect ratio: width × (1 + a), height ÷ (1 + a). Radiographs of every shape are
   * stretched to a square network input, so the lungs' proportions vary between sources more than positioning
   * alone explains.
   */
  aspect?: number
  /** Gamma drawn as exp(u), u in [−r, r]: 0.4 gives 0.67–1.49, a darker or brighter mid-range at fixed ends. */
  gamma?: number
  /**
   * Weight w in [0, r] of a blend (1 − w) · image + w · CLAHE(image): local contrast as another site's
   * processing (or the app's own CLAHE option) would give it, on top of the global equalization every input has.
   */
  clahe?: number
  /** Gaussian blur of the image, sigma in [0, r] pixels at the network size (detector blur, upscaled sources). */
  blurSigma?: number
  /** Additive Gaussian noise, standard deviation in [0, r] of the [0, 1] range (quantum noise, JPEG grain). */
  noise?: number
}

/**
 * Positioning and exposure only: the ranges of the first shipped model (2026-11, 8 filters on wasm). No flip of
 * any kind: the heart sits on the patient's left (a horizontal flip would teach an anatomy the network never
 * meets) and radiographs are never shown upside down.
 */
export const BASIC_AUGMENTATION: AugmentationRanges = {
  rotationDegrees: 10,
  shift: 0.06,
  scale: 0.1,
  brightness: 0.1,
  contrast: 0.15,
}

/**
 * Positioning, proportions, exposure, local processing, sharpness and noise: the differences between the
 * collection's sources (scanned film, screenshots from papers, portable AP) that a held-out source brings.
 * Still no flips, and rotations stay within what positioning gives (±10°).
 */
export const STRONG_AUGMENTATION: AugmentationRanges = {
  rotationDegrees: 10,
  shift: 0.08,
  scale: 0.15,
  brightness: 0.1,
  contrast: 0.25,
  aspect: 0.1,
  gamma: 0.4,
  clahe: 0.6,
  blurSigma: 1.5,
  noise: 0.03,
}

/** The named augmentation settings `cxr train-lungs --augmentation` accepts (`none`: no augmentation). */
export const AUGMENTATION_PRESETS = { none: null, basic: BASIC_AUGMENTATION, strong: STRONG_AUGMENTATION } as const satisfies Record<string, AugmentationRanges | null>

/** A name of {@link AUGMENTATION_PRESETS}. */
export type AugmentationPreset = keyof typeof AUGMENTATION_PRESETS

/** The shipped lung model's augmentation. */
export const DEFAULT_AUGMENTATION: AugmentationRanges = STRONG_AUGMENTATION

/** One drawn transform. */
export interface AugmentationParameters {
  rotationDegrees: number
  /** Shift in pixels. */
  shiftX: number
  shiftY: number
  scale: number
  brightness: number
  contrast: number
  /** Width is scaled by `scale · aspect`, height by `scale / aspect` (1: none). */
  aspect: number
  /** Exponent applied to the [0, 1] intensities (1: none). */
  gamma: number
  /** Weight of the CLAHE image in the blend (0: none). */
  claheWeight: number
  /** Gaussian sigma in pixels (0: none). */
  blurSigma: number
  /** Standard deviation of the additive noise (0: none). */
  noiseStd: number
  /** Seeds the noise field, so one draw from the run's stream fixes every pixel's noise. */
  noiseSeed: number
}

/** The identity transform. */
export const NO_AUGMENTATION: AugmentationParameters = {
  rotationDegrees: 0,
  shiftX: 0,
  shiftY: 0,
  scale: 1,
  brightness: 0,
  contrast: 1,
  aspect: 1,
  gamma: 1,
  claheWeight: 0,
  blurSigma: 0,
  noiseStd: 0,
  noiseSeed: 0,
}

/** Draws {@link sampleAugmentation} takes from its source per call, whatever the ranges. */
export const AUGMENTATION_DRAWS = 12

/**
 * Draws one transform for an image of the given size from a seeded source, always {@link AUGMENTATION_DRAWS}
 * draws in the same order (a range of 0 still draws), so a seed fixes the whole augmentation stream of a
 * training run. The first six are those of the original five ranges, in their original order.
 */
export function sampleAugmentation(random: RandomSource, width: number, height: number, ranges: AugmentationRanges = DEFAULT_AUGMENTATION): AugmentationParameters {
  const symmetric = (range: number) => (2 * random() - 1) * range
  const upTo = (range: number | undefined) => random() * (range ?? 0)
  return {
    rotationDegrees: symmetric(ranges.rotationDegrees),
    shiftX: symmetric(ranges.shift) * width,
    shiftY: symmetric(ranges.shift) * height,
    scale: 1 + symmetric(ranges.scale),
    brightness: symmetric(ranges.brightness),
    contrast: 1 + symmetric(ranges.contrast),
    aspect: 1 + symmetric(ranges.aspect ?? 0),
    gamma: Math.exp(symmetric(ranges.gamma ?? 0)),
    claheWeight: upTo(ranges.clahe),
    blurSigma: upTo(ranges.blurSigma),
    noiseStd: upTo(ranges.noise),
    noiseSeed: Math.floor(random() * 0x100000000),
  }
}

/** An augmented image and its mask. */
export interface AugmentedPair {
  image: GreyImage
  mask: GreyImage
}

/**
 * Applies one geometric transform identically to an image and its mask, then the intensity changes to the
 * image only. The image is sampled bilinearly; the mask by nearest neighbour, so it stays binary and no soft
 * label appears that the ground truth never had. Pixels brought in from outside the image are 0 (black, and
 * not lung), as the letterbox of the classifier's chain.
 *
 * The transform maps an output pixel centre p to the source point c + S⁻¹R(−θ)(p − c − t), with c the image
 * centre, t the shift and S = diag(scale · aspect, scale / aspect): stretch and rotate about the centre, then
 * shift.
 *
 * Intensities, in the order an acquisition would apply them: gamma, contrast about mid-grey and brightness
 * (exposure and windowing), the CLAHE blend (local processing), blur (detector and resampling), noise; each
 * stage's result is clamped to [0, 1], the input range the network is trained for.
 */
export function augmentPair(image: GreyImage, mask: GreyImage, parameters: AugmentationParameters): AugmentedPair {
  assertGreyImage(image, 'augmentPair image')
  assertGreyImage(mask, 'augmentPair mask')
  assertSameSize(image, mask, 'augmentPair image', 'mask')
  const { width, height } = image
  const angle = (parameters.rotationDegrees * Math.PI) / 180
  const scaleX = parameters.scale * parameters.aspect
  const scaleY = parameters.scale / parameters.aspect
  const cos = Math.cos(angle)
  const sin = Math.sin(angle)
  const centreX = width / 2
  const centreY = height / 2
  const outImage = new Float32Array(width * height)
  const outMask = new Float32Array(width * height)
  const { brightness, contrast, gamma } = parameters
  const source = image.data
  const labels = mask.data
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const dx = u + 0.5 - centreX - parameters.shiftX
      const dy = v + 0.5 - centreY - parameters.shiftY
      // Source position in pixel-centre coordinates (pixel k has its centre at k + 0.5).
      const sx = centreX + (cos * dx + sin * dy) / scaleX - 0.5
      const sy = centreY + (-sin * dx + cos * dy) / scaleY - 0.5
      const index = v * width + u
      const nearestX = Math.round(sx)
      const nearestY = Math.round(sy)
      if (nearestX >= 0 && nearestX < width && nearestY >= 0 && nearestY < height) outMask[index] = labels[nearestY * width + nearestX]
      const value = bilinearOrZero(source, width, height, sx, sy)
      const adjusted = ((gamma === 1 ? value : value ** gamma) - 0.5) * contrast + 0.5 + brightness
      outImage[index] = clampUnit(adjusted)
    }
  }
  let result: GreyImage = { width, height, data: outImage }
  if (parameters.claheWeight > 0) result = blendClahe(result, parameters.claheWeight)
  if (parameters.blurSigma > 0) result = gaussianBlur(result, { radius: parameters.blurSigma })
  if (parameters.noiseStd > 0) addGaussianNoise(result.data, parameters.noiseStd, parameters.noiseSeed)
  return { image: result, mask: { width, height, data: outMask } }
}

/**
 * Tiles of the CLAHE in the blend: 8 × 8 and clip limit 2, OpenCV's defaults and those of the app's CLAHE
 * option, over the [0, 1] range (not the image's own min and max, so a dark image stays dark).
 */
const CLAHE_SETTINGS = { tileGridSize: 8, clipLimit: 2, range: [0, 1] as const }

function blendClahe(image: GreyImage, weight: number): GreyImage {
  const local = clahe(image, CLAHE_SETTINGS).data
  const data = new Float32Array(image.data.length)
  for (let index = 0; index < data.length; index++) data[index] = clampUnit((1 - weight) * image.data[index] + weight * local[index])
  return { width: image.width, height: image.height, data }
}

/** Adds N(0, std²) noise in place (Box–Muller from its own seeded source) and clamps to [0, 1]. */
function addGaussianNoise(data: Float32Array, std: number, seed: number): void {
  const random = createRandom(seed)
  for (let index = 0; index < data.length; index += 2) {
    // 1 − u keeps the logarithm's argument in (0, 1].
    const radius = std * Math.sqrt(-2 * Math.log(1 - random()))
    const angle = 2 * Math.PI * random()
    data[index] = clampUnit(data[index] + radius * Math.cos(angle))
    if (index + 1 < data.length) data[index + 1] = clampUnit(data[index + 1] + radius * Math.sin(angle))
  }
}

function clampUnit(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value
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
