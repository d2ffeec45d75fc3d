/**
 * From modality values to an 8-bit display image: VOI LUT (window or LUT sequence, DICOM PS3.3
 * C.11.2.1.2), then MONOCHROME1 inversion. Pure and allocation-light, because the renderer runs it
 * on every window drag: one pass over the pixels, no per-pixel closures.
 */
import type { LookupTable, VoiLutFunction, VoiSettings, WindowSetting } from './types'

/** The part of a decoded image the display transform needs. */
export interface DisplaySource {
  /** Modality LUT output, one value per pixel. */
  pixels: ArrayLike<number>
  voi?: VoiSettings
  invert?: boolean
  /** Known min/max of `pixels`; scanned when absent and needed. */
  pixelRange?: { min: number; max: number }
}

/** Choices a viewer can make; anything left out comes from the image. */
export interface DisplayOptions {
  /** An explicit window (e.g. while the user drags); wins over everything else. */
  window?: WindowSetting
  /** Which of the file's windows to use (default 0 when the file has any). */
  windowIndex?: number
  /** Use this VOI LUT Sequence item instead of a window. */
  lutIndex?: number
  /** Override the file's VOI LUT Function. */
  voiFunction?: VoiLutFunction
  /** Override the inversion (default: the image's, true for MONOCHROME1). */
  invert?: boolean
}

/** The VOI transform actually applied, reported so a viewer can show it. */
export type ResolvedVoi =
  | { kind: 'window'; window: WindowSetting; function: VoiLutFunction; fromFile: boolean }
  | { kind: 'lut'; lut: LookupTable }

/** Smallest and largest finite value of an array (0/0 for an empty one). */
export function findRange(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v < min) min = v
    if (v > max) max = v
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 }
}

/**
 * A window that maps `min` to black and `max` to white (LINEAR_EXACT semantics), the fallback for
 * files without a window: the full range keeps every structure visible, if flat.
 */
export function windowFromRange(min: number, max: number): WindowSetting {
  const width = max > min ? max - min : 1
  return { center: min + width / 2, width, explanation: 'range of the pixel values' }
}

/**
 * Decide which VOI transform to use. Windows win over VOI LUT items when a file has both, since
 * PS3.3 allows either and windows are what users then adjust.
 */
export function resolveVoi(source: DisplaySource, options: DisplayOptions = {}): ResolvedVoi {
  const voi = source.voi
  const fileFunction = options.voiFunction ?? voi?.function ?? 'LINEAR'
  if (options.window) return { kind: 'window', window: options.window, function: fileFunction, fromFile: false }
  if (voi && options.lutIndex !== undefined && voi.luts[options.lutIndex]) {
    return { kind: 'lut', lut: voi.luts[options.lutIndex] }
  }
  const windows = voi?.windows ?? []
  const chosen = windows[options.windowIndex ?? 0]
  if (chosen && Number.isFinite(chosen.center) && Number.isFinite(chosen.width) && chosen.width > 0) {
    return { kind: 'window', window: chosen, function: fileFunction, fromFile: true }
  }
  if (voi && voi.luts.length > 0) return { kind: 'lut', lut: voi.luts[0] }
  const range = source.pixelRange ?? findRange(source.pixels)
  return { kind: 'window', window: windowFromRange(range.min, range.max), function: 'LINEAR_EXACT', fromFile: false }
}

/**
 * One value through a window, output in [0, 255] before rounding (PS3.3 C.11.2.1.2.1 / .2.2 / .3.1).
 * Exported for tests and for a viewer's readout; `renderDisplayImage` inlines the same formulas.
 */
export function applyWindow(value: number, window: WindowSetting, fn: VoiLutFunction): number {
  const { center, width } = window
  if (fn === 'SIGMOID') return 255 / (1 + Math.exp((-4 * (value - center)) / width))
  if (fn === 'LINEAR_EXACT') {
    if (value <= center - width / 2) return 0
    if (value > center + width / 2) return 255
    return ((value - center) / width + 0.5) * 255
  }
  // LINEAR: the standard defines widths below 1 as invalid; treat them as a threshold at c - 0.5.
  const w = Math.max(width, 1)
  if (value <= center - 0.5 - (w - 1) / 2) return 0
  if (value > center - 0.5 + (w - 1) / 2) return 255
  return ((value - (center - 0.5)) / (w - 1) + 0.5) * 255
}

/** One value through a VOI LUT item, output in [0, 255] before rounding. */
export function applyVoiLut(value: number, lut: LookupTable): number {
  const last = lut.data.length - 1
  let index = Math.round(value) - lut.firstInputValue
  if (index < 0) index = 0
  else if (index > last) index = last
  return (lut.data[index] * 255) / (2 ** lut.bitsPerEntry - 1)
}

/**
 * Render an 8-bit greyscale display image (one byte per pixel). A 2000 x 2000 image takes a few
 * tens of ms: each branch below is a single tight loop.
 */
export function renderDisplayImage(source: DisplaySource, options: DisplayOptions = {}): Uint8ClampedArray {
  const voi = resolveVoi(source, options)
  const invert = options.invert ?? source.invert ?? false
  // One element type keeps the loops below monomorphic (plain arrays would deoptimise them).
  const pixels = source.pixels instanceof Float32Array ? source.pixels : Float32Array.from(source.pixels)
  const n = pixels.length
  const out = new Uint8ClampedArray(n)
  if (voi.kind === 'lut') {
    renderWithLut(pixels, voi.lut, out)
  } else {
    const { center, width } = voi.window
    if (voi.function === 'SIGMOID') {
      const k = -4 / width
      for (let i = 0; i < n; i++) out[i] = 255 / (1 + Math.exp(k * (pixels[i] - center)))
    } else if (voi.function === 'LINEAR_EXACT') {
      // Clamping of Uint8ClampedArray implements the two outer branches of the formula.
      const scale = 255 / width
      const offset = (0.5 - center / width) * 255
      for (let i = 0; i < n; i++) out[i] = pixels[i] * scale + offset
    } else if (width <= 1) {
      const threshold = center - 0.5
      for (let i = 0; i < n; i++) out[i] = pixels[i] > threshold ? 255 : 0
    } else {
      const scale = 255 / (width - 1)
      const offset = (0.5 - (center - 0.5) / (width - 1)) * 255
      for (let i = 0; i < n; i++) out[i] = pixels[i] * scale + offset
    }
  }
  if (invert) for (let i = 0; i < n; i++) out[i] = 255 - out[i]
  return out
}

function renderWithLut(pixels: Float32Array, lut: LookupTable, out: Uint8ClampedArray): void {
  const last = lut.data.length - 1
  const first = lut.firstInputValue
  const scale = 255 / (2 ** lut.bitsPerEntry - 1)
  const scaled = new Float32Array(lut.data.length)
  for (let i = 0; i <= last; i++) scaled[i] = lut.data[i] * scale
  for (let i = 0; i < pixels.length; i++) {
    let index = Math.round(pixels[i]) - first
    if (index < 0) index = 0
    else if (index > last) index = last
    out[i] = scaled[index]
  }
}

/** Expand a greyscale display image to RGBA (opaque), the layout canvas ImageData wants. */
export function greyToRgba(grey: Uint8ClampedArray): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(grey.length * 4)
  for (let i = 0, j = 0; i < grey.length; i++, j += 4) {
    const v = grey[i]
    rgba[j] = v
    rgba[j + 1] = v
    rgba[j + 2] = v
    rgba[j + 3] = 255
  }
  return rgba
}
