/**
 * JPEG-LS lossless and near-lossless through CharLS compiled to wasm.
 */
import type { DecodedFrame, EncodedFrame } from './types'
import { decodeWithWasm, lazyWasm, widenOut } from './wasmLoader'

const charls = lazyWasm(() => import('@cornerstonejs/codec-charls/decodewasmjs'))

/** Decode one JPEG-LS frame. */
export async function decodeJpegLs(frame: EncodedFrame): Promise<DecodedFrame> {
  return decodeWithWasm(charls, (codec) => new codec.JpegLSDecoder(), frame.data, (decoder, info) => {
    // Interleave mode 0 (none) stores whole component planes one after another.
    const planes = info.componentCount > 1 && decoder.getInterleaveMode() === 0 ? info.componentCount : 1
    const samples = widenOut(decoder.getDecodedBuffer(), info.bitsPerSample, false, planes)
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      signedValues: false,
      samples,
      colourConverted: false,
      warnings: [],
    }
  })
}
