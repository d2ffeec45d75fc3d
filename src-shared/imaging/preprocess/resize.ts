import { assertGreyImage, assertPositiveSize, type GreyImage } from './greyImage'

/**
 * How the source is fitted into the target.
 * - `stretch`: fill the target, changing the aspect ratio.
 * - `pad`: keep the aspect ratio, centre the content and fill the rest with
 *   `padValue` (letterbox), so lung shapes are not distorted.
 */
export type ResizeMode = 'stretch' | 'pad'

/**
 * How samples are computed.
 * - `bilinear`: OpenCV's INTER_LINEAR (pixel centres aligned, edge samples repeated);
 *   for enlarging and mild shrinking; it aliases when shrinking by more than ~2x.
 * - `area`: each target pixel is the exact area-weighted mean of the source pixels it
 *   covers (OpenCV's INTER_AREA when shrinking), the anti-aliased choice for
 *   shrinking a 2048-pixel radiograph to network size. When enlarging it acts like
 *   nearest with blended seams; use bilinear for that.
 * - `nearest`: the source pixel under the target pixel's centre, for masks and labels.
 */
export type ResizeInterpolation = 'bilinear' | 'area' | 'nearest'

/** Options of {@link resize}. */
export interface ResizeOptions {
  /** Target width, a positive integer. */
  width: number
  /** Target height, a positive integer. */
  height: number
  /** Default `stretch`. */
  mode?: ResizeMode
  /** Default `bilinear`. */
  interpolation?: ResizeInterpolation
  /** Value of the letterbox border in `pad` mode (default 0). */
  padValue?: number
}

/**
 * Where the resampled content sits in the target, so points and masks can be mapped
 * back: a target pixel centre (u, v) comes from source position
 * `((u + 0.5 - x) / scaleX - 0.5, (v + 0.5 - y) / scaleY - 0.5)`.
 */
export interface ResizePlacement {
  /** Left column of the content in the target. */
  x: number
  /** Top row of the content in the target. */
  y: number
  /** Content width in target pixels (the full target width in `stretch` mode). */
  width: number
  /** Content height in target pixels. */
  height: number
  /** Exact horizontal factor, content width / source width. */
  scaleX: number
  /** Exact vertical factor, content height / source height. */
  scaleY: number
  /**
   * `pad`: the uniform factor aimed at, min(target / source) over both axes; the
   * content size is that times the source size rounded, so scaleX and scaleY differ
   * from it by under one pixel's worth. `stretch`: the smaller of scaleX and scaleY.
   */
  scale: number
}

/** Result of {@link resize}. */
export interface ResizeResult {
  /** The resized image, `options.width` x `options.height`. */
  image: GreyImage
  /** Where the content went; see {@link ResizePlacement}. */
  placement: ResizePlacement
}

/**
 * Resizes by stretching or letterboxing, with bilinear, area or nearest sampling.
 * Separable, O(target pixels) for bilinear and nearest, O(source + target pixels) for
 * area. Never mutates.
 */
export function resize(image: GreyImage, options: ResizeOptions): ResizeResult {
  assertGreyImage(image, 'resize image')
  const { width, height } = options
  assertPositiveSize(width, height, 'resize target')
  const mode = options.mode ?? 'stretch'
  const interpolation = options.interpolation ?? 'bilinear'
  const padValue = options.padValue ?? 0
  if (mode !== 'stretch' && mode !== 'pad') throw new RangeError(`resize: mode must be 'stretch' or 'pad', got ${String(mode)}`)
  if (interpolation !== 'bilinear' && interpolation !== 'area' && interpolation !== 'nearest') {
    throw new RangeError(`resize: interpolation must be 'bilinear', 'area' or 'nearest', got ${String(interpolation)}`)
  }
  if (!Number.isFinite(padValue)) throw new RangeError(`resize: padValue must be finite, got ${padValue}`)

  let placement: ResizePlacement
  if (mode === 'stretch') {
    const scaleX = width / image.width
    const scaleY = height / image.height
    placement = { x: 0, y: 0, width, height, scaleX, scaleY, scale: Math.min(scaleX, scaleY) }
  } else {
    const scale = Math.min(width / image.width, height / image.height)
    const contentWidth = Math.min(width, Math.max(1, Math.round(image.width * scale)))
    const contentHeight = Math.min(height, Math.max(1, Math.round(image.height * scale)))
    placement = {
      x: Math.floor((width - contentWidth) / 2),
      y: Math.floor((height - contentHeight) / 2),
      width: contentWidth,
      height: contentHeight,
      scaleX: contentWidth / image.width,
      scaleY: contentHeight / image.height,
      scale,
    }
  }

  const output = new Float32Array(width * height)
  if (mode === 'pad' && padValue !== 0) output.fill(padValue)
  const target: GreyImage = { width, height, data: output }
  if (interpolation === 'bilinear') resampleBilinear(image, target, placement)
  else if (interpolation === 'area') resampleArea(image, target, placement)
  else resampleNearest(image, target, placement)
  return { image: target, placement }
}

