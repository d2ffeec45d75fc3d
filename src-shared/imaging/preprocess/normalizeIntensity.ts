import { assertGreyImage, type GreyImage } from './greyImage'
import { percentiles } from './percentiles'

/** Options of {@link normalizeIntensity}. */
export interface NormalizeIntensityOptions {
  /** Percentile in [0, 100] mapped to 0; lower values are clipped. Default 0 (the minimum). */
  low?: number
  /** Percentile in [0, 100] mapped to 1; higher values are clipped. Default 100 (the maximum). */
  high?: number
}

/**
 * Min-max normalisation to [0, 1], the paper's last pre-processing step, optionally
 * robust to outliers by clipping at the `low` / `high` percentiles (numpy's linear
 * percentile rule, see {@link percentiles}).
 *
 * A constant image (or a percentile window of zero width) has no contrast to stretch
 * and becomes all zeros rather than 0/0 = NaN, which would poison a whole training
 * batch. NaN samples throw. O(N), percentiles included (see {@link percentiles}).
 */
export function normalizeIntensity(image: GreyImage, options: NormalizeIntensityOptions = {}): GreyImage {
  assertGreyImage(image, 'normalizeIntensity image')
  const lowPercent = options.low ?? 0
  const highPercent = options.high ?? 100
  if (!(lowPercent >= 0 && lowPercent <= 100) || !(highPercent >= 0 && highPercent <= 100)) {
    throw new RangeError(`normalizeIntensity: low and high are percentiles within [0, 100], got ${lowPercent} and ${highPercent}`)
  }
  if (lowPercent >= highPercent) {
    throw new RangeError(`normalizeIntensity: low (${lowPercent}) must be below high (${highPercent})`)
  }
  const source = image.data
  const output = new Float32Array(source.length)
  const result: GreyImage = { width: image.width, height: image.height, data: output }

  const { minimum, maximum } = valueRange(source)
  if (!Number.isFinite(minimum) || !Number.isFinite(maximum)) {
    throw new RangeError(`normalizeIntensity: samples must be finite, found range [${minimum}, ${maximum}]`)
  }

  let lowValue = minimum
  let highValue = maximum
  if (lowPercent > 0 || highPercent < 100) {
    ;[lowValue, highValue] = percentiles(source, [lowPercent, highPercent])
  }
  if (!(highValue > lowValue)) return result
  stretchToUnit(source, output, lowValue, 1 / (highValue - lowValue))
  return result
}

// The two passes are separate small functions because V8 optimises such tight loops
// far better than the same loops inlined in one long function.

/** Smallest and largest sample; NaN throws, since it fails every comparison. */
function valueRange(source: Float32Array): { minimum: number; maximum: number } {
  let minimum = Infinity
  let maximum = -Infinity
  for (let index = 0; index < source.length; index++) {
    const value = source[index]
    if (value !== value) throw new RangeError(`normalizeIntensity: sample ${index} is NaN`)
    if (value < minimum) minimum = value
    if (value > maximum) maximum = value
  }
  return { minimum, maximum }
}

/** (value - low) * scale, clipped to [0, 1]. */
function stretchToUnit(source: Float32Array, output: Float32Array, low: number, scale: number): void {
  for (let index = 0; index < source.length; index++) {
    const value = (source[index] - low) * scale
    output[index] = value < 0 ? 0 : value > 1 ? 1 : value
  }
}
