import { describe, expect, it } from 'vitest'
import { heatColour } from '@shared/imaging/heatmapOverlay'

describe('heatColour', () => {
  it('runs from dark blue (no evidence) through cyan, green and yellow to dark red (the most), as the jet ramp does', () => {
    expect(heatColour(0)).toEqual([0, 0, 128])
    expect(heatColour(0.25)).toEqual([0, 128, 255])
    expect(heatColour(0.5)).toEqual([128, 255, 128])
    expect(heatColour(0.75)).toEqual([255, 128, 0])
    expect(heatColour(1)).toEqual([128, 0, 0])
  })

  it('clamps values outside [0, 1] (and red grows, blue falls, monotonically on the way)', () => {
    expect(heatColour(-3)).toEqual(heatColour(0))
    expect(heatColour(7)).toEqual(heatColour(1))
    const steps = Array.from({ length: 101 }, (_, i) => heatColour(i / 100))
    for (let i = 1; i <= 75; i++) expect(steps[i][0]).toBeGreaterThanOrEqual(steps[i - 1][0])
    for (let i = 26; i <= 100; i++) expect(steps[i][2]).toBeLessThanOrEqual(steps[i - 1][2])
  })
})
