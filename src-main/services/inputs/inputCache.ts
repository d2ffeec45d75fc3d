import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Prepared network inputs on disk, content-addressed: `<dataFolder>/cache/inputs/ab/<sha256>.u16`, keyed by the
 * image's content hash and the settings key. Values in [0, 1] are stored as 16-bit integers (k / 65535): half the
 * size of float32 and far finer than the radiographs' own 8–12 bits. Every input is quantised this way whether it
 * was just prepared or read back, so a run that prepares an image and a run that reads it from the cache train
 * on the same numbers, bit for bit.
 */

/** Where an input is cached: two-level fan-out so no folder holds a hundred thousand files. */
export function inputCacheFile(dataFolder: string, contentHash: string, settingsKey: string): string {
  const key = createHash('sha256').update(`${contentHash}|${settingsKey}`).digest('hex')
  return join(dataFolder, 'cache', 'inputs', key.slice(0, 2), `${key}.u16`)
}

/** Where the inputs of one set of settings live in a data folder's cache. */
export interface InputCacheLayout {
  settingsKey: string
  /** Side of the square input. */
  size: number
  cacheFileOf(image: { contentHash: string }): string
}

const SCALE = 65535

/** The stored form of an input: each value in [0, 1] rounded to k / 65535. */
export function quantiseInput(pixels: Float32Array): Uint16Array {
  const out = new Uint16Array(pixels.length)
  for (let i = 0; i < pixels.length; i++) {
    const value = pixels[i]
    out[i] = value <= 0 ? 0 : value >= 1 ? SCALE : Math.round(value * SCALE)
  }
  return out
}

/** Stored values back to floats, into `target` at `offset` (a batch being assembled) or a new array. */
export function dequantiseInput(stored: Uint16Array, target = new Float32Array(stored.length), offset = 0): Float32Array {
  for (let i = 0; i < stored.length; i++) target[offset + i] = stored[i] / SCALE
  return target
}

/** The stored values of a cached input, or null when absent or damaged (a truncated file from a crash mid-write). */
export async function readCachedValues(file: string, area: number): Promise<Uint16Array | null> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch {
    return null
  }
  if (bytes.byteLength !== area * 2) return null
  return new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}

/** True when a complete-looking cache file exists (its size is checked when it is read). */
export function isCached(file: string): boolean {
  return existsSync(file)
}

/** Writes stored values through a temporary name, so a reader never sees half a file; two writers of one key write the same bytes. */
export async function writeCachedValues(file: string, stored: Uint16Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  await writeFile(temporary, new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength))
  await rename(temporary, file)
}
