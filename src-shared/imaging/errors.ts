/**
 * The one error type the imaging service throws: callers (import dialogs, dataset scans, the CLI)
 * branch on `code` and show `message`, which always names the file and the problem.
 */

/** Why an image could not be decoded. */
export type ImagingErrorCode =
  /** Not recognisable as DICOM, PNG or JPEG. */
  | 'NOT_DICOM'
  /** Recognised as another format (TIFF, GIF, BMP, PDF...) that the service does not read. */
  | 'UNSUPPORTED_FORMAT'
  /** The file ends before its data set or pixel data does. */
  | 'TRUNCATED'
  /** A DICOM transfer syntax, photometric or sample layout the service has no decoder for. */
  | 'UNSUPPORTED_SYNTAX'
  /** A DICOM object without Pixel Data (e.g. a structured report). */
  | 'NO_PIXEL_DATA'
  /** Pixel Data shorter than Rows x Columns x Samples x Bits Allocated needs. */
  | 'SHORT_PIXEL_DATA'
  /** Rows, Columns, Bits or Samples per Pixel missing or impossible. */
  | 'BAD_DIMENSIONS'
  /** A compressed frame that its codec rejected, or whose output does not fit the header. */
  | 'CODEC_FAILED'
  /** A frame index outside the object. */
  | 'BAD_FRAME'
  /** The data set itself is malformed (not merely short). */
  | 'CORRUPT_DATA'
  /** The file could not be read from disk. */
  | 'READ_FAILED'

/** An image decoding failure with a machine-readable code and a message for people. */
export class ImagingError extends Error {
  override readonly name = 'ImagingError'
  /** What went wrong, for callers to branch on. */
  readonly code: ImagingErrorCode
  /** The file (or the name given for a buffer) that failed. */
  readonly file: string
  /** The problem without the file name, e.g. to list many failures under one file heading. */
  readonly detail: string

  constructor(code: ImagingErrorCode, file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options)
    this.code = code
    this.file = file
    this.detail = detail
  }
}

/** True for errors thrown by the imaging service (works across module copies, unlike instanceof). */
export function isImagingError(error: unknown): error is ImagingError {
  return (
    error instanceof ImagingError ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ImagingError')
  )
}
