/**
 * Connected components of a mask's inside (or outside) computed on row runs: each row is cut into runs of
 * pixels of the wanted kind, runs touching a run of the row above are joined with union–find, and components are
 * numbered in raster order of their first pixel. The work per pixel is one byte comparison, against a queue push,
 * a division and eight neighbour tests for a pixel flood fill: a 1024 × 1024 lung mask has a few thousand runs.
 */

/** Which neighbours touch (as `Connectivity` in components.ts; repeated here to keep the module leaf). */
type RunConnectivity = 4 | 8

/** Runs of a mask and the component of each. */
export interface RunComponents {
  /** Runs in raster order: row, first column and one past the last column. */
  rows: Int32Array
  starts: Int32Array
  ends: Int32Array
  /** 0-based component of each run, numbered in raster order of the components' first pixels. */
  componentOfRun: Int32Array
  /** Pixel count of each component. */
  areas: number[]
}

/**
 * Runs of the pixels that are inside (`inside` true: non-zero) or outside (zero) and their components under the
 * given connectivity of those pixels.
 */
export function runComponents(data: Uint8Array, width: number, height: number, inside: boolean, connectivity: RunConnectivity): RunComponents {
  const { rows, starts, ends, rowFirstRun } = findRuns(data, width, height, inside)
  const runCount = rows.length
  const parent = new Int32Array(runCount)
  for (let run = 0; run < runCount; run++) parent[run] = run
  // 8-connectivity: runs [a, b) and [c, d) on adjacent rows touch when a ≤ d and c ≤ b (a corner counts);
  // 4-connectivity: when they share a column, a < d and c < b.
  const reach = connectivity === 8 ? 1 : 0
  for (let y = 1; y < height; y++) {
    let above = rowFirstRun[y - 1]
    const aboveEnd = rowFirstRun[y]
    let current = rowFirstRun[y]
    const currentEnd = rowFirstRun[y + 1]
    while (above < aboveEnd && current < currentEnd) {
      if (starts[above] < ends[current] + reach && starts[current] < ends[above] + reach) union(parent, above, current)
      // Move past the run that ends first: it cannot touch any later run of the other row.
      if (ends[above] <= ends[current]) above++
      else current++
    }
  }
  const componentOfRun = new Int32Array(runCount)
  const componentOfRoot = new Int32Array(runCount).fill(-1)
  const areas: number[] = []
  for (let run = 0; run < runCount; run++) {
    const root = find(parent, run)
    if (componentOfRoot[root] < 0) {
      componentOfRoot[root] = areas.length
      areas.push(0)
    }
    const component = componentOfRoot[root]
    componentOfRun[run] = component
    areas[component] += ends[run] - starts[run]
  }
  return { rows, starts, ends, componentOfRun, areas }
}

interface Runs {
  rows: Int32Array
  starts: Int32Array
  ends: Int32Array
  /** Index of the first run of each row; entry `height` is the run count. */
  rowFirstRun: Int32Array
}

function findRuns(data: Uint8Array, width: number, height: number, inside: boolean): Runs {
  const rows: number[] = []
  const starts: number[] = []
  const ends: number[] = []
  const rowFirstRun = new Int32Array(height + 1)
  for (let y = 0; y < height; y++) {
    rowFirstRun[y] = rows.length
    const rowStart = y * width
    let x = 0
    while (x < width) {
      while (x < width && (data[rowStart + x] !== 0) !== inside) x++
      if (x === width) break
      const start = x
      while (x < width && (data[rowStart + x] !== 0) === inside) x++
      rows.push(y)
      starts.push(start)
      ends.push(x)
    }
  }
  rowFirstRun[height] = rows.length
  return { rows: Int32Array.from(rows), starts: Int32Array.from(starts), ends: Int32Array.from(ends), rowFirstRun }
}

/** Root of a run, halving the path on the way. */
function find(parent: Int32Array, run: number): number {
  let node = run
  while (parent[node] !== node) {
    parent[node] = parent[parent[node]]
    node = parent[node]
  }
  return node
}

/** Joins two runs' sets under the earlier root, so a root is always its set's first run in raster order. */
function union(parent: Int32Array, first: number, second: number): void {
  const a = find(parent, first)
  const b = find(parent, second)
  if (a < b) parent[b] = a
  else if (b < a) parent[a] = b
}
