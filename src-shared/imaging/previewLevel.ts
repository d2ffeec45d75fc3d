/** A smaller copy of an image's pixels, for redrawing quickly while the user drags the window. */
export interface PreviewLevel {
  width: number
  height: number
  pixels: Float32Array
  /** How many full-resolution pixels one preview pixel spans, per axis. */
  factor: number
}

/**
 * Halves the image (2×2 means) until its longer side is at most `maxSide`. Means, not subsampling, so the preview
 * shows the same grey levels a full-resolution render would, only blurrier. Returns the image itself (factor 1)
 * when it is already small enough.
 */
export function buildPreviewLevel(pixels: Float32Array, width: number, height: number, maxSide = 1024): PreviewLevel {
  let level: PreviewLevel = { width, height, pixels, factor: 1 }
  while (Math.max(level.width, level.height) > maxSide) level = halve(level)
  return level
}

function halve(level: PreviewLevel): PreviewLevel {
  const width = Math.max(1, level.width >> 1)
  const height = Math.max(1, level.height >> 1)
  const out = new Float32Array(width * height)
  const source = level.pixels
  const stride = level.width
  for (let y = 0; y < height; y++) {
    const row0 = 2 * y * stride
    const row1 = Math.min(2 * y + 1, level.height - 1) * stride
    for (let x = 0; x < width; x++) {
      const x0 = 2 * x
      const x1 = Math.min(x0 + 1, level.width - 1)
      out[y * width + x] = (source[row0 + x0] + source[row0 + x1] + source[row1 + x0] + source[row1 + x1]) * 0.25
    }
  }
  return { width, height, pixels: out, factor: level.factor * 2 }
}
