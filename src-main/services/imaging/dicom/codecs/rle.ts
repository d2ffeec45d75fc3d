/**
 * RLE Lossless (DICOM PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits
 * segment per byte plane (most significant byte first, one sample after another).
 */
import { TruncatedCodestreamError, type DecodedFrame, type EncodedFrame } from './types'

const HEADER_LENGTH = 64

/** Decode one RLE Lossless frame into interleaved samples. */
export async function decodeRleLossless(frame: EncodedFrame): Promise<DecodedFrame> {
  return decodeRleLosslessSync(frame)
}

/** Synchronous core of `decodeRleLossless` (no wasm, nothing to wait for). */
export function decodeRleLosslessSync(frame: EncodedFrame): DecodedFrame {
  const { data, rows, columns, samplesPerPixel, bitsAllocated } = frame
  if (bitsAllocated % 8 !== 0) throw new Error(`RLE needs whole bytes per sample, Bits Allocated is ${bitsAllocated}`)
  const bytesPerSample = bitsAllocated / 8
  const expectedSegments = samplesPerPixel * bytesPerSample
  if (data.length < HEADER_LENGTH) throw new Error(`RLE frame is ${data.length} bytes, shorter than its 64-byte header`)
  const header = new DataView(data.buffer, data.byteOffset, HEADER_LENGTH)
  const segmentCount = header.getUint32(0, true)
  if (segmentCount !== expectedSegments) {
    throw new Error(`RLE frame has ${segmentCount} segments, expected ${expectedSegments} (${samplesPerPixel} samples x ${bytesPerSample} bytes)`)
  }
  const offsets: number[] = []
  for (let i = 0; i < segmentCount; i++) offsets.push(header.getUint32(4 + 4 * i, true))
  offsets.push(data.length)

  const pixelCount = rows * columns
  const plane = new Uint8Array(pixelCount)
  // Int32, the type the DICOM decoder stores, so it takes these samples without another copy. 32-bit samples wrap
  // modulo 2^32 as they would on that copy; the byte sums below stay exact, so the wrap is the same.
  const samples = new Int32Array(pixelCount * samplesPerPixel)
  const warnings: string[] = []
  for (let segment = 0; segment < segmentCount; segment++) {
    const start = offsets[segment]
    const end = offsets[segment + 1]
    if (start < HEADER_LENGTH || end > data.length || start > end) {
      throw new Error(`RLE segment ${segment + 1} has offsets ${start}..${end} outside the ${data.length}-byte frame`)
    }
    const produced = unpackBits(data, start, end, plane)
    if (produced < pixelCount) {
      throw new TruncatedCodestreamError(`RLE segment ${segment + 1} decodes to ${produced} bytes, expected ${pixelCount}`)
    }
    const sample = Math.floor(segment / bytesPerSample)
    // Segments come most significant byte first.
    const factor = 2 ** (8 * (bytesPerSample - 1 - (segment % bytesPerSample)))
    for (let p = 0, o = sample; p < pixelCount; p++, o += samplesPerPixel) samples[o] += plane[p] * factor
  }
  return {
    width: columns,
    height: rows,
    components: samplesPerPixel,
    bitsPerSample: bitsAllocated,
    signedValues: false,
    samples,
    colourConverted: false,
    warnings,
  }
}

/**
 * PackBits: a header byte n in 0..127 copies n+1 literal bytes, -127..-1 repeats the next byte
 * 1-n times, -128 is a no-op. Output beyond `out` (encoder padding) is dropped; returns the
 * number of bytes written.
 */
export function unpackBits(data: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let position = start
  let written = 0
  const capacity = out.length
  while (position < end && written < capacity) {
    const header = data[position++]
    if (header < 128) {
      const count = Math.min(header + 1, end - position, capacity - written)
      out.set(data.subarray(position, position + count), written)
      position += header + 1
      written += count
    } else if (header > 128) {
      if (position >= end) break
      const count = Math.min(257 - header, capacity - written)
      out.fill(data[position++], written, written + count)
      written += count
    }
  }
  return written
}

/** What an RLE frame's 64-byte header announces: its segments and how many bytes the first one decodes to. */
export interface RleHeader {
  segmentCount: number
  /** Decoded length of segment 1: Rows x Columns in a whole, matching frame. */
  firstSegmentLength: number
}

/** Read the header of an RLE frame and count (without writing) what its first segment decodes to; undefined when unreadable. */
export function readRleHeader(data: Uint8Array): RleHeader | undefined {
  if (data.length < HEADER_LENGTH) return undefined
  const header = new DataView(data.buffer, data.byteOffset, HEADER_LENGTH)
  const segmentCount = header.getUint32(0, true)
  if (segmentCount < 1 || segmentCount > 15) return undefined
  const start = header.getUint32(4, true)
  const end = segmentCount > 1 ? header.getUint32(8, true) : data.length
  if (start < HEADER_LENGTH || end > data.length || start > end) return undefined
  let length = 0
  for (let position = start; position < end; ) {
    const run = data[position++]
    if (run < 128) {
      length += Math.min(run + 1, end - position)
      position += run + 1
    } else if (run > 128) {
      if (position >= end) break
      length += 257 - run
      position++
    }
  }
  return { segmentCount, firstSegmentLength: length }
}
