/**
 * Colour encodings that must become RGB before anything else looks at the samples: YBR_FULL,
 * YBR_FULL_422 (native, two pixels share chroma) and PALETTE COLOR (PS3.3 C.7.6.3.1.2 / C.7.6.3.1.5).
 */
import type { DataSet } from 'dicom-parser'
import { readLookupTable } from './lut'

/** YCbCr (full range) to RGB in place, with the chroma centre of the given precision. */
export function convertYbrFullToRgb(samples: Int32Array, bitsStored: number): void {
  const center = 2 ** (bitsStored - 1)
  const max = 2 ** bitsStored - 1
  for (let i = 0; i + 2 < samples.length; i += 3) {
    const y = samples[i]
    const cb = samples[i + 1] - center
    const cr = samples[i + 2] - center
    samples[i] = clamp(y + 1.402 * cr, max)
    samples[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr, max)
    samples[i + 2] = clamp(y + 1.772 * cb, max)
  }
}

/** Native YBR_FULL_422 (Y1 Y2 Cb Cr for each pixel pair) to interleaved RGB. */
export function expandYbrFull422(samples: Int32Array, rows: number, columns: number, bitsStored: number): Int32Array {
  const pixels = rows * columns
  const out = new Int32Array(pixels * 3)
  for (let pixel = 0, source = 0; pixel < pixels && source + 3 < samples.length; pixel += 2, source += 4) {
    const cb = samples[source + 2]
    const cr = samples[source + 3]
    for (let k = 0; k < 2 && pixel + k < pixels; k++) {
      const o = 3 * (pixel + k)
      out[o] = samples[source + k]
      out[o + 1] = cb
      out[o + 2] = cr
    }
  }
  convertYbrFullToRgb(out, bitsStored)
  return out
}

/** Palette indices to RGB through the Red/Green/Blue Palette Color LUTs; undefined if the LUTs are unusable. */
export function applyPalette(indices: Int32Array, dataSet: DataSet, warnings: string[]): { rgb: Int32Array; bits: number } | undefined {
  const channels = (['1', '2', '3'] as const).map((n) =>
    readLookupTable(dataSet, false, warnings, 'Palette Color LUT', `x0028110${n}`, `x0028120${n}`),
  )
  if (channels.some((c) => c === undefined)) return undefined
  const [red, green, blue] = channels as NonNullable<(typeof channels)[number]>[]
  const bits = red.bitsPerEntry > 8 ? 16 : 8
  const rgb = new Int32Array(indices.length * 3)
  const last = red.data.length - 1
  for (let i = 0; i < indices.length; i++) {
    let index = indices[i] - red.firstInputValue
    if (index < 0) index = 0
    else if (index > last) index = last
    rgb[3 * i] = red.data[index]
    rgb[3 * i + 1] = green.data[Math.min(index, green.data.length - 1)]
    rgb[3 * i + 2] = blue.data[Math.min(index, blue.data.length - 1)]
  }
  return { rgb, bits }
}

function clamp(value: number, max: number): number {
  return value < 0 ? 0 : value > max ? max : Math.round(value)
}
