import { describe, expect, it } from 'vitest'
import { ImagingError, isImagingError, type ImagingErrorCode } from '@shared/imaging/errors'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { packNative, writeDicom, type DicomFixtureSpec } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { encodeJpeg2000, encodeJpegLosslessSv1, encodeJpegLs, randomSamples } from './fixtureHelpers'

const ROWS = 40
const COLUMNS = 48
const samples = randomSamples(ROWS * COLUMNS, 0, 4095, 90)
const base: DicomFixtureSpec = { rows: ROWS, columns: COLUMNS, pixels: samples, bitsStored: 12 }

async function rejection(bytes: Uint8Array, name: string): Promise<ImagingError> {
  const error = await decodeImageBuffer(bytes, name).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isImagingError(error), `${name} should be refused with an ImagingError`).toBe(true)
  return error as ImagingError
}

async function expectRefusal(bytes: Uint8Array, name: string, code: ImagingErrorCode, field: RegExp): Promise<ImagingError> {
  const error = await rejection(bytes, name)
  expect(error.code, error.message).toBe(code)
  expect(error.message.startsWith(`${name}: `)).toBe(true)
  expect(error.detail).toMatch(field)
  return error
}

function encapsulated(uid: string, frame: Uint8Array, spec: Partial<DicomFixtureSpec> = {}): Uint8Array {
  return writeDicom({ ...base, pixels: [], syntax: 'encapsulated', transferSyntaxUid: uid, encapsulatedFrames: [frame], ...spec })
}

/** Overwrite the SIZ image size (Xsiz, Ysiz) of a raw JPEG 2000 codestream. */
function withJpeg2000Size(codestream: Uint8Array, width: number, height: number): Uint8Array {
  const copy = new Uint8Array(codestream)
  const view = new DataView(copy.buffer)
  expect(view.getUint16(2)).toBe(0xff51) // SIZ right after SOC
  view.setUint32(8, width)
  view.setUint32(12, height)
  return copy
}

