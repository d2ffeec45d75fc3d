import { describe, expect, it } from 'vitest'
import { decodeSequentialDct } from '../../../src-main/services/imaging/dicom/codecs/jpegExtended'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { writeDicom } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { encodeFlatBlockJpeg, encodeJpeg2000, encodeJpegBaseline, encodeJpegLosslessSv1, encodeJpegLs, randomSamples } from './fixtureHelpers'

const ROWS = 37
const COLUMNS = 29

function encapsulated(frames: Uint8Array[], transferSyntaxUid: string, extra: { bitsStored?: number; signed?: boolean; bitsAllocated?: number; rows?: number; columns?: number } = {}) {
  return writeDicom({
    rows: extra.rows ?? ROWS,
    columns: extra.columns ?? COLUMNS,
    pixels: [],
    bitsAllocated: extra.bitsAllocated ?? 16,
    bitsStored: extra.bitsStored ?? 16,
    signed: extra.signed,
    frames: frames.length,
    syntax: 'encapsulated',
    transferSyntaxUid,
    encapsulatedFrames: frames,
  })
}

describe('lossless codecs return exactly the encoded samples', () => {
  const samples = randomSamples(ROWS * COLUMNS, 0, 4095, 31)

  it('JPEG Lossless SV1 (process 14)', async () => {
    const frame = encodeJpegLosslessSv1(samples, COLUMNS, ROWS, 12)
    const image = await decodeImageBuffer(encapsulated([frame], '1.2.840.10008.1.2.4.70', { bitsStored: 12 }), 'jpll.dcm')
    expect(Array.from(image.stored)).toEqual(samples)
  })

  it('JPEG Lossless SV1, signed 16-bit', async () => {
    const signed = randomSamples(ROWS * COLUMNS, -3000, 3000, 32)
    const frame = encodeJpegLosslessSv1(signed.map((v) => v & 0xffff), COLUMNS, ROWS, 16)
    const image = await decodeImageBuffer(encapsulated([frame], '1.2.840.10008.1.2.4.70', { signed: true }), 'jpll-signed.dcm')
    expect(Array.from(image.stored)).toEqual(signed)
  })

  it('JPEG-LS lossless', async () => {
    const frame = await encodeJpegLs(samples, COLUMNS, ROWS, 12)
    const image = await decodeImageBuffer(encapsulated([frame], '1.2.840.10008.1.2.4.80', { bitsStored: 12 }), 'jlsl.dcm')
    expect(Array.from(image.stored)).toEqual(samples)
  })

  it('JPEG-LS near-lossless stays within NEAR', async () => {
    const frame = await encodeJpegLs(samples, COLUMNS, ROWS, 12, 1, 3)
    const image = await decodeImageBuffer(encapsulated([frame], '1.2.840.10008.1.2.4.81', { bitsStored: 12 }), 'jlsn.dcm')
    const worst = Math.max(...Array.from(image.stored, (v, i) => Math.abs(v - samples[i])))
    expect(worst).toBeLessThanOrEqual(3)
    expect(image.transferSyntax.lossy).toBe(true)
  })

  it('JPEG 2000 lossless, multi-frame without offset table', async () => {
    const second = randomSamples(ROWS * COLUMNS, 0, 4095, 33)
    const frames = [await encodeJpeg2000(samples, COLUMNS, ROWS, 12), await encodeJpeg2000(second, COLUMNS, ROWS, 12)]
    const image = await decodeImageBuffer(encapsulated(frames, '1.2.840.10008.1.2.4.90', { bitsStored: 12 }), 'j2kr.dcm', { frame: 1 })
    expect(Array.from(image.stored)).toEqual(second)
  })

  it('RLE inside the same machinery (fragmented frames)', async () => {
    const bytes = writeDicom({ rows: ROWS, columns: COLUMNS, pixels: samples, bitsStored: 12, syntax: 'rle', fragmentSize: 64 })
    expect(Array.from((await decodeImageBuffer(bytes, 'rle.dcm')).stored)).toEqual(samples)
  })
})

describe('JPEG DCT decoding', () => {
  it('12-bit JPEG Extended flat blocks decode to their exact levels (with restart markers)', async () => {
    const width = 21
    const height = 18
    const blocks = Math.ceil(width / 8) * Math.ceil(height / 8)
    const levels = randomSamples(blocks, 0, 4095, 34)
    for (const restart of [0, 2]) {
      const frame = encodeFlatBlockJpeg(levels, width, height, 12, restart)
      const image = await decodeImageBuffer(encapsulated([frame], '1.2.840.10008.1.2.4.51', { bitsStored: 12, rows: height, columns: width }), 'jply.dcm')
      const expected = Array.from({ length: width * height }, (_, i) => levels[Math.floor(Math.floor(i / width) / 8) * Math.ceil(width / 8) + Math.floor((i % width) / 8)])
      expect(Array.from(image.stored)).toEqual(expected)
    }
  })

  it('the 8-bit path of the own DCT decoder agrees with libjpeg-turbo (same islow IDCT)', async () => {
    const random = randomSamples(64 * 48, 0, 255, 35)
    const smooth = random.map((v, i) => Math.round((v + ((i % 64) * 4) % 256) / 2))
    const jpeg = await encodeJpegBaseline(smooth, 64, 48, 75)
    const viaLibjpeg = await decodeImageBuffer(encapsulated([jpeg], '1.2.840.10008.1.2.4.50', { bitsAllocated: 8, bitsStored: 8, rows: 48, columns: 64 }), 'jpeg.dcm')
    const own = decodeSequentialDct(jpeg, 64 * 48)
    expect(Array.from(own.samples as Uint8Array)).toEqual(Array.from(viaLibjpeg.stored))
    const worst = Math.max(...Array.from(viaLibjpeg.stored, (v, i) => Math.abs(v - smooth[i])))
    expect(worst).toBeLessThan(60)
  })

  it('a 12-bit frame labelled as baseline (4.50) still goes to the 12-bit decoder', async () => {
    const levels = [100, 4000, 2048, 7]
    const frame = encodeFlatBlockJpeg(levels, 16, 16, 12)
    const image = await decodeImageBuffer(encapsulated([frame], '1.2.840.10008.1.2.4.50', { bitsStored: 12, rows: 16, columns: 16 }), 'mislabelled.dcm')
    expect([image.stored[0], image.stored[8], image.stored[8 * 16], image.stored[255]]).toEqual(levels)
  })
})
