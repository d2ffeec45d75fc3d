/**
 * JPEG 8-bit DCT (baseline, extended 8-bit, progressive) through libjpeg-turbo compiled to wasm.
 * libjpeg-turbo converts YCbCr to RGB itself, so colour frames come back as RGB.
 */
import type { DecodedFrame, EncodedFrame } from './types'
import { decodeWithWasm, lazyWasm, widenOut } from './wasmLoader'

const libjpegTurbo = lazyWasm(() => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'))

/** Decode one 8-bit JPEG DCT frame. */
export async function decodeJpegBaseline(frame: EncodedFrame): Promise<DecodedFrame> {
  return decodeWithWasm(libjpegTurbo, (codec) => new codec.JPEGDecoder(), frame.data, (decoder, info) => {
    if (info.bitsPerSample > 8) throw new Error(`libjpeg-turbo (8-bit) cannot decode ${info.bitsPerSample}-bit JPEG`)
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      signedValues: false,
      samples: widenOut(decoder.getDecodedBuffer(), 8, false),
      colourConverted: info.componentCount === 3,
      warnings: [],
    }
  })
}
