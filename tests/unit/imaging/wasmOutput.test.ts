import { describe, expect, it } from 'vitest'
import { widenOut } from '../../../src-main/services/imaging/dicom/codecs/wasmLoader'

/** Little-endian bytes of 16-bit values, placed at `offset` inside a larger buffer as a codec's heap view would be. */
function heapView(values: number[], offset: number): Uint8Array {
  const heap = new Uint8Array(offset + values.length * 2 + 8)
  values.forEach((value, i) => {
    heap[offset + 2 * i] = value & 0xff
    heap[offset + 2 * i + 1] = (value >> 8) & 0xff
  })
  return heap.subarray(offset, offset + values.length * 2)
}

describe('widenOut: codec output read from wasm memory into stored values', () => {
  it('reads 16-bit samples as unsigned or signed (two’s complement), at even and odd offsets alike', () => {
    const values = [0, 1, 4095, 32767, 32768, 65535]
    for (const offset of [16, 17]) {
      expect(Array.from(widenOut(heapView(values, offset), 16, false))).toEqual(values)
      expect(Array.from(widenOut(heapView(values, offset), 12, true))).toEqual([0, 1, 4095, 32767, -32768, -1])
    }
  })

  it('reads 8-bit samples as unsigned or signed', () => {
    const bytes = new Uint8Array([0, 127, 128, 255])
    expect(Array.from(widenOut(bytes, 8, false))).toEqual([0, 127, 128, 255])
    expect(Array.from(widenOut(bytes, 8, true))).toEqual([0, 127, -128, -1])
  })

  it('interleaves component planes by pixel (JPEG-LS interleave mode 0)', () => {
    // Planes R = 1 2 3 4, G = 10 20 30 40, B = 100 200 300 400.
    const planar = heapView([1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400], 4)
    expect(Array.from(widenOut(planar, 16, false, 3))).toEqual([1, 10, 100, 2, 20, 200, 3, 30, 300, 4, 40, 400])
  })

  it('returns a buffer of its own, not a view that the next decode would overwrite', () => {
    const view = heapView([5, 6], 0)
    const samples = widenOut(view, 16, false)
    view.fill(0)
    expect(Array.from(samples)).toEqual([5, 6])
  })
})
