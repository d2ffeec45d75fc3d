/**
 * JPEG Lossless, Non-Hierarchical (process 14, any predictor) through jpeg-lossless-decoder-js,
 * a pure JavaScript decoder: no wasm to load.
 */
import { Decoder } from 'jpeg-lossless-decoder-js'
import { findJpegFrame } from './jpegMarkers'
import type { DecodedFrame, EncodedFrame } from './types'

/** Decode one JPEG Lossless frame. */
export async function decodeJpegLossless(frame: EncodedFrame): Promise<DecodedFrame> {
  // The stream's own precision decides the sample size: headers are sometimes wrong.
  const precision = findJpegFrame(frame.data)?.precision ?? frame.bitsStored
  const bytesPerSample = precision > 8 || frame.bitsAllocated > 8 ? 2 : 1
  // The decoder wants an ArrayBuffer of its own; a view into the file buffer would expose the rest.
  const own = new Uint8Array(frame.data)
  const decoder = new Decoder()
  const samples = decoder.decode(own.buffer, 0, own.byteLength, bytesPerSample)
  return {
    width: decoder.xDim,
    height: decoder.yDim,
    components: decoder.numComp,
    bitsPerSample: decoder.precision ?? frame.bitsStored,
    signedValues: false,
    samples,
    colourConverted: false,
    warnings: [],
  }
}
