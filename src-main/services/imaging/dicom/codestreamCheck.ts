/**
 * An encapsulated frame's own header (JPEG SOF, JPEG-LS SOF55, JPEG 2000 SIZ) compared with the
 * DICOM header before any codec sees the frame: a codestream that claims 20000 x 20000 under a
 * 2000 x 2000 header is refused here, not after OpenJPEG has spent seconds and gigabytes on it.
 *
 * The wasm codecs also get only codestreams that end with their end marker (EOI / EOC). CharLS
 * is the reason: when its input ends without a marker, its bit reader lets the count of valid bits
 * go negative (it throws only when the count is exactly 0) and `read_high_bits` then spins through
 * about 2^32 zero bits one at a time before giving up: 4 to 13 s of CPU per truncated frame,
 * whatever the image size. A stream that ends with a marker stops its reader at once, and a
 * stream without one is truncated anyway, so checking the end first removes the spin at its
 * cause. The project's own decoders (JPEG Lossless, 12-bit DCT, RLE) know exactly where their data
 * runs out and need no such check.
 */
import { ImagingError } from '@shared/imaging/errors'
import type { SelectedCodec } from './codecs'
import { readJpeg2000Header } from './codecs/jpeg2000Header'
import { findJpegFrame, hasEndOfImage } from './codecs/jpegMarkers'
import { readRleHeader } from './codecs/rle'
import type { PixelModule } from './imagePixel'
import type { PixelEncoding } from './transferSyntax'

/** The size a codestream declares, where it can be read. */
interface DeclaredSize {
  format: string
  width: number
  /** 0 when the stream defers it (JPEG DNL). */
  height: number
  components: number
  precision: number
}

/** Throws BAD_DIMENSIONS when the frame's codestream disagrees with the DICOM header, TRUNCATED when it lacks its end. */
export function checkCodestream(data: Uint8Array, encoding: Exclude<PixelEncoding, 'native'>, codec: SelectedCodec, module: PixelModule, frameNumber: number, file: string): void {
  if (encoding === 'rle') return checkRle(data, module, frameNumber, file)
  if (encoding !== 'jpeg-2000' && module.bitsAllocated !== 8 && module.bitsAllocated !== 16) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Bits Allocated (0028,0100) = ${module.bitsAllocated} is impossible for JPEG data (8 or 16)`)
  }
  const declared = declaredSize(data, encoding)
  if (declared) {
    const where = `frame ${frameNumber}: the ${declared.format} data describes`
    if (declared.width !== module.columns || (declared.height !== 0 && declared.height !== module.rows)) {
      throw new ImagingError(
        'BAD_DIMENSIONS',
        file,
        `${where} a ${declared.width} x ${declared.height || '?'} image, the DICOM header (Columns x Rows) a ${module.columns} x ${module.rows} one`,
      )
    }
    if (declared.components !== module.samplesPerPixel) {
      throw new ImagingError('BAD_DIMENSIONS', file, `${where} ${declared.components} component(s), the DICOM header (Samples per Pixel) ${module.samplesPerPixel}`)
    }
    if (declared.precision > module.bitsAllocated) {
      throw new ImagingError('BAD_DIMENSIONS', file, `${where} ${declared.precision}-bit samples, which do not fit Bits Allocated (0028,0100) = ${module.bitsAllocated}`)
    }
  }
  // Data that does not even start like a codestream is left to the codec to reject: it is not cut short, it is something else.
  if (!codec.detectsTruncation && startsLikeCodestream(data, encoding) && !hasEndOfImage(data)) {
    const marker = encoding === 'jpeg-2000' ? 'End Of Codestream' : 'End Of Image'
    throw new ImagingError('TRUNCATED', file, `frame ${frameNumber}: the ${codec.name} data has no ${marker} marker: it was cut short`)
  }
}

/**
 * An RLE frame has one segment per byte of every sample, each decoding to Rows x Columns bytes: a
 * segment count or a first segment's length that does not fit says which header field is wrong.
 * (Fewer bytes than needed is left to the decoder, which reports a cut segment.)
 */
function checkRle(data: Uint8Array, module: PixelModule, frameNumber: number, file: string): void {
  if (module.bitsAllocated % 8 !== 0) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Bits Allocated (0028,0100) = ${module.bitsAllocated} is impossible for RLE data (whole bytes per sample)`)
  }
  const rle = readRleHeader(data)
  if (!rle) return
  const expected = module.samplesPerPixel * (module.bitsAllocated / 8)
  if (rle.segmentCount !== expected) {
    throw new ImagingError(
      'BAD_DIMENSIONS',
      file,
      `frame ${frameNumber}: the RLE data has ${rle.segmentCount} segment(s), the DICOM header (Samples per Pixel x Bits Allocated / 8) needs ${expected}`,
    )
  }
  const pixels = module.rows * module.columns
  // Encoders pad each segment to an even length: one byte more than Rows x Columns is normal.
  if (rle.firstSegmentLength > pixels + Math.max(1, module.columns - 1)) {
    throw new ImagingError(
      'BAD_DIMENSIONS',
      file,
      `frame ${frameNumber}: the RLE data holds ${rle.firstSegmentLength} pixels, the DICOM header (Columns x Rows) ${module.columns} x ${module.rows} = ${pixels}`,
    )
  }
}

function declaredSize(data: Uint8Array, encoding: Exclude<PixelEncoding, 'native' | 'rle'>): DeclaredSize | undefined {
  if (encoding === 'jpeg-2000') {
    const siz = readJpeg2000Header(data)
    return siz && { format: 'JPEG 2000', width: siz.width, height: siz.height, components: siz.components, precision: siz.precision }
  }
  const sof = findJpegFrame(data)
  if (!sof?.readable) return undefined
  // JPEG-LS may give 0 here and the real size in an LSE segment (ISO 14495-2): nothing to compare then.
  if (sof.process === 'jpeg-ls' && (sof.width === 0 || sof.height === 0)) return undefined
  return { format: sof.process === 'jpeg-ls' ? 'JPEG-LS' : 'JPEG', width: sof.width, height: sof.height, components: sof.components, precision: sof.precision }
}

function startsLikeCodestream(data: Uint8Array, encoding: Exclude<PixelEncoding, 'native' | 'rle'>): boolean {
  // A JP2 file (signature box first) holds its codestream in a box: its end is checked the same way.
  if (encoding === 'jpeg-2000' && data.length >= 12 && data[3] === 0x0c && data[4] === 0x6a && data[5] === 0x50) return true
  if (data.length < 2 || data[0] !== 0xff) return false
  if (encoding !== 'jpeg-2000') return data[1] === 0xd8
  return data[1] === 0x4f
}
