/**
 * JPEG-LS lossless and near-lossless through CharLS compiled to wasm.
 */
import type { DecodedFrame, EncodedFrame } from './types'
import { asSamples16, copyOut, isWasmAbort, lazyWasm } from './wasmLoader'

const charls = lazyWasm(() => import('@cornerstonejs/codec-charls/decodewasmjs'))

/** Decode one JPEG-LS frame. */
export async function decodeJpegLs(frame: EncodedFrame): Promise<DecodedFrame> {
  const codec = await charls.get()
  const decoder = new codec.JpegLSDecoder()
  try {
    decoder.getEncodedBuffer(frame.data.length).set(frame.data)
    decoder.decode()
    const info = decoder.getFrameInfo()
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
  } catch (error) {
    if (isWasmAbort(error)) charls.reset()
    throw error
  } finally {
    decoder.delete()
  }
}

function interleavePlanes(planar: ArrayLike<number>, components: number, pixelCount: number): Uint16Array {
  const out = new Uint16Array(pixelCount * components)
  for (let c = 0; c < components; c++) {
    for (let p = 0; p < pixelCount; p++) out[p * components + c] = planar[c * pixelCount + p]
  }
  return out
}
