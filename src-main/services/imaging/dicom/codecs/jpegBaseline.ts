/**
 * JPEG 8-bit DCT (baseline, extended 8-bit, progressive) through libjpeg-turbo compiled to wasm.
 * libjpeg-turbo converts YCbCr to RGB itself, so colour frames come back as RGB.
 */
import type { DecodedFrame, EncodedFrame } from './types'
import { copyOut, isWasmAbort, lazyWasm } from './wasmLoader'

const libjpegTurbo = lazyWasm(() => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'))

/** Decode one 8-bit JPEG DCT frame. */
export async function decodeJpegBaseline(frame: EncodedFrame): Promise<DecodedFrame> {
  const codec = await libjpegTurbo.get()
  const decoder = new codec.JPEGDecoder()
  try {
    decoder.getEncodedBuffer(frame.data.length).set(frame.data)
    decoder.decode()
    const info = decoder.getFrameInfo()
    if (info.bitsPerSample > 8) throw new Error(`libjpeg-turbo (8-bit) cannot decode ${info.bitsPerSample}-bit JPEG`)
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      signedValues: false,
      samples: copyOut(decoder.getDecodedBuffer()),
      colourConverted: info.componentCount === 3,
      warnings: [],
    }
  } catch (error) {
    if (isWasmAbort(error)) libjpegTurbo.reset()
    throw error
  } finally {
    decoder.delete()
  }
}
