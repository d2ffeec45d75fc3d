import { describe, expect, it } from 'vitest'
import type { PixelModule } from '../../../src-main/services/imaging/dicom/imagePixel'
import { readNativeFrame } from '../../../src-main/services/imaging/dicom/nativePixels'
import { createPixelBuffers } from '../../../src-main/services/imaging/pixelBuffers'

/** The definition of PS3.5 8.1 read one sample at a time: the reference the fast paths must equal. */
function referenceFrame(bytes: Uint8Array, module: PixelModule, frameIndex: number, bigEndian: boolean): Int32Array {
  const count = module.rows * module.columns * module.samplesPerPixel
  const bytesPerSample = module.bitsAllocated / 8
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  const out = new Int32Array(count)
  const shift = module.highBit + 1 - module.bitsStored
  for (let i = 0; i < count; i++) {
    const at = (frameIndex * count + i) * bytesPerSample
    const word = bytesPerSample === 1 ? view.getUint8(at) : bytesPerSample === 2 ? view.getUint16(at, !bigEndian) : view.getUint32(at, !bigEndian)
    const stored = Math.floor(word / 2 ** shift) % 2 ** module.bitsStored
    out[i] = module.signed && stored >= 2 ** (module.bitsStored - 1) ? stored - 2 ** module.bitsStored : stored
  }
  return out
}

function module(bitsAllocated: number, bitsStored: number, signed = false, highBit = bitsStored - 1): PixelModule {
  return { rows: 7, columns: 5, samplesPerPixel: 1, bitsAllocated, bitsStored, highBit, signed, photometric: 'MONOCHROME2', planarConfiguration: 0, frames: 2 }
}

/** Two frames of pseudo-random words (overlay bits above High Bit included) placed `offset` bytes into a buffer. */
function frames(pixels: PixelModule, offset: number): Uint8Array {
  const length = 2 * pixels.rows * pixels.columns * (pixels.bitsAllocated / 8)
  const bytes = new Uint8Array(offset + length).subarray(offset)
  let state = 12345
  for (let i = 0; i < bytes.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    bytes[i] = state >>> 24
  }
  return bytes
}

describe('readNativeFrame', () => {
  const cases: [string, PixelModule, boolean][] = [
    ['8-bit', module(8, 8), false],
    ['16-bit little-endian, 12 stored', module(16, 12), false],
    ['16-bit little-endian, signed', module(16, 16, true), false],
    ['16-bit little-endian, 12 stored, signed', module(16, 12, true), false],
    ['16-bit little-endian, 12 stored below High Bit 13', module(16, 12, false, 13), false],
    ['8-bit, 7 stored, signed', module(8, 7, true), false],
    ['16-bit big-endian, 10 stored', module(16, 10), true],
    ['32-bit, signed', module(32, 32, true), false],
  ]
  for (const [name, pixels, bigEndian] of cases) {
    for (const offset of [0, 1, 2]) {
      it(`${name}, frame 2, data ${offset} byte(s) into its buffer: equals the per-sample definition`, () => {
        const bytes = frames(pixels, offset)
        expect(Array.from(readNativeFrame(bytes, pixels, 1, bigEndian))).toEqual(Array.from(referenceFrame(bytes, pixels, 1, bigEndian)))
      })
    }
  }

  it('into a lent array that held other values: every sample is written', () => {
    const pixels = module(16, 12, true)
    const bytes = frames(pixels, 0)
    const pool = createPixelBuffers()
    const dirty = pool.int32(pixels.rows * pixels.columns)
    dirty.fill(-777)
    pool.release(dirty)
    const read = readNativeFrame(bytes, pixels, 1, false, pool)
    expect(read.buffer).toBe(dirty.buffer)
    expect(Array.from(read)).toEqual(Array.from(referenceFrame(bytes, pixels, 1, false)))
  })

  it('an odd-placed frame is read without changing the bytes it was read from', () => {
    const pixels = module(16, 12)
    const bytes = frames(pixels, 1)
    const before = bytes.slice()
    readNativeFrame(bytes, pixels, 0, false)
    expect(bytes).toEqual(before)
  })
})
