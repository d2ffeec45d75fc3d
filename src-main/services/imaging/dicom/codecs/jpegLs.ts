/**
 * JPEG-LS lossless and near-lossless through CharLS compiled to wasm.
 */
import type { DecodedFrame, EncodedFrame } from './types'
import { asSamples16, copyOut, decodeWithWasm, lazyWasm } from './wasmLoader'

const charls = lazyWasm(() => import('@cornerstonejs/codec-charls/decodewasmjs'))

/** Decode one JPEG-LS frame. */
export async function decodeJpegLs(frame: EncodedFrame): Promise<DecodedFrame> {
  return decodeWithWasm(charls, (codec) => new codec.JpegLSDecoder(), frame.data, (decoder, info) => {
    const bytes = copyOut(decoder.getDecodedBuffer())
    let samples: ArrayLike<number> = info.bitsPerSample > 8 ? asSamples16(bytes, false) : bytes
    // Interleave mode 0 (none) stores whole component planes one after another.
    if (info.componentCount > 1 && decoder.getInterleaveMode() === 0) {
      samples = interleavePlanes(samples, info.componentCount, info.width * info.height)
    }
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

function interleavePlanes(planar: ArrayLike<number>, components: number, pixelCount: number): Uint16Array {
  const out = new Uint16Array(pixelCount * components)
  for (let c = 0; c < components; c++) {
    for (let p = 0; p < pixelCount; p++) out[p * components + c] = planar[c * pixelCount + p]
  }
  return out
}