/** Bilinear into the placement's rectangle of `target`, per-axis tables precomputed. */
function resampleBilinear(source: GreyImage, target: GreyImage, placement: ResizePlacement): void {
  const columns = linearTaps(source.width, placement.width)
  const rows = linearTaps(source.height, placement.height)
  const data = source.data
  for (let row = 0; row < placement.height; row++) {
    const above = rows.first[row] * source.width
    const below = rows.second[row] * source.width
    const down = rows.fraction[row]
    const outputStart = (placement.y + row) * target.width + placement.x
    for (let column = 0; column < placement.width; column++) {
      const left = columns.first[column]
      const right = columns.second[column]
      const across = columns.fraction[column]
      const top = data[above + left] + (data[above + right] - data[above + left]) * across
      const bottom = data[below + left] + (data[below + right] - data[below + left]) * across
      target.data[outputStart + column] = top + (bottom - top) * down
    }
  }
}

/**
 * For each target index: the two source neighbours and the weight of the second.
 * Pixel centres are aligned (source = (target + 0.5) * ratio - 0.5) and clamped to the
 * edge samples, as OpenCV's INTER_LINEAR and torch's align_corners=False do.
 */
function linearTaps(sourceLength: number, targetLength: number): { first: Int32Array; second: Int32Array; fraction: Float64Array } {
  const first = new Int32Array(targetLength)
  const second = new Int32Array(targetLength)
  const fraction = new Float64Array(targetLength)
  const ratio = sourceLength / targetLength
  for (let index = 0; index < targetLength; index++) {
    const position = Math.min(Math.max((index + 0.5) * ratio - 0.5, 0), sourceLength - 1)
    const lower = Math.floor(position)
    first[index] = lower
    second[index] = Math.min(lower + 1, sourceLength - 1)
    fraction[index] = position - lower
  }
  return { first, second, fraction }
}

/** Nearest: the source pixel containing the target pixel's centre. */
function resampleNearest(source: GreyImage, target: GreyImage, placement: ResizePlacement): void {
  const columns = new Int32Array(placement.width)
  for (let column = 0; column < placement.width; column++) {
    columns[column] = Math.min(Math.floor(((column + 0.5) * source.width) / placement.width), source.width - 1)
  }
  for (let row = 0; row < placement.height; row++) {
    const sourceRow = Math.min(Math.floor(((row + 0.5) * source.height) / placement.height), source.height - 1)
    const inputStart = sourceRow * source.width
    const outputStart = (placement.y + row) * target.width + placement.x
    for (let column = 0; column < placement.width; column++) {
      target.data[outputStart + column] = source.data[inputStart + columns[column]]
    }
  }
}

/**
 * For each target index, the source pixels its footprint [i, i + 1) * ratio overlaps
 * and their overlap fractions, normalised to sum 1. Boundaries are computed as
 * index * sourceLength / targetLength so integer ratios give exact equal weights.
 */
function areaTaps(sourceLength: number, targetLength: number): { start: Int32Array; count: Int32Array; offset: Int32Array; weight: Float64Array } {
  const start = new Int32Array(targetLength)
  const count = new Int32Array(targetLength)
  const offset = new Int32Array(targetLength)
  const weights: number[] = []
  for (let index = 0; index < targetLength; index++) {
    const begin = (index * sourceLength) / targetLength
    const end = ((index + 1) * sourceLength) / targetLength
    const first = Math.floor(begin)
    const last = Math.min(Math.ceil(end), sourceLength) - 1
    start[index] = first
    count[index] = last - first + 1
    offset[index] = weights.length
    const span = end - begin
    for (let pixel = first; pixel <= last; pixel++) {
      weights.push((Math.min(end, pixel + 1) - Math.max(begin, pixel)) / span)
    }
  }
  return { start, count, offset, weight: Float64Array.from(weights) }
}

/** Area averaging: rows are reduced across first, then combined down each column. */
function resampleArea(source: GreyImage, target: GreyImage, placement: ResizePlacement): void {
  const columns = areaTaps(source.width, placement.width)
  const rows = areaTaps(source.height, placement.height)
  const data = source.data
  const contentWidth = placement.width

  // Horizontal reduction of every source row the vertical pass will need (all of them).
  const across = new Float64Array(source.height * contentWidth)
  for (let sourceRow = 0; sourceRow < source.height; sourceRow++) {
    const inputStart = sourceRow * source.width
    const outputStart = sourceRow * contentWidth
    for (let column = 0; column < contentWidth; column++) {
      const first = inputStart + columns.start[column]
      const weightStart = columns.offset[column]
      let sum = 0
      for (let tap = 0; tap < columns.count[column]; tap++) sum += columns.weight[weightStart + tap] * data[first + tap]
      across[outputStart + column] = sum
    }
  }

  const accumulator = new Float64Array(contentWidth)
  for (let row = 0; row < placement.height; row++) {
    accumulator.fill(0)
    const weightStart = rows.offset[row]
    for (let tap = 0; tap < rows.count[row]; tap++) {
      const weight = rows.weight[weightStart + tap]
      const inputStart = (rows.start[row] + tap) * contentWidth
      for (let column = 0; column < contentWidth; column++) accumulator[column] += weight * across[inputStart + column]
    }
    target.data.set(accumulator, (placement.y + row) * target.width + placement.x)
  }
}
