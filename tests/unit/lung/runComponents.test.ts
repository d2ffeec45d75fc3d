/**
 * The run-based component labelling (src-shared/lung/runComponents.ts) against a pixel flood fill, the textbook
 * definition it replaced (the breadth-first fill the project shipped before, kept here as the reference): same
 * labels, areas, kept components and filled holes on random masks of every density, both connectivities.
 */
import { describe, expect, it } from 'vitest'
import { countComponents, fillHoles, keepLargestComponents, labelComponents, MASK_INSIDE, type BinaryMask, type Connectivity } from '@shared/lung'
import { createRandom } from '@shared/metrics/random'

/** Breadth-first flood fill of the pixels equal to `inside`, labels 1.. in raster order of first pixels. */
function floodLabels(mask: BinaryMask, inside: boolean, connectivity: Connectivity): { labels: Int32Array; areas: number[] } {
  const { width, height, data } = mask
  const wanted = (index: number) => (data[index] !== 0) === inside
  const labels = new Int32Array(data.length)
  const areas: number[] = []
  const queue = new Int32Array(data.length)
  for (let start = 0; start < data.length; start++) {
    if (!wanted(start) || labels[start] !== 0) continue
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
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (connectivity === 4 && dx !== 0 && dy !== 0)) continue
          const nx = x + dx
          const ny = y + dy
          if (nx < 0 || nx >= width || ny < 0 || ny >= height) continue
          const neighbour = ny * width + nx
          if (!wanted(neighbour) || labels[neighbour] !== 0) continue
          labels[neighbour] = label
          queue[tail++] = neighbour
        }
      }
    }
    areas.push(tail)
  }
  return { labels, areas }
}

/** Holes filled by flooding the background from the border. */
function floodFillHoles(mask: BinaryMask, connectivity: Connectivity): Uint8Array {
  const { labels } = floodLabels(mask, false, connectivity)
  const { width, height } = mask
  const outside = new Set<number>()
  for (let x = 0; x < width; x++) outside.add(labels[x]).add(labels[(height - 1) * width + x])
  for (let y = 0; y < height; y++) outside.add(labels[y * width]).add(labels[y * width + width - 1])
  return Uint8Array.from(labels, (label) => (label !== 0 && outside.has(label) ? 0 : MASK_INSIDE))
}

/** A random mask: independent pixels at the given density, or smoothed blobs (lung-like, with holes). */
function randomMask(seed: number, width: number, height: number, density: number, blobs: boolean): BinaryMask {
  const random = createRandom(seed)
  const data = new Uint8Array(width * height)
  if (!blobs) {
    for (let index = 0; index < data.length; index++) data[index] = random() < density ? MASK_INSIDE : 0
    return { width, height, data }
  }
  const centres = Array.from({ length: 4 }, () => ({ x: random() * width, y: random() * height, r: (0.1 + random() * 0.3) * Math.min(width, height) }))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const near = centres.some((centre) => (x - centre.x) ** 2 + (y - centre.y) ** 2 < centre.r ** 2)
      // Speckle in and out of the blobs makes holes, specks and diagonal contacts.
      data[y * width + x] = near !== random() < density * 0.3 ? MASK_INSIDE : 0
    }
  }
  return { width, height, data }
}

const cases: Array<{ seed: number; width: number; height: number; density: number; blobs: boolean }> = []
for (let seed = 1; seed <= 40; seed++) {
  cases.push({ seed, width: 1 + (seed % 7) * 9, height: 1 + ((seed * 5) % 11) * 5, density: [0.1, 0.3, 0.5, 0.7, 0.9][seed % 5], blobs: seed % 2 === 0 })
}

describe('run-based components equal a pixel flood fill', () => {
  for (const connectivity of [4, 8] as const) {
    it(`labels, areas and counts (${connectivity}-connectivity, ${cases.length} random masks)`, () => {
      for (const { seed, width, height, density, blobs } of cases) {
        const mask = randomMask(seed, width, height, density, blobs)
        const reference = floodLabels(mask, true, connectivity)
        const result = labelComponents(mask, connectivity)
        expect(result.areas, `seed ${seed}`).toEqual(reference.areas)
        expect(Array.from(result.labels), `seed ${seed}`).toEqual(Array.from(reference.labels))
        expect(countComponents(mask, connectivity)).toBe(reference.areas.length)
      }
    })

    it(`keeps the largest components and fills holes (${connectivity}-connectivity)`, () => {
      for (const { seed, width, height, density, blobs } of cases) {
        const mask = randomMask(seed, width, height, density, blobs)
        const { labels, areas } = floodLabels(mask, true, connectivity)
        const ranked = areas.map((area, index) => ({ label: index + 1, area })).sort((a, b) => b.area - a.area)
        const kept = new Set(ranked.slice(0, 2).filter(({ area }) => area >= 0.1 * (ranked[0]?.area ?? 0)).map(({ label }) => label))
        const expected = Uint8Array.from(labels, (label) => (kept.has(label) ? MASK_INSIDE : 0))
        expect(Array.from(keepLargestComponents(mask, 2, { connectivity, minRelativeArea: 0.1 }).data), `seed ${seed}`).toEqual(Array.from(expected))
        expect(Array.from(fillHoles(mask, { backgroundConnectivity: connectivity }).data), `seed ${seed}`).toEqual(Array.from(floodFillHoles(mask, connectivity)))
      }
    })
  }

  it('handles a full, an empty and a one-pixel mask', () => {
    const full: BinaryMask = { width: 5, height: 3, data: new Uint8Array(15).fill(MASK_INSIDE) }
    const empty: BinaryMask = { width: 5, height: 3, data: new Uint8Array(15) }
    expect(labelComponents(full).areas).toEqual([15])
    expect(labelComponents(empty).areas).toEqual([])
    expect(Array.from(fillHoles(full).data)).toEqual(Array.from(full.data))
    expect(Array.from(fillHoles(empty).data)).toEqual(Array.from(empty.data))
    expect(labelComponents({ width: 1, height: 1, data: Uint8Array.of(MASK_INSIDE) }).areas).toEqual([1])
  })
})
