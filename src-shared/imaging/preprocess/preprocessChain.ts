import { applyMask } from './applyMask'
import { clahe, type ClaheOptions } from './clahe'
import { gaussianBlur } from './gaussianBlur'
import { assertGreyImage, assertPositiveSize, assertSameSize, type GreyImage } from './greyImage'
import { histogramEqualize, type HistogramEqualizeOptions } from './histogramEqualize'
import { normalizeIntensity } from './normalizeIntensity'
import { resize, type ResizeInterpolation, type ResizeMode, type ResizePlacement } from './resize'

/** Which equalization opens the chain: the paper's global one, CLAHE, or none. */
export type EqualizeMethod = 'global' | 'clahe' | 'none'

/** Options of {@link preprocessChain}. */
export interface PreprocessChainOptions {
  /** Output size; a number means a square. */
  size: number | { width: number; height: number }
  /** `pad` keeps the aspect ratio (letterbox), `stretch` fills. */
  resizeMode: ResizeMode
  /** `global` is the paper's histogram equalization. */
  equalize: EqualizeMethod
  /** Lung mask in [0, 1], the same size as the image (resample it first if needed). */
  mask?: GreyImage
  /** Gaussian radius (sigma) for the mask, default 3 as in the paper; 0 keeps it sharp. */
  blurRadius?: number
  /** Min-max normalise to [0, 1] after masking (default true, the paper's last step). */
  normalize?: boolean
  /**
   * Resampling; default `area` when the content shrinks along either axis (no
   * aliasing from a 2048-pixel source), `bilinear` when it only grows.
   */
  interpolation?: ResizeInterpolation
  /** Letterbox value in `pad` mode (default 0, the masked-out background). */
  padValue?: number
  /** Passed to {@link histogramEqualize} when `equalize` is `global`. */
  globalOptions?: Omit<HistogramEqualizeOptions, 'mask'>
  /** Passed to {@link clahe} when `equalize` is `clahe`. */
  claheOptions?: ClaheOptions
}

/** Every stage of {@link preprocessChain}, for the viewer to show side by side. */
export interface PreprocessChainResult {
  /** After equalization (a copy of the input when `equalize` is `none`). */
  equalized: GreyImage
  /** The blurred mask, or null without a mask. */
  blurredMask: GreyImage | null
  /** equalized * blurredMask (the equalized image itself without a mask). */
  masked: GreyImage
  /** After min-max normalisation (the masked image itself when `normalize` is false). */
  normalized: GreyImage
  /** The network input: normalized, resized to `size`. */
  final: GreyImage
  /** Where the content sits in `final`, to map masks and points back. */
  placement: ResizePlacement
}

/**
 * The paper's pre-processing (Sec. III-B, Fig. 1) at full resolution, then resized:
 * equalize -> blur the lung mask (radius 3) -> multiply -> normalise to [0, 1] ->
 * resize. Resizing comes last so every step before it sees the full bit depth and
 * resolution; normalising after masking makes the lungs, not the discarded
 * background, span [0, 1]. Intermediate stages are returned for display. Never
 * mutates its inputs.
 */
export function preprocessChain(image: GreyImage, options: PreprocessChainOptions): PreprocessChainResult {
  assertGreyImage(image, 'preprocessChain image')
  const target = typeof options.size === 'number' ? { width: options.size, height: options.size } : options.size
  assertPositiveSize(target.width, target.height, 'preprocessChain size')
  const blurRadius = options.blurRadius ?? 3
  const normalize = options.normalize ?? true
  const mask = options.mask
  // Checked before any work, so a wrong mask fails fast rather than after equalizing.
  if (mask !== undefined) {
    assertGreyImage(mask, 'preprocessChain mask')
    assertSameSize(image, mask, 'preprocessChain: image', 'mask')
    assertUnitRange(mask)
  }

  let equalized: GreyImage
  if (options.equalize === 'global') equalized = histogramEqualize(image, options.globalOptions)
  else if (options.equalize === 'clahe') equalized = clahe(image, options.claheOptions)
  else if (options.equalize === 'none') equalized = { width: image.width, height: image.height, data: new Float32Array(image.data) }
  else throw new RangeError(`preprocessChain: equalize must be 'global', 'clahe' or 'none', got ${String(options.equalize)}`)

  let blurredMask: GreyImage | null = null
  let masked = equalized
  if (mask !== undefined) {
    blurredMask = gaussianBlur(mask, { radius: blurRadius })
    masked = applyMask(equalized, blurredMask)
  }

  // Global equalization already maps the darkest level to exactly 0 and the brightest to exactly 1 (a constant
  // image to all zeros), where min-max normalisation is the identity to the bit: without a mask in between, its two
  // passes over the full-resolution image (a seventh of a training input's preparation) are skipped.
  const alreadyUnit = mask === undefined && options.equalize === 'global'
  const normalized = normalize && !alreadyUnit ? normalizeIntensity(masked) : masked

  // In pad mode both axes use the smaller ratio, so "either axis shrinks" covers both modes.
  const shrinks = target.width < image.width || target.height < image.height
  const interpolation = options.interpolation ?? (shrinks ? 'area' : 'bilinear')
  const { image: final, placement } = resize(normalized, {
    width: target.width,
    height: target.height,
    mode: options.resizeMode,
    interpolation,
    padValue: options.padValue ?? 0,
  })
  return { equalized, blurredMask, masked, normalized, final, placement }
}

/**
 * Rejects masks outside [0, 1]: a 0/255 mask would pass every size check and then
 * scale the lungs by 255, which normalisation would silently hide.
 */
function assertUnitRange(mask: GreyImage): void {
  const data = mask.data
  for (let index = 0; index < data.length; index++) {
    const value = data[index]
    if (!(value >= 0 && value <= 1)) {
      throw new RangeError(`preprocessChain: mask values must lie in [0, 1], found ${value} at sample ${index}`)
    }
  }
}
