import { borderIndex } from './borderIndex'
import { assertGreyImage, type GreyImage } from './greyImage'

/** Options of {@link clahe}. */
export interface ClaheOptions {
  /** Tiles across and down (default 8, i.e. 8x8 as OpenCV); a number sets both. */
  tileGridSize?: number | { columns: number; rows: number }
  /**
   * OpenCV convention (default 2.0): a bin may hold at most `clipLimit` times the
   * count a flat histogram would give it (tile pixels / bins); the excess is spread
   * over all bins. 1 flattens every tile's histogram (near-identity mapping), larger
   * values allow more contrast, 0 disables clipping (plain adaptive equalization).
   * skimage's `clip_limit` is a fraction of the tile's pixels instead: OpenCV's value
   * = skimage's * bins, so skimage's default 0.01 at 256 bins is 2.56 here. OpenCV's
   * form was chosen because it means the same whatever the tile size and bin count,
   * and because the workstation's references are checked against OpenCV.
   */
  clipLimit?: number
  /** Grey levels the image is quantized to (default 256; 4096 keeps 12-bit detail). */
  bins?: number
  /**
   * Value range mapped onto levels 0..bins-1 (default: the image's min and max, as
   * skimage rescales). Pass e.g. [0, 255] to reproduce OpenCV on an 8-bit image.
   */
  range?: readonly [number, number]
}

/**
 * Contrast-limited adaptive histogram equalization (CLAHE), output in [0, 1].
 *
 * Follows OpenCV's `createCLAHE().apply` step by step, so the numbers can be checked
 * against it: the image is quantized to `bins` levels; when its size is not a multiple
 * of the grid it is extended at the bottom / right by mirroring (BORDER_REFLECT_101)
 * to whole tiles (OpenCV then pads both axes; we pad only the one that needs it); per
 * tile the histogram is clipped at max(1, floor(clipLimit * tilePixels / bins)) and
 * the clipped count redistributed exactly as OpenCV does (evenly, the remainder one
 * per bin at a stride); the tile's mapping is cdf / tilePixels (OpenCV's, not the
 * (cdf - cdfMin) form of {@link histogramEqualize}: clipping already stops a tile
 * from being stretched to full range, which is the point of CLAHE); each pixel blends
 * the mappings of its four nearest tile centres bilinearly (clamped at the edges).
 * Unlike OpenCV we keep the mappings in float instead of rounding to 8 bits, so
 * results agree with it to within 1/255.
 *
 * A constant image without an explicit `range` has no contrast and yields zeros.
 * O(N + tiles * bins); never mutates.
 */
export function clahe(image: GreyImage, options: ClaheOptions = {}): GreyImage {
  assertGreyImage(image, 'clahe image')
  const gridSize = options.tileGridSize ?? 8
  const tilesX = typeof gridSize === 'number' ? gridSize : gridSize.columns
  const tilesY = typeof gridSize === 'number' ? gridSize : gridSize.rows
  if (!Number.isInteger(tilesX) || tilesX < 1 || !Number.isInteger(tilesY) || tilesY < 1) {
    throw new RangeError(`clahe: tileGridSize must be positive integers, got ${tilesX}x${tilesY}`)
  }
  const clipLimit = options.clipLimit ?? 2
  if (!(clipLimit >= 0) || !Number.isFinite(clipLimit)) {
    throw new RangeError(`clahe: clipLimit must be a finite number >= 0, got ${clipLimit}`)
  }
  const bins = options.bins ?? 256
  if (!Number.isInteger(bins) || bins < 2 || bins > 65536) {
    throw new RangeError(`clahe: bins must be an integer within [2, 65536], got ${bins}`)
  }
  const { width, height } = image
  const source = image.data
  const output = new Float32Array(source.length)
  const result: GreyImage = { width, height, data: output }

  let low: number
  let high: number
  if (options.range !== undefined) {
    ;[low, high] = options.range
    if (!Number.isFinite(low) || !Number.isFinite(high) || !(high > low)) {
      throw new RangeError(`clahe: range must be two finite numbers [low, high] with low < high, got [${low}, ${high}]`)
    }
  } else {
    ;({ low, high } = valueRange(source))
    if (!Number.isFinite(low) || !Number.isFinite(high)) {
      throw new RangeError(`clahe: samples must be finite, found range [${low}, ${high}]`)
    }
    if (low === high) return result
  }

  const levels = quantize(source, low, high, bins)
  const grid: TileGrid = {
    columns: tilesX,
    rows: tilesY,
    tileWidth: Math.ceil(width / tilesX),
    tileHeight: Math.ceil(height / tilesY),
  }
  const lookups = tileLookups(levels, width, height, grid, bins, clipLimit)
  interpolateTiles(levels, output, width, height, grid, bins, lookups)
  return result
}

/** The tile layout: counts across and down, and the size of one (padded) tile. */
interface TileGrid {
  columns: number
  rows: number
  tileWidth: number
  tileHeight: number
}

// The steps below are separate small functions because V8 optimises their tight loops
// far better than the same loops inlined in one long function.

/** Levels 0..bins-1; rounding lands the range ends exactly on the first and last level. */
function quantize(source: Float32Array, low: number, high: number, bins: number): Uint16Array {
  const levels = new Uint16Array(source.length)
  const levelScale = (bins - 1) / (high - low)
  const lastLevel = bins - 1
  for (let index = 0; index < source.length; index++) {
    const value = source[index]
    if (value !== value) throw new RangeError(`clahe: sample ${index} is NaN`)
    // Clamp first, then round half up with `| 0` (Math.round is several times slower here).
    const position = (value - low) * levelScale
    levels[index] = position <= 0 ? 0 : position >= lastLevel ? lastLevel : (position + 0.5) | 0
  }
  return levels
}

