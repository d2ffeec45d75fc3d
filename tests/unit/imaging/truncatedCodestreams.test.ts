import { describe, expect, it } from 'vitest'
import { isImagingError, type ImagingError } from '@shared/imaging/errors'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { hasEndOfImage } from '../../../src-main/services/imaging/dicom/codecs/jpegMarkers'
import { writeDicom } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { encodeFlatBlockJpeg, encodeJpeg2000, encodeJpegBaseline, encodeJpegLosslessSv1, encodeJpegLs, randomSamples } from './fixtureHelpers'

const ROWS = 128
const COLUMNS = 96
const samples = randomSamples(ROWS * COLUMNS, 0, 4095, 31)

/** A valid DICOM file whose codestream stops after `fraction` of its bytes (cut inside the fragment, as a broken transfer leaves it). */
function cutCodestream(uid: string, codestream: Uint8Array, fraction: number, bits = 16): Uint8Array {
  const cut = codestream.slice(0, Math.floor(codestream.length * fraction))
  return writeDicom({ rows: ROWS, columns: COLUMNS, pixels: [], bitsAllocated: bits, bitsStored: bits === 8 ? 8 : 12, syntax: 'encapsulated', transferSyntaxUid: uid, encapsulatedFrames: [cut] })
}

async function refusal(bytes: Uint8Array, name: string): Promise<{ error: ImagingError; milliseconds: number }> {
  const started = performance.now()
  const error = await decodeImageBuffer(bytes, name).then(
    (image) => new Error(`decoded ${image.width} x ${image.height} with warnings ${JSON.stringify(image.warnings)}`),
    (e: unknown) => e,
  )
  expect(isImagingError(error), String(error)).toBe(true)
  return { error: error as ImagingError, milliseconds: performance.now() - started }
}

describe('a codestream that ends early is a TRUNCATED error, found fast', () => {
  it('JPEG-LS cut at 10 %, 50 % and 99 %: refused before CharLS, which spins 4-13 s on a stream without end marker', async () => {
    const codestream = await encodeJpegLs(samples, COLUMNS, ROWS, 12)
    for (const fraction of [0.1, 0.5, 0.99]) {
      const { error, milliseconds } = await refusal(cutCodestream('1.2.840.10008.1.2.4.80', codestream, fraction), 'cut.dcm')
      expect(error.code).toBe('TRUNCATED')
      expect(error.detail).toMatch(/JPEG-LS \(CharLS\) data has no End Of Image marker: it was cut short/)
      expect(milliseconds).toBeLessThan(1000)
    }
  })

  it('a whole JPEG-LS codestream, with or without DICOM padding, still decodes exactly', async () => {
    const codestream = await encodeJpegLs(samples, COLUMNS, ROWS, 12)
    expect(hasEndOfImage(codestream)).toBe(true)
    expect(hasEndOfImage(Uint8Array.from([...codestream, 0]))).toBe(true)
    expect(hasEndOfImage(codestream.subarray(0, codestream.length - 1))).toBe(false)
    const image = await decodeImageBuffer(cutCodestream('1.2.840.10008.1.2.4.80', codestream, 1), 'whole.dcm')
    expect(Array.from(image.stored)).toEqual(samples)
  })

  it('JPEG 2000 and 8-bit JPEG cut short are TRUNCATED, not a codec failure or a grey image', async () => {
    const j2k = await encodeJpeg2000(samples, COLUMNS, ROWS, 12)
    expect((await refusal(cutCodestream('1.2.840.10008.1.2.4.90', j2k, 0.6), 'j2k.dcm')).error.detail).toMatch(/no End Of Codestream marker/)
    const eightBit = await encodeJpegBaseline(Uint8Array.from(samples, (v) => v >> 4), COLUMNS, ROWS)
    expect((await refusal(cutCodestream('1.2.840.10008.1.2.4.50', eightBit, 0.6, 8), 'jpeg.dcm')).error.code).toBe('TRUNCATED')
  })

  it('JPEG Lossless cut at half is TRUNCATED: it used to decode with exit 0, its lower rows one constant value', async () => {
    const codestream = encodeJpegLosslessSv1(samples, COLUMNS, ROWS, 12)
    for (const fraction of [0.5, 0.9, 0.999]) {
      const { error } = await refusal(cutCodestream('1.2.840.10008.1.2.4.70', codestream, fraction), 'jpll.dcm')
      expect(error.code).toBe('TRUNCATED')
      expect(error.detail).toMatch(/frame 1 .* is cut short or damaged: the JPEG Lossless data ends before the image does/)
    }
    // The last entropy-coded byte and EOI are all that is missing here: still truncated, since the bottom-right pixels need that byte.
    const withoutLastByte = Uint8Array.from([...codestream.subarray(0, codestream.length - 3), 0xff, 0xd9])
    expect((await refusal(writeDicom({ rows: ROWS, columns: COLUMNS, pixels: [], bitsStored: 12, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.70', encapsulatedFrames: [withoutLastByte] }), 'last.dcm')).error.code).toBe('TRUNCATED')
  })

  it('12-bit JPEG (DCT) cut short is TRUNCATED instead of an image whose rest is grey', async () => {
    const levels = randomSamples(Math.ceil(COLUMNS / 8) * Math.ceil(ROWS / 8), 0, 4095, 32)
    for (const restartInterval of [0, 5]) {
      const codestream = encodeFlatBlockJpeg(levels, COLUMNS, ROWS, 12, restartInterval)
      const { error } = await refusal(cutCodestream('1.2.840.10008.1.2.4.51', codestream, 0.5), 'jply.dcm')
      expect(error.code).toBe('TRUNCATED')
    }
  })

  it('an RLE segment that stops early is TRUNCATED', async () => {
    const file = writeDicom({ rows: ROWS, columns: COLUMNS, pixels: samples, bitsStored: 12, syntax: 'rle' })
    // Cut inside the last segment, keeping the file well formed: shorten the fragment item and close the sequence.
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
    const delimiter = file.length - 8
    let item = delimiter - 8
    while (!(view.getUint32(item, true) === 0xe000fffe && item + 8 + view.getUint32(item + 4, true) === delimiter)) item -= 2
    const keep = view.getUint32(item + 4, true) - 200
    const cut = new Uint8Array(item + 8 + keep + 8)
    cut.set(file.subarray(0, item + 8 + keep))
    new DataView(cut.buffer).setUint32(item + 4, keep, true)
    cut.set([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0], item + 8 + keep)
    const { error } = await refusal(cut, 'rle.dcm')
    expect(error.code).toBe('TRUNCATED')
    expect(error.detail).toMatch(/RLE segment 2 decodes to \d+ bytes, expected 12288/)
  })
})
