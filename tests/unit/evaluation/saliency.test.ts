import { describe, expect, it } from 'vitest'
import { lungShareText, saliencyInsideLungs } from '@shared/evaluation/saliency'

describe('saliencyInsideLungs', () => {
  it('is the mask-weighted share of the total saliency', () => {
    // Total 1 + 2 + 3 + 4 = 10; inside: 1·1 + 2·0 + 3·0.5 + 4·0 = 2.5.
    expect(saliencyInsideLungs([1, 2, 3, 4], [1, 0, 0.5, 0])).toBeCloseTo(0.25, 12)
    expect(saliencyInsideLungs(new Float32Array([0, 1, 0, 1]), new Float32Array([0, 1, 0, 1]))).toBe(1)
    expect(saliencyInsideLungs([0.5, 0.5], [0, 0])).toBe(0)
  })

  it('clamps negative heat and out-of-range mask values', () => {
    // Heat −1 counts as 0; mask 2 counts as 1 and −1 as 0: inside 1, total 1 + 3.
    expect(saliencyInsideLungs([-1, 1, 3], [1, 2, -1])).toBeCloseTo(0.25, 12)
  })

  it('is null without saliency and rejects mismatched sizes', () => {
    expect(saliencyInsideLungs([0, 0, 0], [1, 1, 1])).toBeNull()
    expect(() => saliencyInsideLungs([1, 2], [1])).toThrow(RangeError)
  })
})

describe('lungShareText', () => {
  it('gives the share, or the true reason it is missing: an empty map is not "no lung model"', () => {
    expect(lungShareText(0.734, null)).toBe('73 % of the saliency inside the lungs')
    expect(lungShareText(null, 'no-evidence')).toBe('no COVID+ evidence anywhere in the image (the map is empty)')
    expect(lungShareText(null, 'no-lungs-found')).toBe('the lung model found no lungs in this image: the share inside the lungs is unknown')
    expect(lungShareText(null, 'no-lung-model')).toBe('no lung model: the share inside the lungs is unknown')
  })
})
