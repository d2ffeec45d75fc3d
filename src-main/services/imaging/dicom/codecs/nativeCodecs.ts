/**
 * The project's optional native codec addon (native/codecs): JPEG 2000 through Debian's libopenjp2 with OpenJPEG's
 * thread pool, and 12-bit JPEG Extended through the IJG library GDCM ships built for 12-bit samples. Built at
 * install time where `libopenjp2-7-dev` and `libgdcm-dev` are present (scripts/build-native.mjs); where it is
 * missing, or CXR_SKIP_NATIVE=1, the wasm and TypeScript decoders run as before (see selectCodec).
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { useEqualizeLevelsKernel } from '@shared/imaging/preprocess/histogramEqualize'
import { findProjectRoot } from '../../../resources/projectRoot'
import { TruncatedCodestreamError, type DecodedFrame, type EncodedFrame } from './types'

/** Environment variable pointing at a prebuilt `cxr_codecs.node`. */
export const CODECS_ADDON_ENV = 'CXR_CODECS_ADDON'

/** Where `npm install` builds the addon, relative to the project root. */
export const CODECS_ADDON_RELATIVE_PATH = join('native', 'codecs', 'build', 'Release', 'cxr_codecs.node')

/** A frame as the addon returns it: samples interleaved by pixel in a fresh Int32Array. */
type NativeFrame = Omit<DecodedFrame, 'samples'> & { samples: Int32Array }

/** The addon's functions; they throw an Error whose `code` is 'TRUNCATED' for data that ends before the image. */
export interface NativeCodecsAddon {
  decodeJpeg2000(frame: Uint8Array, maxSamples: number, threads: number): NativeFrame
  decodeJpeg12(frame: Uint8Array, maxSamples: number): NativeFrame
  /** Full-depth histogram equalization of integer levels into a new array, the same to the bit as the TypeScript fast path; undefined for a sample it does not take. */
  equalizedLevels(source: Float32Array): Float32Array | undefined
  info(): { openjpeg: string; openjpegThreads: boolean; jpeg12: string }
}

/** Whether the addon is in use, and what it links, or why not. */
export type NativeCodecsStatus =
  | { available: true; addon: NativeCodecsAddon; openjpeg: string; jpeg12: string; threads: number }
  | { available: false; reason: string }

let status: NativeCodecsStatus | undefined

/** The addon, loaded once per thread; never throws (a missing addon is a reason, not an error). */
export function nativeCodecs(env: NodeJS.ProcessEnv = process.env): NativeCodecsStatus {
  status ??= loadNativeCodecs(env)
  return status
}

/** Load the addon without caching (tests use this to compare both paths in one process). */
export function loadNativeCodecs(env: NodeJS.ProcessEnv = process.env): NativeCodecsStatus {
  if (env.CXR_SKIP_NATIVE === '1') return { available: false, reason: 'CXR_SKIP_NATIVE=1' }
  let file: string
  try {
    file = env[CODECS_ADDON_ENV]?.trim() || join(findProjectRoot(), CODECS_ADDON_RELATIVE_PATH)
  } catch (error) {
    return { available: false, reason: String(error) }
  }
  if (!existsSync(file)) return { available: false, reason: `the codec addon is not built (${file} is missing)` }
  try {
    const addon = createRequire(import.meta.url)(file) as NativeCodecsAddon
    if (typeof addon.decodeJpeg2000 !== 'function' || typeof addon.decodeJpeg12 !== 'function' || typeof addon.equalizedLevels !== 'function') {
      return { available: false, reason: 'the codec addon is out of date; run npm run build:native' }
    }
    const info = addon.info()
    const threads = info.openjpegThreads ? availableParallelism() : 1
    return { available: true, addon, openjpeg: info.openjpeg, jpeg12: info.jpeg12, threads }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { available: false, reason: `the codec addon did not load (${message.split('\n')[0]})` }
  }
}

/** "1 thread", "2 threads": how many cores OpenJPEG decodes on. */
export function openJpegThreads(status: Extract<NativeCodecsStatus, { available: true }>): string {
  return `${status.threads} thread${status.threads === 1 ? '' : 's'}`
}

/** Which decoders read JPEG 2000 and 12-bit JPEG, in words for the System page and the recorded versions. */
export function describeNativeCodecs(status: NativeCodecsStatus): string {
  return status.available ? `native: OpenJPEG ${status.openjpeg} (${openJpegThreads(status)}), ${status.jpeg12}; histogram equalization native` : `wasm and TypeScript (${status.reason})`
}

/**
 * Equalize with the addon's kernel on this thread (preparation, segmentation, the viewer's processed panes), where
 * the addon is available. Each thread calls it once at its start: the main process and every job worker.
 */
export function installNativeEqualization(env: NodeJS.ProcessEnv = process.env): void {
  const codecs = nativeCodecs(env)
  if (codecs.available) useEqualizeLevelsKernel((source) => codecs.addon.equalizedLevels(source))
}

/** JPEG 2000 through the addon. The codestream's size was compared with the DICOM header before (codestreamCheck). */
export function nativeJpeg2000Decoder(addon: NativeCodecsAddon, threads: number): (frame: EncodedFrame) => Promise<DecodedFrame> {
  return async (frame) => translated(() => addon.decodeJpeg2000(frame.data, frame.rows * frame.columns * frame.samplesPerPixel, threads))
}

/** One-component 12-bit JPEG Extended through the addon, with the TypeScript decoder's ceiling on the frame size. */
export function nativeJpeg12Decoder(addon: NativeCodecsAddon): (frame: EncodedFrame) => Promise<DecodedFrame> {
  return async (frame) => translated(() => addon.decodeJpeg12(frame.data, Math.max(frame.rows * frame.columns * frame.samplesPerPixel, 1) * 4))
}

function translated(decode: () => NativeFrame): DecodedFrame {
  try {
    return decode()
  } catch (error) {
    if (error instanceof Error && (error as { code?: string }).code === 'TRUNCATED') throw new TruncatedCodestreamError(error.message)
    throw error
  }
}