/** Smallest and largest sample (NaN is caught later, by {@link quantize}). */
function valueRange(source: Float32Array): { low: number; high: number } {
  let low = Infinity
  let high = -Infinity
  for (let index = 0; index < source.length; index++) {
    const value = source[index]
    if (value < low) low = value
    if (value > high) high = value
  }
  return { low, high }
}

/**
 * One mapping per tile, `bins` entries each, tile after tile in reading order:
 * clipped cdf / tile pixels. Tiles reaching past the image read it mirrored
 * (reflect-101), as OpenCV's padding does.
 */
function tileLookups(levels: Uint16Array, width: number, height: number, grid: TileGrid, bins: number, clipLimit: number): Float32Array {
  const { columns, rows, tileWidth, tileHeight } = grid
  const tilePixels = tileWidth * tileHeight
  const countLimit = clipLimit > 0 ? Math.max(Math.floor((clipLimit * tilePixels) / bins), 1) : 0
  const lookups = new Float32Array(columns * rows * bins)
  const histogram = new Int32Array(bins)
  const sourceColumn = new Int32Array(tileWidth * columns)
  for (let x = 0; x < sourceColumn.length; x++) sourceColumn[x] = borderIndex(x, width, 'reflect101')
  for (let tileY = 0; tileY < rows; tileY++) {
    for (let tileX = 0; tileX < columns; tileX++) {
      histogram.fill(0)
      for (let y = tileY * tileHeight; y < (tileY + 1) * tileHeight; y++) {
        countRow(levels, borderIndex(y, height, 'reflect101') * width, sourceColumn, tileX * tileWidth, tileWidth, histogram)
      }
      if (countLimit > 0) clipHistogram(histogram, countLimit)
      const lookupStart = (tileY * columns + tileX) * bins
      let cumulative = 0
      for (let level = 0; level < bins; level++) {
        cumulative += histogram[level]
        lookups[lookupStart + level] = cumulative / tilePixels
      }
    }
  }
  return lookups
}

/** Adds one tile row's levels to the histogram. */
function countRow(levels: Uint16Array, rowStart: number, sourceColumn: Int32Array, first: number, count: number, histogram: Int32Array): void {
  for (let x = first; x < first + count; x++) histogram[levels[rowStart + sourceColumn[x]]]++
}

/**
 * Each pixel blends the mappings of the four surrounding tile centres. The per-axis
 * tables follow OpenCV: position = coordinate / tileSize - 0.5, neighbours clamped
 * to the grid, so border pixels use the nearest tiles only.
 */
function interpolateTiles(
  levels: Uint16Array,
  output: Float32Array,
  width: number,
  height: number,
  grid: TileGrid,
  bins: number,
  lookups: Float32Array,
): void {
  const columnLeft = new Int32Array(width)
  const columnRight = new Int32Array(width)
  const columnWeight = new Float32Array(width)
  for (let x = 0; x < width; x++) {
    const position = x / grid.tileWidth - 0.5
    const left = Math.floor(position)
    columnWeight[x] = position - left
    columnLeft[x] = Math.max(left, 0) * bins
    columnRight[x] = Math.min(left + 1, grid.columns - 1) * bins
  }
  for (let y = 0; y < height; y++) {
    const position = y / grid.tileHeight - 0.5
    const top = Math.floor(position)
    const upperRow = Math.max(top, 0) * grid.columns * bins
    const lowerRow = Math.min(top + 1, grid.rows - 1) * grid.columns * bins
    blendRow(levels, output, y * width, lookups, upperRow, lowerRow, position - top, columnLeft, columnRight, columnWeight)
  }
}

/** One output row of {@link interpolateTiles}. */
function blendRow(
  levels: Uint16Array,
  output: Float32Array,
  rowStart: number,
  lookups: Float32Array,
  upperRow: number,
  lowerRow: number,
  down: number,
  columnLeft: Int32Array,
  columnRight: Int32Array,
  columnWeight: Float32Array,
): void {
  for (let x = 0; x < columnWeight.length; x++) {
    const level = levels[rowStart + x]
    const across = columnWeight[x]
    const left = columnLeft[x] + level
    const right = columnRight[x] + level
    const upper = lookups[upperRow + left] * (1 - across) + lookups[upperRow + right] * across
    const lower = lookups[lowerRow + left] * (1 - across) + lookups[lowerRow + right] * across
    output[rowStart + x] = upper * (1 - down) + lower * down
  }
}

/**
 * OpenCV's single-pass clip: cut every bin at `limit`, share the excess evenly, then
 * give the remainder one count each to bins 0, step, 2 * step, ... The total count is
 * preserved, so the cdf still ends at the tile's pixel count (mapping ends at 1).
 */
function clipHistogram(histogram: Int32Array, limit: number): void {
  const bins = histogram.length
  let clipped = 0
  for (let level = 0; level < bins; level++) {
    if (histogram[level] > limit) {
      clipped += histogram[level] - limit
      histogram[level] = limit
    }
  }
  const batch = Math.floor(clipped / bins)
  let residual = clipped - batch * bins
  for (let level = 0; level < bins; level++) histogram[level] += batch
  if (residual > 0) {
    const step = Math.max(Math.floor(bins / residual), 1)
    for (let level = 0; level < bins && residual > 0; level += step, residual--) histogram[level]++
  }
}
