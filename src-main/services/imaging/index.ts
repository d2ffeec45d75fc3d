/**
 * The imaging service of the main process: decode radiographs (DICOM in the common transfer
 * syntaxes, PNG, JPEG) into DecodedImage. Codecs are wasm modules loaded on first need.
 */
import type { DecodedImage, DecodeOptions } from '@shared/imaging/types'
import { decodeImageBuffer, decodeImageFile, detectImageFormat, readImageFile } from './decode'

export { decodeImageBuffer, decodeImageFile, detectImageFormat, readImageFile }
export type { DetectedFormat } from './decode'

/** Decoding of radiograph files; every rejection is an ImagingError. */
export interface ImagingService {
  /** Decode a file (frame 0, or `options.frame` of a multi-frame object). */
  decode(path: string, options?: DecodeOptions): Promise<DecodedImage>
  /** Decode bytes already in memory; `nameForMessages` names them in errors. */
  decodeBuffer(bytes: Uint8Array, nameForMessages: string, options?: DecodeOptions): Promise<DecodedImage>
}

/** Create the imaging service. Stateless apart from the lazily loaded codecs, which all instances share. */
export function createImagingService(): ImagingService {
  return {
    decode: (path, options) => decodeImageFile(path, options),
    decodeBuffer: (bytes, name, options) => decodeImageBuffer(bytes, name, options),
  }
}
