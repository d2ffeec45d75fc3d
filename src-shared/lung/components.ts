import { assertBinaryMask, MASK_INSIDE, type BinaryMask } from './binaryMask'

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
 * Labels the connected components of the inside of a mask by breadth-first flood fill, O(pixels). Labels are
 * numbered in the raster order (top row first) of each component's first pixel, so the result does not depend
 * on anything but the mask.
 */
export function labelComponents(mask: BinaryMask, connectivity: Connectivity = 8): ComponentLabels {
  assertBinaryMask(mask)
  assertConnectivity(connectivity)
  const { width, height, data } = mask
  const labels = new Int32Array(data.length)
  const areas: number[] = []
  const queue = new Int32Array(data.length)
  for (let start = 0; start < data.length; start++) {
    if (data[start] === 0 || labels[start] !== 0) continue
    const label = areas.length + 1
    labels[start] = label
    queue[0] = start
    let head = 0
    let tail = 1
    while (head < tail) {
      const index = queue[head++]
      const x = index % width
      const y = (index - x) / width
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy
        if (ny < 0 || ny >= height) continue
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue
          const nx = x + dx
          if (nx < 0 || nx >= width) continue
          const neighbour = ny * width + nx
          if (data[neighbour] === 0 || labels[neighbour] !== 0) continue
          labels[neighbour] = label
          queue[tail++] = neighbour
        }
      }
    }
    areas.push(tail)
  }
  return { width, height, labels, areas }
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
  const { labels, areas } = labelComponents(mask, options.connectivity ?? 8)
  // Sort labels by area, descending; Array.prototype.sort is stable, so equal areas keep raster order.
  const ranked = areas.map((area, index) => ({ label: index + 1, area })).sort((a, b) => b.area - a.area)
  const largest = ranked.length > 0 ? ranked[0].area : 0
  const keep = new Uint8Array(areas.length + 1)
  for (const { label, area } of ranked.slice(0, count)) if (area >= minRelativeArea * largest) keep[label] = 1
  const data = new Uint8Array(labels.length)
  for (let index = 0; index < labels.length; index++) if (keep[labels[index]]) data[index] = MASK_INSIDE
  return { width: mask.width, height: mask.height, data }
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
  const { width, height, data } = mask
  // Flood the background from every border pixel; what the flood misses is a hole.
  const outside = new Uint8Array(data.length)
  const queue = new Int32Array(data.length)
  let tail = 0
  const seed = (index: number) => {
    if (data[index] === 0 && outside[index] === 0) {
      outside[index] = 1
      queue[tail++] = index
    }
  }
  for (let x = 0; x < width; x++) {
    seed(x)
    seed((height - 1) * width + x)
  }
  for (let y = 0; y < height; y++) {
    seed(y * width)
    seed(y * width + width - 1)
  }
  let head = 0
  while (head < tail) {
    const index = queue[head++]
    const x = index % width
    const y = (index - x) / width
    for (let dy = -1; dy <= 1; dy++) {
      const ny = y + dy
      if (ny < 0 || ny >= height) continue
      for (let dx = -1; dx <= 1; dx++) {
        if (dx === 0 && dy === 0) continue
        if (connectivity === 4 && dx !== 0 && dy !== 0) continue
        const nx = x + dx
        if (nx < 0 || nx >= width) continue
        seed(ny * width + nx)
      }
    }
  }
  const filled = new Uint8Array(data.length)
  for (let index = 0; index < data.length; index++) if (outside[index] === 0) filled[index] = MASK_INSIDE
  return { width, height, data: filled }
}

function assertConnectivity(connectivity: number): void {
  if (connectivity !== 4 && connectivity !== 8) throw new RangeError(`connectivity must be 4 or 8, got ${connectivity}`)
}
