import { assertGreyImage, assertSameSize, type GreyImage } from './greyImage'

/** Options of {@link histogramEqualize}. */
export interface HistogramEqualizeOptions {
  /**
   * Bins for inputs that are not integer-valued (default 65536, about 16-bit
   * resolution). Integer-valued inputs ignore it and get one bin per integer level,
   * so 10/12/16-bit stored values are never merged.
   */
  bins?: number
  /**
   * Optional region: only pixels where the mask is >= 0.5 feed the histogram (0.5 so a
   * blurred or resampled mask counts its own inside, not its soft halo). Every pixel is
   * still mapped; values outside the region's range map to 0 or 1.
   */
  mask?: GreyImage
}

/**
 * Integer-valued ranges wider than this fall back to `bins`; 2^20 covers any stored
 * DICOM depth (<= 16 bits, signed or not) while keeping the histogram at 4 MB.
 */
const MAX_INTEGER_BINS = 1 << 20

/** Mask values at or above this count as inside (see {@link HistogramEqualizeOptions.mask}). */
const MASK_THRESHOLD = 0.5

/**
 * Global histogram equalization at the image's full bit depth, output in [0, 1].
 *
 * Mapping (OpenCV's `equalizeHist`, without its rounding to 8 bits): with `cdf(b)`
 * the number of counted pixels in bins 0..b, N the number counted and `cdfMin` the
 * count of the lowest occupied bin, a pixel in bin b becomes
 * `(cdf(b) - cdfMin) / (N - cdfMin)`. The darkest level maps to exactly 0, the
 * brightest to exactly 1, and the mapping rises strictly at every occupied bin, so
 * distinct occupied levels stay distinct.
 * skimage's `cdf(b) / N` was rejected because its output floor equals the fraction of
 * pixels at the darkest level, i.e. how much black border or collimation an image has:
 * a per-dataset offset, which is exactly the bias the paper equalizes to remove.
 *
 * Bins: integer-valued data gets one bin per integer between its min and max (a 12-bit
 * image keeps all 4096 levels distinct); other data gets `bins` equal-width bins over
 * [min, max]. A constant image, or an empty mask, has no contrast to spread and yields
 * all zeros, matching {@link normalizeIntensity}. Non-finite samples throw.
 *
 * O(N + bins); never mutates its inputs.
 */
export function histogramEqualize(image: GreyImage, options: HistogramEqualizeOptions = {}): GreyImage {
  assertGreyImage(image, 'histogramEqualize image')
  const bins = options.bins ?? 65536
  if (!Number.isInteger(bins) || bins < 2) {
    throw new RangeError(`histogramEqualize: bins must be an integer >= 2, got ${bins}`)
  }
  const mask = options.mask
  if (mask !== undefined) {
    assertGreyImage(mask, 'histogramEqualize mask')
    assertSameSize(image, mask, 'histogramEqualize image', 'mask')
  }

  const source = image.data
  const total = source.length
  const fast = mask === undefined ? levelsKernel(source) : undefined
  if (fast) return { width: image.width, height: image.height, data: fast }
  const output = new Float32Array(total)
  const result: GreyImage = { width: image.width, height: image.height, data: output }

  const range = scanRange(source, mask?.data)
  if (range.counted === 0) return result
  const { minimum, maximum } = range
  if (!Number.isFinite(minimum) || !Number.isFinite(maximum)) {
    throw new RangeError(`histogramEqualize: samples must be finite, found range [${minimum}, ${maximum}]`)
  }
  if (minimum === maximum) return result

  // Integer data: bin = value - minimum exactly. Otherwise equal-width bins over [min, max].
  const useIntegerBins = range.integerValued && maximum - minimum + 1 <= MAX_INTEGER_BINS
  const binCount = useIntegerBins ? maximum - minimum + 1 : bins
  const binScale = useIntegerBins ? 1 : bins / (maximum - minimum)
  const histogram = countBins(source, mask?.data, minimum, binScale, binCount)

  // Bin 0 always holds the minimum, so cdfMin is simply its count.
  const cdfMinimum = histogram[0]
  const denominator = range.counted - cdfMinimum
  const lookup = new Float32Array(binCount)
  let cumulative = 0
  for (let bin = 0; bin < binCount; bin++) {
    cumulative += histogram[bin]
    lookup[bin] = (cumulative - cdfMinimum) / denominator
  }
  mapThroughLookup(source, output, minimum, binScale, lookup)
  return result
}

