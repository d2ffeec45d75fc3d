/**
 * A saliency heatmap drawn over a radiograph: the one look shared by the viewer's Grad-CAM panel and the report's
 * Grad-CAM examples, so a reader who learnt it in one place reads it the same way in the other.
 */

/** Jet-like colours: blue (no attention) through green and yellow to dark red (most). */
export function heatColour(value: number): [number, number, number] {
  const v = Math.max(0, Math.min(1, value))
  const ramp = (centre: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - centre))))
  return [ramp(3), ramp(2), ramp(1)]
}

/** Opacity of the colour where the heatmap is 1; it scales with the value, so "no attention" leaves the radiograph untouched. */
export const HEATMAP_MAX_ALPHA = 0.5

/**
 * Blends a heatmap (one value in [0, 1] per pixel) over an 8-bit grey image of the same size, as opaque RGBA
 * (`channels` 4, what a canvas's ImageData takes) or RGB (`channels` 3, smaller to encode).
 */
export function overlayHeatmap(grey: ArrayLike<number>, heatmap: ArrayLike<number>, channels: 3 | 4 = 4): Uint8ClampedArray<ArrayBuffer> {
  if (grey.length !== heatmap.length) throw new RangeError(`overlayHeatmap: ${grey.length} grey pixels but ${heatmap.length} heatmap values`)
  const out = new Uint8ClampedArray(grey.length * channels)
  for (let i = 0; i < grey.length; i++) {
    const heat = Math.max(0, Math.min(1, heatmap[i] || 0))
    const [r, g, b] = heatColour(heat)
    const alpha = HEATMAP_MAX_ALPHA * heat
    const base = i * channels
    out[base] = grey[i] * (1 - alpha) + r * alpha
    out[base + 1] = grey[i] * (1 - alpha) + g * alpha
    out[base + 2] = grey[i] * (1 - alpha) + b * alpha
    if (channels === 4) out[base + 3] = 255
  }
  return out
}
