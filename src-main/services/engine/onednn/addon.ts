/**
 * Loads the project's oneDNN addon (native/onednn), the optional native part of the `onednn` backend.
 *
 * The addon is built at install time from the Debian/Ubuntu package `libdnnl-dev` (see scripts/build-native.mjs);
 * where that package or a compiler is missing the build is skipped, this loader throws with the reason, and the
 * engine falls back to the next rung of the ladder.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { findProjectRoot } from '../../resources/projectRoot'
import { configureOpenMp } from './openmpEnvironment'

/** Environment variable pointing at a prebuilt `cxr_onednn.node` (e.g. one built by hospital IT). */
export const ONEDNN_ADDON_ENV = 'CXR_ONEDNN_ADDON'

/** Where `npm install` builds the addon, relative to the project root. */
export const ONEDNN_ADDON_RELATIVE_PATH = join('native', 'onednn', 'build', 'Release', 'cxr_onednn.node')

/** The addon's functions. Arrays are read and written in place; shapes are plain number arrays. */
export interface OneDnnAddon {
  conv2d(x: Float32Array, filter: Float32Array, bias: Float32Array | null, y: Float32Array, geometry: number[], relu: number): void
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: number[]): void
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, geometry: number[]): void
  binary(op: number, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], out: Float32Array, outShape: number[]): void
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number): void
  reluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void
  batchNorm(
    x: Float32Array,
    channels: number,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    epsilon: number,
    y: Float32Array,
  ): void
  batchNormTraining(
    x: Float32Array,
    channels: number,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    epsilon: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): void
  batchNormTrainingGrad(
    dy: Float32Array,
    x: Float32Array,
    channels: number,
    gamma: Float32Array | null,
    mean: Float32Array,
    variance: Float32Array,
    epsilon: number,
    dx: Float32Array,
    dGamma: Float32Array,
    dBeta: Float32Array,
  ): void
  sum(x: Float32Array, outer: number, reduce: number, inner: number, out: Float32Array, scale: number): void
  tile(x: Float32Array, xShape: number[], out: Float32Array, outShape: number[]): void
  pad(x: Float32Array, xShape: number[], before: number[], out: Float32Array, outShape: number[], value: number): void
  slice(x: Float32Array, xShape: number[], begin: number[], out: Float32Array, outShape: number[]): void
  concat(parts: Float32Array[], widths: number[], rows: number, out: Float32Array): void
  maxPool(x: Float32Array, y: Float32Array, geometry: number[]): void
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: number[]): void
  setThreads(threads: number): number
  /** Serve blocks up to 32 MB from glibc's heap and stop trimming it, so freed activations are reused. */
  keepFreedMemory(): void
  releaseFreedMemory(): void
  info(): { onednn: string; threads: number; implementations: string[] }
}

const FUNCTIONS: ReadonlyArray<keyof OneDnnAddon> = [
  'conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'binary', 'unary', 'reluGrad', 'batchNorm', 'batchNormTraining',
  'batchNormTrainingGrad', 'sum', 'tile', 'pad',
  'slice', 'concat', 'maxPool', 'maxPoolGrad', 'setThreads', 'keepFreedMemory', 'releaseFreedMemory', 'info',
]

let loaded: OneDnnAddon | undefined

/**
 * The addon, loaded once per thread (Node loads a context-aware addon per worker).
 * @throws with a plain reason (not built, libdnnl missing at run time, an older build lacking a function).
 */
export function loadOneDnnAddon(env: NodeJS.ProcessEnv = process.env): OneDnnAddon {
  if (loaded) return loaded
  const file = env[ONEDNN_ADDON_ENV]?.trim() || join(findProjectRoot(), ONEDNN_ADDON_RELATIVE_PATH)
  if (!existsSync(file)) {
    throw new Error(
      `the oneDNN addon is not built (${file} is missing; install libdnnl-dev and a C++ compiler, then run npm run build:native)`,
    )
  }
  // libgomp reads its environment once, as it loads with the addon.
  configureOpenMp()
  const requireAddon = createRequire(import.meta.url)
  let addon: OneDnnAddon
  try {
    addon = requireAddon(file) as OneDnnAddon
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`the oneDNN addon did not load (${message.split('\n')[0]})`)
  }
  const missing = FUNCTIONS.filter((name) => typeof addon[name] !== 'function')
  if (missing.length > 0) throw new Error(`the oneDNN addon is out of date (no ${missing.join(', ')}); run npm run build:native`)
  loaded = addon
  return addon
}
