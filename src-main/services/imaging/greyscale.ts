/**
 * The one colour-to-grey conversion of the service, used for raster files and colour DICOM alike,
 * so a radiograph gives the same grey values whichever container it arrived in.
 *
 * Choices, and why:
 * - Luma = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), the weights of JPEG/JFIF YCbCr: most
 *   colour radiographs are JPEG-derived, so grey-in-RGB files convert back exactly (R = G = B = Y).
 * - Alpha is composited on black: transparent areas of exported radiographs are outside the
 *   acquired field, which is black (no signal) in MONOCHROME2 display.
 */

/** ITU-R BT.601 luma weights for R, G, B. */
export const LUMA_WEIGHTS = [0.299, 0.587, 0.114] as const

/** Interleaved samples after alpha removal, with their grey values. */
export interface GreyConversion {
  /** Samples without alpha (composited on black), 1 or 3 per pixel, rounded to integers. */
  samples: Int32Array
  /** 1 (grey) or 3 (RGB). */
  channels: number
  /** One value per pixel: the grey sample, or the BT.601 luma of RGB (not rounded). */
  grey: Float32Array
}

/**
 * Convert interleaved samples with 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels.
 * `maxValue` is the full-scale value (255 or 65535), needed to weigh alpha.
 */
export function convertToGrey(input: ArrayLike<number>, channels: number, maxValue: number): GreyConversion {
  if (channels < 1 || channels > 4) throw new Error(`cannot convert ${channels} channels to grey`)
  const pixelCount = Math.floor(input.length / channels)
  const hasAlpha = channels === 2 || channels === 4
  const colourChannels = channels >= 3 ? 3 : 1
  const samples = new Int32Array(pixelCount * colourChannels)
  const grey = new Float32Array(pixelCount)
  for (let p = 0; p < pixelCount; p++) {
    const base = p * channels
    const opacity = hasAlpha ? input[base + channels - 1] / maxValue : 1
    if (colourChannels === 1) {
      const value = hasAlpha ? Math.round(input[base] * opacity) : input[base]
      samples[p] = value
      grey[p] = value
    } else {
      const r = hasAlpha ? Math.round(input[base] * opacity) : input[base]
      const g = hasAlpha ? Math.round(input[base + 1] * opacity) : input[base + 1]
      const b = hasAlpha ? Math.round(input[base + 2] * opacity) : input[base + 2]
      samples[3 * p] = r
      samples[3 * p + 1] = g
      samples[3 * p + 2] = b
      grey[p] = LUMA_WEIGHTS[0] * r + LUMA_WEIGHTS[1] * g + LUMA_WEIGHTS[2] * b
    }
  }
  return { samples, channels: colourChannels, grey }
}
