/**
 * What every pixel codec receives and returns, so the DICOM decoder treats them alike.
 */

/** One compressed frame and what the DICOM header says it should decode to. */
export interface EncodedFrame {
  data: Uint8Array
  rows: number
  columns: number
  samplesPerPixel: number
  bitsAllocated: number
  bitsStored: number
  signed: boolean
}

/** Decoded samples, interleaved by pixel (RGBRGB...), in the codec's own precision. */
export interface DecodedFrame {
  width: number
  height: number
  components: number
  /** Precision of the samples as coded (e.g. 12 for JPEG Extended 12-bit). */
  bitsPerSample: number
  /** True when the codec already returned signed values (JPEG 2000 with signed components). */
  signedValues: boolean
  samples: ArrayLike<number>
  /** True when colour samples were converted to RGB by the codec (JPEG YCbCr, JPEG 2000 MCT). */
  colourConverted: boolean
  warnings: string[]
}

/** A codec: bytes of one frame in, samples out. Errors are thrown as they come; the caller wraps them. */
export type FrameDecoder = (frame: EncodedFrame) => Promise<DecodedFrame>

/**
 * A codestream that ends before its image does (cut short, or damaged so that decoding ran out
 * of data): the DICOM decoder reports it as TRUNCATED rather than as a codec failure.
 */
export class TruncatedCodestreamError extends Error {
  override name = 'TruncatedCodestreamError'
}