/**
 * The fast path's kernel: a whole image of integer levels equalized into a new array, or undefined (a sample that is
 * fractional, out of range or not finite) for the general path to take the image.
 */
export type EqualizeLevelsKernel = (source: Float32Array) => Float32Array | undefined

function typescriptLevelsKernel(source: Float32Array): Float32Array | undefined {
  const output = new Float32Array(source.length)
  return equalizeStoredLevels(source, output) ? output : undefined
}

let levelsKernel: EqualizeLevelsKernel = typescriptLevelsKernel

/**
 * Use a faster kernel for the fast path on this thread (the main process installs its native addon's), or the
 * TypeScript one again with undefined. The kernel must give the TypeScript one's output to the bit: cached network
 * inputs are keyed by settings, not by the code that made them.
 */
export function useEqualizeLevelsKernel(kernel: EqualizeLevelsKernel | undefined): void {
  levelsKernel = kernel ?? typescriptLevelsKernel
}

/**
 * Lowest level of the fast path: every signed or unsigned 16-bit stored value, and any modality value a
 * rescale of them usually gives, lies in [-LEVEL_OFFSET, LEVEL_COUNT - LEVEL_OFFSET).
 */
const LEVEL_OFFSET = 32768
const LEVEL_COUNT = 65536 + LEVEL_OFFSET

/**
 * The usual case, whole images of integer levels within 16-bit range (decoded radiographs), in two passes
 * instead of three: the histogram is counted by level directly, so the range comes from its first and last
 * occupied bins rather than from a pass of its own. Bins, cdf and lookup are those of the general path (one
 * bin per integer from the minimum up, the same double arithmetic rounded once to float32), so the output
 * is the same to the bit. Returns false, having written nothing, for an image with a sample that is fractional,
 * out of range or not finite: the general path then handles it (and reports NaN).
 */
function equalizeStoredLevels(source: Float32Array, output: Float32Array): boolean {
  const histogram = countLevels(source)
  if (histogram === undefined) return false
  let lowest = 0
  while (lowest < LEVEL_COUNT - 1 && histogram[lowest] === 0) lowest++
  let highest = LEVEL_COUNT - 1
  while (highest > lowest && histogram[highest] === 0) highest--
  const cdfMinimum = histogram[lowest]
  const denominator = source.length - cdfMinimum
  const lookup = new Float32Array(highest + 1)
  let cumulative = 0
  for (let level = lowest; level <= highest; level++) {
    cumulative += histogram[level]
    lookup[level] = (cumulative - cdfMinimum) / denominator
  }
  histogram.fill(0, lowest, highest + 1)
  // Levels outside the table went uncounted (see countLevels): then the general path takes the image.
  if (cumulative !== source.length) return false
  // A constant image has no contrast to spread: all zeros, as the output already is.
  if (lowest !== highest) mapLevels(source, output, lookup)
  return true
}

/**
 * The level counts, kept zeroed between calls: a fresh 384 KB table per image costs more than counting a small
 * image. Single-threaded JavaScript never runs two equalizations at once. Two tables, for even and odd samples:
 * neighbouring pixels of a radiograph often share a level, and two increments of one counter in a row wait for
 * each other, while increments of two tables do not (≈ 25 % faster counting on a real 1760² image).
 */
let levelCounts: Uint32Array | undefined
let oddLevelCounts: Uint32Array | undefined

/**
 * Count of each level (offset by LEVEL_OFFSET) in the shared table, or undefined, with the tables zeroed again, at
 * the first sample that is not an integer. An integer level outside the table is not counted at all, since a
 * typed-array write past either end does nothing: the caller finds the counts short of the samples. That keeps
 * the loop to one test per sample, which matters at millions of samples.
 */
