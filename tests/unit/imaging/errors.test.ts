import { describe, expect, it } from 'vitest'
import { ImagingError, isImagingError, type ImagingErrorCode } from '@shared/imaging/errors'
import { decodeImageBuffer, decodeImageFile } from '../../../src-main/services/imaging/decode'
import { createImagingService } from '../../../src-main/services/imaging/index'
import { writeDicom, type DicomFixtureSpec } from '../../../src-main/services/imaging/fixtures/writeDicom'

const base: DicomFixtureSpec = { rows: 8, columns: 8, pixels: Array.from({ length: 64 }, (_, i) => i * 10) }

async function expectCode(bytes: Uint8Array, code: ImagingErrorCode, name = 'broken.dcm', pattern?: RegExp): Promise<ImagingError> {
  const error = await decodeImageBuffer(bytes, name).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isImagingError(error), `expected an ImagingError ${code}`).toBe(true)
  const imagingError = error as ImagingError
  expect(imagingError.code).toBe(code)
  expect(imagingError.file).toBe(name)
  expect(imagingError.message.startsWith(`${name}: `)).toBe(true)
  if (pattern) expect(imagingError.detail).toMatch(pattern)
  return imagingError
}

describe('each failure has its own code and a message naming the file', () => {
  it('NOT_DICOM for text, random bytes and empty files', async () => {
    await expectCode(new TextEncoder().encode('patient list\nname,age\n'.repeat(20)), 'NOT_DICOM', 'notes.dcm', /not a DICOM, PNG or JPEG/)
    await expectCode(new Uint8Array(0), 'NOT_DICOM', 'empty.dcm', /empty/)
  })

  it('UNSUPPORTED_FORMAT for recognised other formats', async () => {
    await expectCode(new TextEncoder().encode('GIF89a....................'), 'UNSUPPORTED_FORMAT', 'x.gif', /GIF/)
    await expectCode(Uint8Array.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 0, 0]), 'UNSUPPORTED_FORMAT', 'x.tif', /TIFF/)
  })

  it('TRUNCATED when the file ends inside Pixel Data or inside the header', async () => {
    const whole = writeDicom(base)
    await expectCode(whole.subarray(0, whole.length - 20), 'TRUNCATED', 'cut.dcm', /ends inside Pixel Data/)
    await expectCode(whole.subarray(0, 300), 'TRUNCATED', 'cut-header.dcm')
    const rle = writeDicom({ ...base, syntax: 'rle' })
    await expectCode(rle.subarray(0, rle.length - 30), 'TRUNCATED', 'cut-rle.dcm')
  })

  it('UNSUPPORTED_SYNTAX names the transfer syntax', async () => {
    const htj2k = writeDicom({ ...base, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.201', encapsulatedFrames: [new Uint8Array(10)] })
    await expectCode(htj2k, 'UNSUPPORTED_SYNTAX', 'htj2k.dcm', /High-Throughput JPEG 2000/)
    const made = writeDicom({ ...base, syntax: 'encapsulated', transferSyntaxUid: '1.2.3.4', encapsulatedFrames: [new Uint8Array(10)] })
    await expectCode(made, 'UNSUPPORTED_SYNTAX', 'private.dcm', /unknown transfer syntax 1\.2\.3\.4/)
  })

  it('NO_PIXEL_DATA for an object without pixels', async () => {
    await expectCode(writeDicom({ ...base, omit: [0x7fe00010] }), 'NO_PIXEL_DATA', 'report.dcm', /no Pixel Data/)
  })

  it('SHORT_PIXEL_DATA when Pixel Data is shorter than the header needs', async () => {
    await expectCode(writeDicom({ ...base, pixelDataBytes: new Uint8Array(100) }), 'SHORT_PIXEL_DATA', 'short.dcm', /100 bytes.*needs 128/)
    // Frame 1 of 2 is complete (a warning says the rest is missing); frame 2 is not.
    const partial = writeDicom({ ...base, frames: 2, pixelDataBytes: new Uint8Array(160) })
    expect((await decodeImageBuffer(partial, 'short-frames.dcm')).warnings.join()).toMatch(/later frames are missing/)
    await expect(decodeImageBuffer(partial, 'short-frames.dcm', { frame: 1 })).rejects.toMatchObject({ code: 'SHORT_PIXEL_DATA' })
  })

  it('BAD_DIMENSIONS for missing rows, zero columns or odd Bits Allocated', async () => {
    await expectCode(writeDicom({ ...base, omit: [0x00280010] }), 'BAD_DIMENSIONS', 'norows.dcm', /Rows/)
    await expectCode(writeDicom({ ...base, extraElements: [], bitsAllocated: 12, pixelDataBytes: new Uint8Array(96) }), 'BAD_DIMENSIONS', 'twelve.dcm', /Bits Allocated/)
    await expectCode(writeDicom({ ...base, bitsStored: 20 }), 'BAD_DIMENSIONS', 'stored.dcm', /Bits Stored/)
  })

  it('CODEC_FAILED when a codec rejects the frame', async () => {
    const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff)
    await expectCode(writeDicom({ ...base, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.80', encapsulatedFrames: [garbage] }), 'CODEC_FAILED', 'jls.dcm', /JPEG-LS/)
    await expectCode(writeDicom({ ...base, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.90', encapsulatedFrames: [garbage] }), 'CODEC_FAILED', 'j2k.dcm', /JPEG 2000/)
    await expectCode(writeDicom({ ...base, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.50', encapsulatedFrames: [garbage] }), 'CODEC_FAILED', 'jpeg.dcm')
    await expectCode(writeDicom({ ...base, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.70', encapsulatedFrames: [Uint8Array.of(0xff, 0xd8, 0xff, 0xc3, 0, 2)] }), 'CODEC_FAILED', 'jpll.dcm')
    await expectCode(writeDicom({ ...base, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.5', encapsulatedFrames: [garbage] }), 'CODEC_FAILED', 'rle.dcm', /RLE/)
  })

  it('BAD_FRAME for a frame outside the object', async () => {
    const error = await decodeImageBuffer(writeDicom(base), 'one-frame.dcm', { frame: 1 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BAD_FRAME', file: 'one-frame.dcm' })
  })

  it('CORRUPT_DATA for a deflated data set that does not inflate', async () => {
    const deflated = writeDicom({ ...base, syntax: 'deflated' })
    const metaEnd = deflated.length - 60
    const damaged = new Uint8Array(deflated)
    damaged.fill(0xff, metaEnd - 80, metaEnd)
    const error = await decodeImageBuffer(damaged, 'deflated.dcm').catch((e: unknown) => e)
    expect(isImagingError(error)).toBe(true)
    expect(['CORRUPT_DATA', 'TRUNCATED']).toContain((error as ImagingError).code)
  })

  it('READ_FAILED for a missing file, through the service too', async () => {
    await expect(decodeImageFile('/nonexistent/chest.dcm')).rejects.toMatchObject({ code: 'READ_FAILED', file: '/nonexistent/chest.dcm' })
    await expect(createImagingService().decode('/nonexistent/chest.png')).rejects.toThrow(/chest\.png: cannot be read: no such file/)
  })
})
