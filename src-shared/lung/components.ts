import { assertBinaryMask, MASK_INSIDE, type BinaryMask } from './binaryMask'
import { runComponents } from './runComponents'

/**
 * Which neighbours touch. 8: edge or corner neighbours (a diagonal chain of pixels is one object); 4: edge
 * neighbours only.
 */
export type Connectivity = 4 | 8

/** Connected components of a mask's inside. */
export interface ComponentLabels {
  width: number
  height: number
  /** 0 outside; 1..count the component of each inside pixel, numbered in raster order of their first pixel. */
  labels: Int32Array
  /** Pixel count of each component: `areas[k - 1]` is the area of label k. */
  areas: number[]
}

/**
 * Labels the connected components of the inside of a mask, O(pixels) (on row runs, see runComponents.ts).
 * Labels are numbered in the raster order (top row first) of each component's first pixel, so the result does
 * not depend on anything but the mask.
 */
export function labelComponents(mask: BinaryMask, connectivity: Connectivity = 8): ComponentLabels {
  assertBinaryMask(mask)
  assertConnectivity(connectivity)
  const { width, height } = mask
  const { rows, starts, ends, componentOfRun, areas } = runComponents(mask.data, width, height, true, connectivity)
  const labels = new Int32Array(width * height)
  for (let run = 0; run < rows.length; run++) labels.fill(componentOfRun[run] + 1, rows[run] * width + starts[run], rows[run] * width + ends[run])
  return { width, height, labels, areas }
}

/** Number of connected components of a mask's inside, without labelling its pixels. */
export function countComponents(mask: BinaryMask, connectivity: Connectivity = 8): number {
  assertBinaryMask(mask)
  assertConnectivity(connectivity)
  return runComponents(mask.data, mask.width, mask.height, true, connectivity).areas.length
}

/** Options of {@link keepLargestComponents}. */
export interface KeepLargestOptions {
  /** Default 8: a lung outline thresholded from a soft prediction often hangs together only at corners. */
  connectivity?: Connectivity
  /**
   * Also drop kept components smaller than this fraction of the largest one (default 0: keep `count`
   * whatever their size). The lung post-processing uses 0.1, so a stray blob below the diaphragm does not
   * pass for the second lung when the two lungs have merged into one component.
   */
  minRelativeArea?: number
}

/**
 * Keeps the `count` largest connected components of a mask (two for the lungs) and clears the rest. Ties in
 * area keep the component whose first pixel comes first in raster order, so the result is deterministic.
 * Never mutates its input; inside pixels of the result are {@link MASK_INSIDE}.
 */
export function keepLargestComponents(mask: BinaryMask, count: number, options: KeepLargestOptions = {}): BinaryMask {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`keepLargestComponents: count must be an integer ≥ 0, got ${count}`)
  const minRelativeArea = options.minRelativeArea ?? 0
  if (!(minRelativeArea >= 0 && minRelativeArea <= 1)) {
    throw new RangeError(`keepLargestComponents: minRelativeArea must be in [0, 1], got ${minRelativeArea}`)
  }
  const connectivity = options.connectivity ?? 8
  assertBinaryMask(mask)
  assertConnectivity(connectivity)
  const { width, height } = mask
  const { rows, starts, ends, componentOfRun, areas } = runComponents(mask.data, width, height, true, connectivity)
  // Sort components by area, descending; Array.prototype.sort is stable, so equal areas keep raster order.
  const ranked = areas.map((area, component) => ({ component, area })).sort((a, b) => b.area - a.area)
  const largest = ranked.length > 0 ? ranked[0].area : 0
  const keep = new Uint8Array(areas.length)
  for (const { component, area } of ranked.slice(0, count)) if (area >= minRelativeArea * largest) keep[component] = 1
  const data = new Uint8Array(width * height)
  for (let run = 0; run < rows.length; run++) if (keep[componentOfRun[run]]) data.fill(MASK_INSIDE, rows[run] * width + starts[run], rows[run] * width + ends[run])
  return { width, height, data }
}

/** Options of {@link fillHoles}. */
export interface FillHolesOptions {
  /**
   * Connectivity of the background (default 4, the dual of the 8-connected foreground that
   * {@link keepLargestComponents} uses): with 4, an outline closed only through a diagonal step still
   * encloses its hole, so inside and outside never leak into each other through a corner.
   */
  backgroundConnectivity?: Connectivity
}

/**
 * Fills holes: background pixels that cannot reach the image border through background become inside. A lung
 * mask has no holes anatomically; holes come from dense opacities (consolidation, a pacemaker) the network
 * read as non-lung, and exactly those regions must stay in the masked image. The gap between the two lungs
 * reaches the border above and below, so it stays outside. Never mutates its input.
 */
export function fillHoles(mask: BinaryMask, options: FillHolesOptions = {}): BinaryMask {
  assertBinaryMask(mask)
  const connectivity = options.backgroundConnectivity ?? 4
  assertConnectivity(connectivity)
  const { width, height } = mask
  // A background component is outside when one of its runs lies on the border; every other one is a hole.
  const background = runComponents(mask.data, width, height, false, connectivity)
  const outside = new Uint8Array(background.areas.length)
  const { rows, starts, ends, componentOfRun } = background
  for (let run = 0; run < rows.length; run++) {
    if (rows[run] === 0 || rows[run] === height - 1 || starts[run] === 0 || ends[run] === width) outside[componentOfRun[run]] = 1
  }
  const filled = new Uint8Array(width * height).fill(MASK_INSIDE)
  for (let run = 0; run < rows.length; run++) if (outside[componentOfRun[run]]) filled.fill(0, rows[run] * width + starts[run], rows[run] * width + ends[run])
  return { width, height, data: filled }
}

function assertConnectivity(connectivity: number): void {
  if (connectivity !== 4 && connectivity !== 8) throw new RangeError(`connectivity must be 4 or 8, got ${connectivity}`)
}
