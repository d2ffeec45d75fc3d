import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, measurePayload } from '@shared/ipc'

describe('bridge frames with typed arrays', () => {
  it('plain values stay JSON text', () => {
    const frame = encodeFrame({ a: 1, b: ['x'] })
    expect(typeof frame).toBe('string')
    expect(decodeFrame(frame)).toEqual({ a: 1, b: ['x'] })
  })

  it('round-trips every typed array kind, nested and top-level, exactly', () => {
    const value = {
      pixels: new Uint16Array([0, 1023, 65535]),
      signed: new Int16Array([-32768, 0, 32767]),
      float: new Float32Array([0.5, -1.25, Number.POSITIVE_INFINITY]),
      bytes: new Uint8Array([1, 2, 3, 4, 5]),
      clamped: new Uint8ClampedArray([0, 255]),
      wide: [new Float64Array([Math.PI]), new Int32Array([-7]), new Uint32Array([4_000_000_000]), new Int8Array([-1])],
      name: 'chest.dcm',
    }
    const frame = encodeFrame(value)
    expect(frame).toBeInstanceOf(Uint8Array)
    const decoded = decodeFrame(frame) as typeof value
    expect(decoded).toEqual(value)
    expect(decoded.pixels).toBeInstanceOf(Uint16Array)
    expect(decoded.wide[0]).toBeInstanceOf(Float64Array)
    expect(decodeFrame(encodeFrame(new Float32Array([1, 2])))).toEqual(new Float32Array([1, 2]))
  })

  it('keeps views of a larger buffer to their own bytes', () => {
    const big = new Uint8Array([9, 9, 1, 2, 3, 9])
    const decoded = decodeFrame(encodeFrame({ part: big.subarray(2, 5) })) as { part: Uint8Array }
    expect(Array.from(decoded.part)).toEqual([1, 2, 3])
  })

  it('decodes from an unaligned buffer (as a socket may hand it over)', () => {
    const frame = encodeFrame({ v: new Float32Array([1.5, 2.5]) }) as Uint8Array
    const shifted = new Uint8Array(frame.byteLength + 1)
    shifted.set(frame, 1)
    expect(decodeFrame(shifted.subarray(1))).toEqual({ v: new Float32Array([1.5, 2.5]) })
  })

  it('rejects truncated and lying frames with an error, never a bad view', () => {
    const frame = encodeFrame({ v: new Float64Array(16) }) as Uint8Array
    expect(() => decodeFrame(frame.subarray(0, 3))).toThrow()
    expect(() => decodeFrame(frame.subarray(0, frame.byteLength - 16))).toThrow(/overruns/)
    const lying = frame.slice()
    new DataView(lying.buffer).setUint32(0, 1_000_000, true)
    expect(() => decodeFrame(lying)).toThrow(/overruns/)
  })

  it('measures typed arrays by bytes, not by their JSON spelling', () => {
    expect(measurePayload({ p: new Float32Array(1000) })).toBeLessThan(4100)
    expect(measurePayload({ p: new Float32Array(1000) })).toBeGreaterThanOrEqual(4000)
  })
})