function countLevels(source: Float32Array): Uint32Array | undefined {
  levelCounts ??= new Uint32Array(LEVEL_COUNT)
  oddLevelCounts ??= new Uint32Array(LEVEL_COUNT)
  const even = levelCounts
  const odd = oddLevelCounts
  const paired = source.length - (source.length % 2)
  for (let index = 0; index < paired; index += 2) {
    const first = source[index]
    const second = source[index + 1]
    const firstLevel = first | 0
    const secondLevel = second | 0
    // `| 0` of a fraction, NaN, an infinity or a value past 2^31 differs from it.
    if (firstLevel !== first || secondLevel !== second) return discardCounts(even, odd)
    even[firstLevel + LEVEL_OFFSET]++
    odd[secondLevel + LEVEL_OFFSET]++
  }
  if (paired < source.length) {
    const last = source[paired]
    const level = last | 0
    if (level !== last) return discardCounts(even, odd)
    even[level + LEVEL_OFFSET]++
  }
  for (let level = 0; level < LEVEL_COUNT; level++) even[level] += odd[level]
  odd.fill(0)
  return even
}

function discardCounts(even: Uint32Array, odd: Uint32Array): undefined {
  even.fill(0)
  odd.fill(0)
  return undefined
}

/** Every sample through the lookup; the counts have shown that each is an integer level within it. */
function mapLevels(source: Float32Array, output: Float32Array, lookup: Float32Array): void {
  for (let index = 0; index < source.length; index++) output[index] = lookup[(source[index] | 0) + LEVEL_OFFSET]
}

/** What {@link scanRange} found among the counted pixels. */
interface ScannedRange {
  minimum: number
  maximum: number
  integerValued: boolean
  counted: number
}

// The three passes below are separate small functions because V8 optimises such
// tight loops far better than the same loops inlined in one long function (measured
// about 2x on 4 megapixels).

/**
 * Range, integer test and count of the counted pixels (all, or the mask's inside).
 * NaN anywhere throws: it fails every comparison, so it would otherwise slip through.
 */
function scanRange(source: Float32Array, mask: Float32Array | undefined): ScannedRange {
  let minimum = Infinity
  let maximum = -Infinity
  let integerValued = true
  let counted = 0
  for (let index = 0; index < source.length; index++) {
    const value = source[index]
    if (value !== value) throw new RangeError(`histogramEqualize: sample ${index} is NaN`)
    if (mask !== undefined && !(mask[index] >= MASK_THRESHOLD)) continue
    counted++
    if (value < minimum) minimum = value
    if (value > maximum) maximum = value
    // `| 0` settles the common case cheaply; Math.floor only sees fractions and |v| >= 2^31.
    if (integerValued && (value | 0) !== value && Math.floor(value) !== value) integerValued = false
  }
  return { minimum, maximum, integerValued, counted }
}

/**
 * Histogram of the counted pixels. `| 0` truncates like floor for these offsets,
 * which are >= 0 and below 2^31; the top value lands exactly on binCount and is
 * folded into the last bin.
 */
function countBins(source: Float32Array, mask: Float32Array | undefined, minimum: number, binScale: number, binCount: number): Uint32Array {
  const histogram = new Uint32Array(binCount)
  const lastBin = binCount - 1
  for (let index = 0; index < source.length; index++) {
    if (mask !== undefined && !(mask[index] >= MASK_THRESHOLD)) continue
    const bin = ((source[index] - minimum) * binScale) | 0
    histogram[bin > lastBin ? lastBin : bin]++
  }
  return histogram
}

/**
 * Maps every pixel through the lookup table. Pixels outside the counted region may
 * lie outside [min, max], so the offset is clamped before `| 0`, which would wrap
 * offsets beyond 2^31.
 */
function mapThroughLookup(source: Float32Array, output: Float32Array, minimum: number, binScale: number, lookup: Float32Array): void {
  const lastBin = lookup.length - 1
  for (let index = 0; index < source.length; index++) {
    const offset = (source[index] - minimum) * binScale
    output[index] = lookup[offset <= 0 ? 0 : offset >= lastBin ? lastBin : offset | 0]
  }
}
