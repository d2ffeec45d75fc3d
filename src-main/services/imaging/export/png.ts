/**
 * PNG writing through sharp (already a dependency for decoding), kept to one place so every command
 * writes grey PNGs the same way: one channel, no colour profile, lossless.
 */
import { writeFile } from 'node:fs/promises'
import sharp from 'sharp'
import type { GreyImage } from '@shared/imaging/preprocess'

/** Encode 8-bit grey samples (one byte per pixel, row-major) as a one-channel PNG. */
export async function encodeGreyPng(samples: Uint8Array | Uint8ClampedArray, width: number, height: number): Promise<Buffer> {
  if (samples.length !== width * height) throw new RangeError(`PNG export: ${samples.length} samples for ${width}x${height}`)
  const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)
  // Without an explicit 'b-w' colourspace sharp writes one-channel raw input as three-channel sRGB.
  return sharp(bytes, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer()
}

/** Write 8-bit grey samples to `path` as a PNG. */
export async function writeGreyPng(path: string, samples: Uint8Array | Uint8ClampedArray, width: number, height: number): Promise<void> {
  await writeFile(path, await encodeGreyPng(samples, width, height))
}

/**
 * Quantize a [0, 1] grey image to 8 bits (round to nearest, clamped): the form a preprocessed network
 * input is looked at in. Values outside [0, 1] clamp rather than wrap.
 */
export function unitGreyToBytes(image: GreyImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(image.data.length)
  const data = image.data
  // Uint8ClampedArray rounds half to even and clamps, which is exactly the quantisation wanted.
  for (let i = 0; i < data.length; i++) out[i] = data[i] * 255
  return out
}
