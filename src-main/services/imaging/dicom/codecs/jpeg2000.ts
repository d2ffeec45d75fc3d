/**
 * JPEG 2000 (lossless and lossy) through OpenJPEG compiled to wasm. OpenJPEG undoes the
 * multi-component transform, so YBR_RCT / YBR_ICT frames come back as RGB.
 */
import type { DecodedFrame, EncodedFrame } from './types'
import { decodeWithWasm, lazyWasm, widenOut } from './wasmLoader'

const openjpeg = lazyWasm(() => import('@cornerstonejs/codec-openjpeg/decodewasmjs'))

/** Decode one JPEG 2000 frame (a raw codestream or a JP2 file). */
export async function decodeJpeg2000(frame: EncodedFrame): Promise<DecodedFrame> {
  return decodeWithWasm(openjpeg, (codec) => new codec.J2KDecoder(), frame.data, (decoder, info) => {
    const signed = info.isSigned === true
    const samples = widenOut(decoder.getDecodedBuffer(), info.bitsPerSample, signed)
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      signedValues: signed,
      samples,
      colourConverted: info.componentCount === 3,
      warnings: [],
    }
  })
}
