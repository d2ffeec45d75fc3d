import { describe, expect, it } from 'vitest'
import { gaussianBlur } from '@shared/imaging/preprocess'
import { blurMask, cropBlurIsExact, labelComponents, LUNG_POSTPROCESS_DEFAULTS, MASK_INSIDE, maskQualityFeatures, maskToGrey, postprocessLungMask, type BinaryMask } from '@shared/lung'
import { createRandom } from '@shared/metrics/random'

/** A 40×40 synthetic probability map: two "lungs" (one with a hole), a faint halo, a speck outside. */
function syntheticProbability(): { width: number; height: number; data: Float32Array } {
  const width = 40
  const height = 40
  const data = new Float32Array(width * height)
  const set = (x0: number, y0: number, x1: number, y1: number, value: number) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * width + x] = value
  }
  set(4, 5, 16, 35, 0.9) // right lung (image left)
  set(22, 5, 36, 33, 0.8) // left lung
  set(8, 15, 11, 18, 0.2) // dense opacity the network missed: a 3×3 hole
  set(18, 37, 20, 39, 0.95) // a speck below the chest
  set(0, 0, 40, 2, 0.3) // sub-threshold halo along the top
  return { width, height, data }
}

describe('postprocessLungMask', () => {
  it('thresholds, keeps two components, fills the hole and blurs', () => {
    const { mask, blurred } = postprocessLungMask(syntheticProbability())
    const { areas } = labelComponents(mask)
    // 12×30 right lung with its hole filled, 14×28 left lung; the speck and halo are gone.
    expect(areas).toEqual([12 * 30, 14 * 28])
    expect(mask.data[16 * 40 + 9]).toBe(255)
    expect(mask.data[38 * 40 + 19]).toBe(0)
    expect(Array.from(blurred.data)).toEqual(Array.from(gaussianBlur(maskToGrey(mask), { radius: 3 }).data))
    expect(Math.min(...blurred.data)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...blurred.data)).toBeLessThanOrEqual(1)
  })

  it('keeps the hole when asked not to fill, and a higher threshold changes the mask', () => {
    const unfilled = postprocessLungMask(syntheticProbability(), { fillHoles: false })
    expect(unfilled.mask.data[16 * 40 + 9]).toBe(0)
    const strict = postprocessLungMask(syntheticProbability(), { threshold: 0.85 })
    expect(labelComponents(strict.mask).areas).toEqual([12 * 30])
  })

  it('blurMask with radius 0 is the 0/1 mask', () => {
    const { mask } = postprocessLungMask(syntheticProbability())
    expect(Array.from(blurMask(mask, 0).data)).toEqual(Array.from(maskToGrey(mask).data))
  })

  it('documents the paper defaults', () => {
    expect(LUNG_POSTPROCESS_DEFAULTS).toMatchObject({ threshold: 0.5, keepComponents: 2, connectivity: 8, fillHoles: true, blurRadius: 3 })
  })

  it('gives an empty mask for an all-background map', () => {
    const { mask } = postprocessLungMask({ width: 8, height: 8, data: new Float32Array(64) })
    expect(maskQualityFeatures(mask).area).toBe(0)
  })
})

/** Two random ellipses (lungs), optionally pushed against the image edges, with pinholes. */
function randomLungs(seed: number, width: number, height: number, atEdges: boolean): BinaryMask {
  const random = createRandom(seed)
  const data = new Uint8Array(width * height)
  const lungs = [0.3, 0.7].map((centre) => ({
    x: (atEdges ? (centre < 0.5 ? 0.05 : 0.95) : centre + (random() - 0.5) * 0.1) * width,
    y: (atEdges ? 0.9 : 0.5) * height,
    rx: (0.1 + random() * 0.1) * width,
    ry: (0.2 + random() * 0.2) * height,
  }))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = lungs.some((lung) => ((x - lung.x) / lung.rx) ** 2 + ((y - lung.y) / lung.ry) ** 2 <= 1)
      data[y * width + x] = inside && random() >= 0.01 ? MASK_INSIDE : 0
    }
  }
  return { width, height, data }
}

describe('blurMask', () => {
  it('is bit for bit the blur of the whole image, blurring only around the lungs', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const mask = randomLungs(seed, 60 + seed * 13, 50 + seed * 11, seed % 3 === 0)
      for (const radius of [3, 1, 2]) {
        expect(cropBlurIsExact(radius)).toBe(true)
        const reference = gaussianBlur(maskToGrey(mask), { radius }).data
        expect(Array.from(blurMask(mask, radius).data), `seed ${seed}, radius ${radius}`).toEqual(Array.from(reference))
      }
    }
  })

  it('blurs the whole image where the crop would not be exact, and an empty mask stays empty', () => {
    expect(cropBlurIsExact(8)).toBe(false)
    const mask = randomLungs(5, 90, 70, false)
    expect(Array.from(blurMask(mask, 8).data)).toEqual(Array.from(gaussianBlur(maskToGrey(mask), { radius: 8 }).data))
    const empty: BinaryMask = { width: 9, height: 7, data: new Uint8Array(63) }
    expect(Array.from(blurMask(empty).data)).toEqual(new Array(63).fill(0))
  })
})