describe('every size in the header is checked against the others and against the data before decoding', () => {
  it("Number of Frames '1e9' is refused, not read as 1 by a lenient parse", async () => {
    const bytes = writeDicom({ ...base, extraElements: [{ tag: 0x00280008, vr: 'IS', value: '1e9' }] })
    await expectRefusal(bytes, 'frames.dcm', 'BAD_DIMENSIONS', /Number of Frames \(0028,0008\) is '1e9'/)
  })

  it('Number of Frames larger than any Pixel Data can hold is refused; a few missing frames are a warning', async () => {
    const huge = writeDicom({ ...base, extraElements: [{ tag: 0x00280008, vr: 'IS', value: '1000000000' }] })
    await expectRefusal(huge, 'huge.dcm', 'BAD_DIMENSIONS', /Number of Frames .* more than any Pixel Data can hold/)
    const three = writeDicom({ ...base, extraElements: [{ tag: 0x00280008, vr: 'IS', value: '3' }] })
    expect((await decodeImageBuffer(three, 'three.dcm')).warnings.join()).toMatch(/later frames are missing/)
  })

  it('Bits Allocated 1 on 16-bit data is refused, naming the field and what the data holds', async () => {
    const bytes = writeDicom({ ...base, bitsAllocated: 1, bitsStored: 1, pixelDataBytes: packNative({ ...base, bitsAllocated: 16 }) })
    await expectRefusal(bytes, 'one-bit.dcm', 'BAD_DIMENSIONS', /16 bits per sample, Bits Allocated \(0028,0100\) says 1/)
  })

  it('Rows x Columns 1 x 1 over a 48 x 40 image is refused; a consistent single line decodes with a warning', async () => {
    const bytes = writeDicom({ ...base, rows: 1, columns: 1, pixelDataBytes: packNative(base) })
    await expectRefusal(bytes, 'one-pixel.dcm', 'BAD_DIMENSIONS', /Rows, Columns, Samples per Pixel, Bits Allocated or Number of Frames is wrong/)
    const line = await decodeImageBuffer(writeDicom({ rows: 1, columns: 6, pixels: [1, 2, 3, 4, 5, 6] }), 'line.dcm')
    expect(line.warnings.join()).toMatch(/6 x 1 pixels .* a single line/)
  })

  it('Pixel Representation other than 0 or 1 is refused', async () => {
    const bytes = withUnsignedShort(writeDicom(base), 0x0028, 0x0103, 2)
    await expectRefusal(bytes, 'representation.dcm', 'BAD_DIMENSIONS', /Pixel Representation \(0028,0103\) = 2/)
  })

  it('a frame beyond 2^26 samples is refused before any allocation', async () => {
    const bytes = writeDicom({ ...base, rows: 20000, columns: 20000, pixelDataBytes: new Uint8Array(64) })
    await expectRefusal(bytes, 'giant.dcm', 'BAD_DIMENSIONS', /20000 x 20000 x 1 samples per frame .* beyond any radiograph/)
  })

  it('a JPEG 2000 codestream claiming 20000 x 20000 under a 48 x 40 header is refused before OpenJPEG runs', async () => {
    const codestream = withJpeg2000Size(await encodeJpeg2000(samples, COLUMNS, ROWS, 12), 20000, 20000)
    const started = performance.now()
    await expectRefusal(encapsulated('1.2.840.10008.1.2.4.90', codestream), 'j2k.dcm', 'BAD_DIMENSIONS', /JPEG 2000 data describes a 20000 x 20000 image, the DICOM header \(Columns x Rows\) a 48 x 40 one/)
    // Decoding it took 12-15 s and 1.7 GB before the check moved in front of the codec.
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('JPEG (SOF3) and JPEG-LS (SOF55) frame headers are compared with Rows, Columns and Samples per Pixel', async () => {
    const lossless = encodeJpegLosslessSv1(samples, COLUMNS, ROWS, 12)
    await expectRefusal(encapsulated('1.2.840.10008.1.2.4.70', lossless, { rows: ROWS - 1 }), 'jpll.dcm', 'BAD_DIMENSIONS', /JPEG data describes a 48 x 40 image, .* a 48 x 39 one/)
    const jpegLs = await encodeJpegLs(samples, COLUMNS, ROWS, 12)
    await expectRefusal(encapsulated('1.2.840.10008.1.2.4.80', jpegLs, { columns: COLUMNS * 2 }), 'jls.dcm', 'BAD_DIMENSIONS', /JPEG-LS data describes a 48 x 40 image/)
    await expectRefusal(
      encapsulated('1.2.840.10008.1.2.4.80', jpegLs, { samplesPerPixel: 3, photometric: 'RGB' }),
      'jls-colour.dcm',
      'BAD_DIMENSIONS',
      /1 component\(s\), the DICOM header \(Samples per Pixel\) 3/,
    )
    await expectRefusal(encapsulated('1.2.840.10008.1.2.4.70', lossless, { bitsAllocated: 8, bitsStored: 8 }), 'jpll-8.dcm', 'BAD_DIMENSIONS', /12-bit samples, which do not fit Bits Allocated/)
  })

  it('more frames than encapsulated fragments, and an RLE frame larger than Rows x Columns, are refused', async () => {
    const twoFrames = encapsulated('1.2.840.10008.1.2.4.70', encodeJpegLosslessSv1(samples, COLUMNS, ROWS, 12), { extraElements: [{ tag: 0x00280008, vr: 'IS', value: '2' }] })
    await expectRefusal(twoFrames, 'frames.dcm', 'BAD_DIMENSIONS', /Number of Frames \(0028,0008\) = 2, but Pixel Data holds only 1 fragment/)
    const rle = writeDicom({ ...base, syntax: 'rle' })
    const narrower = writeDicom({ ...base, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.5', encapsulatedFrames: [rleFrameOf(rle)], columns: 8 })
    await expectRefusal(narrower, 'rle.dcm', 'BAD_DIMENSIONS', /RLE data holds 1920 pixels, the DICOM header \(Columns x Rows\) 8 x 40 = 320/)
  })
})

describe('a deflated data set inflates only as far as its own header allows', () => {
  it('20 MB of deflated zeros under an 8 x 8 header stop at the header-based bound', async () => {
    const zeros = new Uint8Array(20 * 2 ** 20)
    const bytes = writeDicom({ rows: 8, columns: 8, pixels: [], syntax: 'deflated', pixelDataBytes: zeros })
    expect(bytes.length).toBeLessThan(40_000) // ~1000:1, the ratio of the reported 1 MB -> 1.2-1.9 GB files
    const error = await expectRefusal(bytes, 'bomb.dcm', 'CORRUPT_DATA', /inflates to more than 16 MB, more than its 8 x 8 x 1 x 16-bit image can need/)
    expect(error.detail).toMatch(/decompression bomb/)
  })

  it('an ordinary deflated file still decodes exactly', async () => {
    const image = await decodeImageBuffer(writeDicom({ ...base, syntax: 'deflated' }), 'deflated.dcm')
    expect(Array.from(image.stored)).toEqual(samples)
  })

  it('a deflated data set without Image Pixel attributes inflates under the absolute bound and is refused for what it lacks', async () => {
    const bytes = writeDicom({ ...base, syntax: 'deflated', omit: [0x00280010, 0x00280011, 0x00280100] })
    await expectRefusal(bytes, 'headless.dcm', 'BAD_DIMENSIONS', /Rows \(0028,0010\) = missing/)
  })
})

/** The single RLE frame of a file written by writeDicom (its only fragment after the empty offset table). */
function rleFrameOf(file: Uint8Array): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  for (let p = file.length - 16; p > 0; p--) {
    // The empty Basic Offset Table item (FFFE,E000, length 0) is followed by the frame's item.
    if (view.getUint32(p, true) === 0xe000fffe && view.getUint32(p + 4, true) === 0 && view.getUint32(p + 8, true) === 0xe000fffe) {
      const length = view.getUint32(p + 12, true)
      return file.slice(p + 16, p + 16 + length)
    }
  }
  throw new Error('no RLE fragment found')
}

/** Rewrite the value of an explicit VR little endian US element in place. */
function withUnsignedShort(file: Uint8Array, group: number, element: number, value: number): Uint8Array {
  const copy = new Uint8Array(file)
  const header = [group & 0xff, group >> 8, element & 0xff, element >> 8, 0x55, 0x53, 2, 0]
  for (let p = 132; p < copy.length - 10; p++) {
    if (header.every((byte, i) => copy[p + i] === byte)) {
      new DataView(copy.buffer).setUint16(p + 8, value, true)
      return copy
    }
  }
  throw new Error('element not found')
}
