/**
 * The report's Grad-CAM picture: a tiny synthetic radiograph with heat at one pixel must come back as a PNG whose
 * reddest pixel is that one, the rest the plain radiograph; large images shrink to the report size, aspect kept.
 */
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { heatColour, overlayHeatmap } from '@shared/imaging/heatmapOverlay'
import { heatmapOverlayPng, OVERLAY_MAX_SIDE } from '../../../src-main/services/report/overlayPng'

async function decodePng(uri: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  expect(uri).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/)
  const { data, info } = await sharp(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64')).raw().toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height, channels: info.channels }
}

const redness = (data: Buffer, channels: number, index: number) => data[index * channels] - (data[index * channels + 1] + data[index * channels + 2]) / 2

describe('heatColour and overlayHeatmap', () => {
  it('runs from blue at 0 to red at 1, and leaves the radiograph untouched where there is no heat', () => {
    const [r0, , b0] = heatColour(0)
    const [r1, g1, b1] = heatColour(1)
    expect(b0).toBeGreaterThan(r0)
    expect(r1).toBeGreaterThan(g1 + b1)
    expect(Array.from(overlayHeatmap([100, 200], [0, 0]))).toEqual([100, 100, 100, 255, 200, 200, 200, 255])
    expect(Array.from(overlayHeatmap([100], [0], 3))).toEqual([100, 100, 100])
    expect(() => overlayHeatmap([1, 2], [0])).toThrow(RangeError)
  })
})

describe('heatmapOverlayPng', () => {
  it('paints the one hot pixel reddest and keeps the rest grey', async () => {
    const width = 5
    const height = 4
    // A grey ramp: the overlay must follow the radiograph's own values (range window), not a flat fill.
    const pixels = Float32Array.from({ length: width * height }, (_, i) => 1000 + 10 * i)
    const heatmap = new Float32Array(width * height)
    const hot = 2 * width + 3
    heatmap[hot] = 1
    const png = await decodePng(await heatmapOverlayPng({ width, height, pixels }, heatmap))
    expect([png.width, png.height]).toEqual([width, height])
    const scores = Array.from({ length: width * height }, (_, i) => redness(png.data, png.channels, i))
    expect(scores.indexOf(Math.max(...scores))).toBe(hot)
    for (let i = 0; i < width * height; i++) {
      if (i === hot) continue
      const [r, g, b] = [png.data[i * png.channels], png.data[i * png.channels + 1], png.data[i * png.channels + 2]]
      expect(r).toBe(g)
      expect(g).toBe(b)
    }
    // The range window: the darkest pixel black, the brightest white.
    expect(png.data[0]).toBe(0)
    expect(png.data[(width * height - 1) * png.channels]).toBe(255)
  })

  it('shrinks a large radiograph to the report size with its aspect ratio, the heat where it was', async () => {
    const width = 600
    const height = 300
    const heatmap = new Float32Array(width * height)
    // Heat over the bottom-right block of 40 × 40 source pixels.
    for (let y = 260; y < 300; y++) for (let x = 560; x < 600; x++) heatmap[y * width + x] = 1
    const png = await decodePng(await heatmapOverlayPng({ width, height, pixels: new Float32Array(width * height).fill(7), invert: false }, heatmap))
    expect([png.width, png.height]).toEqual([OVERLAY_MAX_SIDE, OVERLAY_MAX_SIDE / 2])
    const scores = Array.from({ length: png.width * png.height }, (_, i) => redness(png.data, png.channels, i))
    const reddest = scores.indexOf(Math.max(...scores))
    expect(reddest % png.width).toBeGreaterThan(png.width - 18)
    expect(Math.floor(reddest / png.width)).toBeGreaterThan(png.height - 18)
    expect(redness(png.data, png.channels, 0)).toBe(0)
  })

  it('refuses a heatmap of another size', async () => {
    await expect(heatmapOverlayPng({ width: 2, height: 2, pixels: new Float32Array(4) }, new Float32Array(3))).rejects.toThrow(RangeError)
  })
})
