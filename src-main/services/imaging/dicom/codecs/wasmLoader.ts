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
export function copyOut(view: Uint8Array): Uint8Array {
  return new Uint8Array(view)
}

/** Read a little-endian byte buffer as 16-bit samples. */
export function asSamples16(bytes: Uint8Array, signed: boolean): Uint16Array | Int16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes)
  const count = Math.floor(aligned.byteLength / 2)
  return signed ? new Int16Array(aligned.buffer, aligned.byteOffset, count) : new Uint16Array(aligned.buffer, aligned.byteOffset, count)
}
