/**
 * Lazy, once-only loading of an Emscripten codec module. The wasm is compiled on first use only
 * (most sessions never see most syntaxes), and a module that aborted is dropped so the next frame
 * gets a fresh instance instead of a poisoned one.
 */
import type { DecodedFrame } from './types'

/** A lazily instantiated wasm module. */
export interface LazyWasm<T> {
  /** The module, instantiated on the first call and shared afterwards. */
  get(): Promise<T>
  /** Forget the instance (after a fatal abort) so the next `get` builds a new one. */
  reset(): void
}

/** Wrap a dynamic import of an Emscripten factory module. */
export function lazyWasm<T>(load: () => Promise<{ default: (options?: object) => Promise<T> }>): LazyWasm<T> {
  let instance: Promise<T> | undefined
  return {
    get() {
      // The codecs chat on stdout ("[INFO] Main header has been correctly decoded"): silence them;
      // failures still surface as exceptions.
      instance ??= load().then((module) => module.default({ print: silent, printErr: silent }))
      // A failed instantiation must not be cached forever.
      instance.catch(() => {
        instance = undefined
      })
      return instance
    },
    reset() {
      instance = undefined
    },
  }
}

function silent(): void {}

/**
 * Runs one frame through a Cornerstone codec decoder: copy it in, decode, let `read` turn the decoder's output
 * into a frame, and always free the decoder (embind objects live outside the JS heap). After an abort the module
 * is dropped, so the next frame gets a fresh instance.
 */
export async function decodeWithWasm<Codec, Decoder extends CodecWasmDecoder>(
  module: LazyWasm<Codec>,
  create: (codec: Codec) => Decoder,
  data: Uint8Array,
  read: (decoder: Decoder, info: CodecFrameInfo) => DecodedFrame,
): Promise<DecodedFrame> {
  const decoder = create(await module.get())
  try {
    decoder.getEncodedBuffer(data.length).set(data)
    decoder.decode()
    return read(decoder, decoder.getFrameInfo())
  } catch (error) {
    if (isWasmAbort(error)) module.reset()
    throw error
  } finally {
    decoder.delete()
  }
}

/** True for errors after which an Emscripten module must not be reused. */
export function isWasmAbort(error: unknown): boolean {
  // WebAssembly.RuntimeError (traps) is matched by name: the Node typings do not declare the namespace.
  return error instanceof Error && (error.name === 'RuntimeError' || /abort/i.test(error.message))
}

/** Copy bytes out of wasm memory into an aligned buffer (views into HEAP die with the next call). */
function copyOut(view: Uint8Array): Uint8Array {
  return new Uint8Array(view)
}

/**
 * Samples of a decoder's output buffer (little-endian, 8 or 16 bits, as the Cornerstone codecs write them) read
 * straight from wasm memory into the 32-bit integers the DICOM decoder stores, in one pass and one allocation:
 * no intermediate byte copy, whose fresh pages cost as much as the decoding of a large image on some machines.
 * `planes` > 1 reorders component planes (one after another) into pixel-interleaved samples.
 */
export function widenOut(view: Uint8Array, bitsPerSample: number, signed: boolean, planes = 1): Int32Array {
  const wide = bitsPerSample > 8
  const count = wide ? view.byteLength >> 1 : view.byteLength
  const source = wide ? sixteenBitView(view, signed, count) : signed ? new Int8Array(view.buffer, view.byteOffset, count) : view
  const out = new Int32Array(count)
  if (planes <= 1) {
    // set() converts natively; a JavaScript loop over a view of one of four element types stays polymorphic.
    out.set(source)
    return out
  }
  const pixels = Math.floor(count / planes)
  for (let c = 0; c < planes; c++) {
    for (let p = 0, from = c * pixels, to = c; p < pixels; p++, from++, to += planes) out[to] = source[from]
  }
  return out
}

/** 16-bit view of wasm memory; an odd offset (no Cornerstone codec returns one) takes the slow aligned copy. */
function sixteenBitView(view: Uint8Array, signed: boolean, count: number): Uint16Array | Int16Array {
  if (view.byteOffset % 2 !== 0) return asSamples16(copyOut(view), signed)
  return signed ? new Int16Array(view.buffer, view.byteOffset, count) : new Uint16Array(view.buffer, view.byteOffset, count)
}

/** Read a little-endian byte buffer as 16-bit samples. */
function asSamples16(bytes: Uint8Array, signed: boolean): Uint16Array | Int16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes)
  const count = Math.floor(aligned.byteLength / 2)
  return signed ? new Int16Array(aligned.buffer, aligned.byteOffset, count) : new Uint16Array(aligned.buffer, aligned.byteOffset, count)
}
