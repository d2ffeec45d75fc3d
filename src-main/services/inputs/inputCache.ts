import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Prepared network inputs on disk, content-addressed: `<dataFolder>/cache/inputs/ab/<sha256>.f32`, keyed by the
 * image's content hash and the settings key. Float32 as prepared, so an input read back is bit for bit the one
 * prepared (a run that prepares an image and a run that reads it from the cache train on the same numbers).
 */

/** Where an input is cached: two-level fan-out so no folder holds a hundred thousand files. */
export function inputCacheFile(dataFolder: string, contentHash: string, settingsKey: string): string {
  const key = createHash('sha256').update(`${contentHash}|${settingsKey}`).digest('hex')
  return join(dataFolder, 'cache', 'inputs', key.slice(0, 2), `${key}.f32`)
}

/** The cached input, or null when absent or damaged (a truncated file from a crash on a filesystem without atomic rename). */
export async function readCachedInput(file: string, area: number): Promise<Float32Array | null> {
  if (!existsSync(file)) return null
  const bytes = await readFile(file)
  if (bytes.byteLength !== area * 4) return null
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}

/** Writes an input through a temporary name, so a reader never sees half a file; two writers of one key write the same bytes. */
export async function writeCachedInput(file: string, pixels: Float32Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  await writeFile(temporary, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength))
  await rename(temporary, file)
}
