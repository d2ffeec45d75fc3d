import { describe, expect, it } from 'vitest'
import { gaussianBlur } from '@shared/imaging/preprocess'
import { blurMask, labelComponents, LUNG_POSTPROCESS_DEFAULTS, maskQualityFeatures, maskToGrey, postprocessLungMask } from '@shared/lung'

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
