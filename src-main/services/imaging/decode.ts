/**
 * The entry point of image decoding: recognise the format from the bytes (never from the file
 * name, which hospital exports get wrong), hand over to the DICOM or raster decoder, and make sure
 * that whatever goes wrong reaches the caller as an ImagingError.
 */
import { readFile } from 'node:fs/promises'
import { ImagingError, isImagingError } from '@shared/imaging/errors'
import type { DecodedImage, DecodeOptions } from '@shared/imaging/types'
import { decodeDicomBytes } from './dicom/decodeDicom'
import { detectDicomLayout } from './dicom/parse'
import { decodeRasterBytes } from './raster'

/** What the first bytes of a file say it is. */
export type DetectedFormat = { kind: 'dicom' } | { kind: 'png' } | { kind: 'jpeg' } | { kind: 'other'; name: string } | { kind: 'unknown' }

const OTHER_FORMATS: Array<[name: string, test: (b: Uint8Array) => boolean]> = [
  ['TIFF', (b) => (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)],
  ['GIF', (b) => ascii(b, 0, 4) === 'GIF8'],
  ['BMP', (b) => ascii(b, 0, 2) === 'BM'],
  ['WebP', (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP'],
  ['JPEG 2000 file', (b) => b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0x0c && ascii(b, 4, 4) === 'jP  '],
  ['PDF', (b) => ascii(b, 0, 5) === '%PDF-'],
  ['ZIP archive', (b) => ascii(b, 0, 4) === 'PK\u0003\u0004'],
  ['gzip archive', (b) => b[0] === 0x1f && b[1] === 0x8b],
  ['NIfTI', (b) => ascii(b, 344, 4) === 'n+1\u0000' || ascii(b, 344, 4) === 'ni1\u0000'],
]

/** Recognise the format of a file from its first bytes. */
export function detectImageFormat(bytes: Uint8Array): DetectedFormat {
  // Part 10 first: its 128-byte preamble may legally hold another format's magic (dual-personality files).
  if (bytes.length >= 132 && ascii(bytes, 128, 4) === 'DICM') return { kind: 'dicom' }
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 3) === 'PNG' && bytes[4] === 0x0d && bytes[5] === 0x0a) return { kind: 'png' }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { kind: 'jpeg' }
  if (detectDicomLayout(bytes)) return { kind: 'dicom' }
  const other = OTHER_FORMATS.find(([, test]) => test(bytes))
  return other ? { kind: 'other', name: other[0] } : { kind: 'unknown' }
}

/**
 * Decode a DICOM, PNG or JPEG image held in memory. Rejects only with ImagingError;
 * `nameForMessages` is the file name the messages should show.
 */
export async function decodeImageBuffer(bytes: Uint8Array, nameForMessages: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  try {
    if (bytes.length === 0) throw new ImagingError('NOT_DICOM', nameForMessages, 'the file is empty')
    const format = detectImageFormat(bytes)
    switch (format.kind) {
      case 'dicom':
        return await decodeDicomBytes(bytes, nameForMessages, options)
      case 'png':
      case 'jpeg':
        if (options.frame) throw new ImagingError('BAD_FRAME', nameForMessages, `frame ${options.frame} requested from a single-image ${format.kind.toUpperCase()} file`)
        return await decodeRasterBytes(bytes, nameForMessages, format.kind)
      case 'other':
        throw new ImagingError('UNSUPPORTED_FORMAT', nameForMessages, `${format.name} files are not supported (only DICOM, PNG and JPEG)`)
      default:
        throw new ImagingError('NOT_DICOM', nameForMessages, 'not a DICOM, PNG or JPEG file (unrecognised content)')
    }
  } catch (error) {
    if (isImagingError(error)) throw error
    // A bug or an unforeseen corruption: still one error type for callers, with the cause kept.
    const detail = error instanceof Error ? error.message : String(error)
    throw new ImagingError('CORRUPT_DATA', nameForMessages, `the image could not be decoded (${detail})`, { cause: error })
  }
}

/** Read and decode an image file. Rejects only with ImagingError. */
export async function decodeImageFile(path: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  return decodeImageBuffer(await readImageFile(path), path, options)
}

/**
 * A radiograph file's bytes; a failed read is an ImagingError (READ_FAILED) naming the file in plain words.
 * @param path the file.
 */
export async function readImageFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : code === 'EACCES' ? 'permission denied' : String((error as Error).message)
    throw new ImagingError('READ_FAILED', path, `cannot be read: ${reason}`, { cause: error })
  }
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return start + length <= bytes.length ? String.fromCharCode(...bytes.subarray(start, start + length)) : ''
}
