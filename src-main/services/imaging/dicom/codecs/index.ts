/**
 * Chooses the codec for an encapsulated frame. JPEG-family frames are routed by the coding
 * process found in the stream itself, since archives hold files whose transfer syntax UID does
 * not match their JPEG data (12-bit data under 4.50, lossless data under 4.51...). The one place
 * that decides between the native addon (native/codecs) and the wasm / TypeScript decoders.
 */
import type { PixelEncoding } from '../transferSyntax'
import { decodeJpeg2000 } from './jpeg2000'
import { decodeJpegBaseline } from './jpegBaseline'
import { decodeJpegExtended } from './jpegExtended'
import { decodeJpegLossless } from './jpegLossless'
import { decodeJpegLs } from './jpegLs'
import { findJpegFrame } from './jpegMarkers'
import { nativeCodecs, nativeJpeg12Decoder, nativeJpeg2000Decoder, openJpegThreads, type NativeCodecsStatus } from './nativeCodecs'
import { decodeRleLossless } from './rle'
import type { FrameDecoder } from './types'

/** A codec and the name to use in messages. */
export interface SelectedCodec {
  name: string
  decode: FrameDecoder
  /**
   * True for the project's own decoders, which know exactly where their data runs out; the wasm
   * codecs are given only codestreams that end with their end marker (see codestreamCheck.ts).
   */
  detectsTruncation: boolean
}

/**
 * Pick the decoder for a frame of the given encoding, looking into JPEG headers when needed. `native` is the codec
 * addon's status (loaded once); where it is available it decodes JPEG 2000 and one-component 12-bit JPEG Extended.
 */
export function selectCodec(encoding: Exclude<PixelEncoding, 'native'>, frame: Uint8Array, native: NativeCodecsStatus = nativeCodecs()): SelectedCodec {
  if (encoding === 'rle') return { name: 'RLE Lossless', decode: decodeRleLossless, detectsTruncation: true }
  if (encoding === 'jpeg-2000') {
    if (native.available) {
      return { name: `JPEG 2000 (OpenJPEG ${native.openjpeg} native, ${openJpegThreads(native)})`, decode: nativeJpeg2000Decoder(native.addon, native.threads), detectsTruncation: false }
    }
    return { name: 'JPEG 2000 (OpenJPEG)', decode: decodeJpeg2000, detectsTruncation: false }
  }
  const kind = findJpegFrame(frame)
  if (kind?.process === 'jpeg-ls' || (!kind && encoding === 'jpeg-ls')) return { name: 'JPEG-LS (CharLS)', decode: decodeJpegLs, detectsTruncation: false }
  if (kind?.process === 'lossless' || (!kind && encoding === 'jpeg-lossless')) {
    return { name: 'JPEG Lossless', decode: decodeJpegLossless, detectsTruncation: true }
  }
  if (kind && kind.precision > 8 && kind.process === 'dct') {
    // Colour stays with the TypeScript decoder, whose YCbCr conversion and upsampling differ from IJG's.
    if (native.available && kind.precision === 12 && kind.components === 1) {
      return { name: `JPEG Extended 12-bit (${native.jpeg12} native)`, decode: nativeJpeg12Decoder(native.addon), detectsTruncation: true }
    }
    return { name: 'JPEG Extended 12-bit', decode: decodeJpegExtended, detectsTruncation: true }
  }
  return { name: 'JPEG 8-bit (libjpeg-turbo)', decode: decodeJpegBaseline, detectsTruncation: false }
}
