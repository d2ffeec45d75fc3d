/**
 * Type declarations for the codec packages, which ship JavaScript only. Just the members the
 * service (and the tests' fixture encoders) call are declared.
 */

/** Frame description reported by the Cornerstone wasm codecs. */
interface CodecFrameInfo {
  width: number
  height: number
  bitsPerSample: number
  componentCount: number
  isSigned?: boolean
}

/** Members shared by the Cornerstone wasm decoders (embind classes: call delete()). */
interface CodecWasmDecoder {
  getEncodedBuffer(length: number): Uint8Array
  getDecodedBuffer(): Uint8Array
  decode(): void
  getFrameInfo(): CodecFrameInfo
  delete(): void
}

/** Members shared by the Cornerstone wasm encoders used to generate test fixtures. */
interface CodecWasmEncoder {
  getDecodedBuffer(frameInfo: CodecFrameInfo): Uint8Array
  getEncodedBuffer(): Uint8Array
  encode(): void
  delete(): void
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: object) => Promise<{ J2KDecoder: new () => CodecWasmDecoder }>
  export default factory
}
declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  const factory: (options?: object) => Promise<{
    J2KDecoder: new () => CodecWasmDecoder
    J2KEncoder: new () => CodecWasmEncoder & { setQuality(lossless: boolean, quality: number): void; setDecompositions(count: number): void }
  }>
  export default factory
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: object) => Promise<{
    JpegLSDecoder: new () => CodecWasmDecoder & { getInterleaveMode(): number; getNearLossless(): number }
  }>
  export default factory
}
declare module '@cornerstonejs/codec-charls/wasmjs' {
  const factory: (options?: object) => Promise<{
    JpegLSEncoder: new () => CodecWasmEncoder & { setNearLossless(nearLossless: number): void }
  }>
  export default factory
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (options?: object) => Promise<{ JPEGDecoder: new () => CodecWasmDecoder }>
  export default factory
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  const factory: (options?: object) => Promise<{
    JPEGDecoder: new () => CodecWasmDecoder
    JPEGEncoder: new () => CodecWasmEncoder & { setQuality(quality: number): void; setProgressive(progressive: boolean): void }
  }>
  export default factory
}
