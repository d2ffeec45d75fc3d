/**
 * Starts TensorFlow.js's wasm backend in plain Node (the Electron main process
 * or a CLI), ready to train conv nets.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { registerWasmTrainingKernels } from './kernels/index'

/** What the running wasm backend uses. */
export interface WasmInfo {
  /** True when the SIMD build of the backend was loaded. */
  simd: boolean
  /** True when the multi-threaded build was loaded (never in Node with tfjs 4.22). */
  threads: boolean
}

/** Options for `initWasmBackend`. */
export interface WasmOptions {
  /**
   * false forces the plain (non-SIMD) binary, e.g. to compare speeds.
   * true or absent uses SIMD whenever the runtime supports it.
   */
  simd?: boolean
  /**
   * false forces the single-threaded binary. true or absent uses threads
   * only where tfjs detects support, which it never does under Node: it needs
   * browser workers (tfjs issue 3830).
   */
  threads?: boolean
}

const WASM_BINARY = 'tfjs-backend-wasm.wasm'

/**
 * Folder holding the backend's .wasm binaries, found through Node's module
 * resolution from this file. Resolving from `import.meta.url` (not the working
 * directory) keeps it right when this module is bundled into out/main/*.js
 * with node_modules left external, and inside an Electron app.asar, whose
 * files Electron's fs reads transparently.
 */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url)
  // The package's main entry sits in dist/ next to the binaries.
  const folder = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))
  if (!existsSync(path.join(folder, WASM_BINARY))) {
    throw new Error(`tfjs-backend-wasm binaries not found in ${folder}`)
  }
  return folder
}

/**
 * Points tfjs at the wasm binaries, registers the project's training kernels,
 * makes 'wasm' the active backend and waits until it is ready.
 *
 * Binary choice (SIMD, threads) happens once per process, when the backend is
 * first initialised: if wasm was already initialised, the options cannot
 * change it any more and the returned info describes what is running.
 *
 * @throws when the backend fails to initialise (missing or unloadable binary).
 */
export async function initWasmBackend(options: WasmOptions = {}): Promise<WasmInfo> {
  // Not tf.findBackend: for a registered but uninitialised backend it starts
  // the initialisation, which would then race the path and flags set below.
  const alreadyInitialised = tf.engine().registry.wasm != null
  if (!alreadyInitialised) {
    setWasmPaths(wasmBinaryFolder() + path.sep)
    // The backend reads these flags when it picks a binary; setting a flag to
    // false only narrows the choice, so it can never select an unsupported build.
    if (options.simd === false) tf.env().set('WASM_HAS_SIMD_SUPPORT', false)
    if (options.threads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
  }
  registerWasmTrainingKernels()
  const selected = await tf.setBackend('wasm')
  if (!selected) {
    // setBackend reports failure as false and logs the cause as a warning.
    throw new Error('TensorFlow.js could not initialise the wasm backend (see the warning above)')
  }
  await tf.ready()
  const [simd, threadSupport] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  ])
  return {
    simd: simd === true,
    // tfjs loads the threaded binary only when SIMD is supported as well.
    threads: threadSupport === true && simd === true,
  }
}
