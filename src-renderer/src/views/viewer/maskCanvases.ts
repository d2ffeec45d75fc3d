import { rgbaCanvas } from './greyCanvas'

/** The mask as a coloured layer: filled, or only its outline (pixels inside with a neighbour outside). */
export function maskLayer(mask: Uint8Array, width: number, height: number, style: 'filled' | 'contour', colour: [number, number, number] = [95, 220, 140]): HTMLCanvasElement {
  const rgba = new Uint8ClampedArray(width * height * 4)
  // An outline 2 px wide stays visible when a large radiograph is shown small.
  const edge = (x: number, y: number) => {
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const nx = x + dx
        const ny = y + dy
        if (nx < 0 || ny < 0 || nx >= width || ny >= height || mask[ny * width + nx] === 0) return true
      }
    }
    return false
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      if (mask[i] === 0) continue
      if (style === 'contour' && !edge(x, y)) continue
      rgba[i * 4] = colour[0]
      rgba[i * 4 + 1] = colour[1]
      rgba[i * 4 + 2] = colour[2]
      rgba[i * 4 + 3] = 255
    }
  }
  return rgbaCanvas(rgba, width, height)
}
