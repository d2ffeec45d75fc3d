import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { writeDicom } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { encodeJpegLosslessSv1, randomSamples } from './fixtureHelpers'

/**
 * The classic end-of-stream case: the last pixel repeats its left neighbour (difference 0, a Huffman code
 * with no extra bits) and that code ends exactly on the byte before EOI, with no padding bits. The
 * encoder's codes are 5 bits + the category, so the total length is a multiple of 8 exactly when
 * `bitLength` says so; the second pixel is chosen to make it one. jpeg-lossless-decoder-js (the
 * previous codec) took that last code for the marker and left 0 where the image has 4095.
 *
 * Reference digests: SHA-256 (first 16 hex digits) of the stored values as little-endian int32,
 * from GDCM 3.0.21 through pydicom 2.3.1's gdcm_handler (Debian python3-gdcm / python3-pydicom),
 * decoding these same files; GDCM also returned the source samples exactly.
 */
const CASES = [
  { width: 64, height: 48, secondPixel: 296, gdcmDigest: '473d9a9390df7273' },
  { width: 2000, height: 2128, secondPixel: 222, gdcmDigest: '886f376939d55b82' },
]

function fixture(width: number, height: number, secondPixel: number): number[] {
  const samples = randomSamples(width * height, 0, 4095, 5)
  samples[1] = secondPixel
  samples[samples.length - 2] = 4095
  samples[samples.length - 1] = 4095
  return samples
}

/** Bits of entropy-coded data encodeJpegLosslessSv1 writes for SV1 differences of these 12-bit samples. */
function bitLength(samples: number[], width: number): number {
  let bits = 0
  for (let i = 0; i < samples.length; i++) {
    const prediction = i === 0 ? 2048 : i % width === 0 ? samples[i - width] : samples[i - 1]
    bits += 5 + Math.abs(samples[i] - prediction).toString(2).replace(/^0$/, '').length
  }
  return bits
}

function digest(stored: Int32Array): string {
  return createHash('sha256').update(new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength)).digest('hex').slice(0, 16)
}

describe('12-bit JPEG Lossless (Process 14, SV1) decodes exactly to the last pixel', () => {
  for (const { width, height, secondPixel, gdcmDigest } of CASES) {
    it(`${width} x ${height}: last pixel 4095, every sample as GDCM reads it`, async () => {
      const samples = fixture(width, height, secondPixel)
      expect(bitLength(samples, width) % 8, 'the fixture must end exactly on a byte boundary').toBe(0)
      const codestream = encodeJpegLosslessSv1(samples, width, height, 12)
      const file = writeDicom({ rows: height, columns: width, pixels: [], bitsStored: 12, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.70', encapsulatedFrames: [codestream] })
      const image = await decodeImageBuffer(file, `jpll-${width}x${height}.dcm`)
      expect(image.stored[image.stored.length - 1]).toBe(4095)
      expect(Buffer.compare(Buffer.from(Int32Array.from(samples).buffer), Buffer.from(image.stored.buffer, image.stored.byteOffset, image.stored.byteLength))).toBe(0)
      expect(digest(image.stored)).toBe(gdcmDigest)
      expect(image.warnings).toEqual([])
    })
  }
})
