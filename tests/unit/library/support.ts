import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import BetterSqlite3 from 'better-sqlite3'
import { ImagingError } from '@shared/imaging/errors'
import type { LibraryService } from '@shared/library/types'
import type { DecodeImage } from '../../../src-main/services/datasets/import/outcomes'
import { createLibraryService } from '../../../src-main/services/library'
import type { LibraryServiceDeps } from '../../../src-main/services/library'

/** A temporary folder removed by `cleanup`. */
export function temporaryFolder(prefix = 'cxr-library-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * Write a small greyscale PNG whose pixels depend on `seed`, so every seed gives different content (and the
 * same seed identical content, for duplicate tests).
 */
export async function writePng(path: string, seed: number, size: { width: number; height: number } = { width: 16, height: 12 }): Promise<void> {
  const pixels = Buffer.alloc(size.width * size.height)
  for (let i = 0; i < pixels.length; i++) pixels[i] = (seed * 37 + i * 11 + Math.floor(i / size.width) * seed) % 256
  mkdirSync(dirname(path), { recursive: true })
  await sharp(pixels, { raw: { width: size.width, height: size.height, channels: 1 } }).png().toFile(path)
}

/** Write a binary mask PNG (0/255) with the given pixels set. */
export async function writeMask(path: string, size: { width: number; height: number }, isSet: (x: number, y: number) => boolean): Promise<void> {
  const pixels = Buffer.alloc(size.width * size.height)
  for (let y = 0; y < size.height; y++) for (let x = 0; x < size.width; x++) pixels[y * size.width + x] = isSet(x, y) ? 255 : 0
  mkdirSync(dirname(path), { recursive: true })
  await sharp(pixels, { raw: { width: size.width, height: size.height, channels: 1 } }).png().toFile(path)
}

/** Write a text file (CSV fixtures, garbage "images"). */
export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}

/** A decoder for tests that only import PNG/JPEG: answers like the real one does for a file it cannot read. */
export const rejectingDecode: DecodeImage = async (path) => {
  throw new ImagingError('NOT_DICOM', path, 'not a DICOM, PNG or JPEG file (unrecognised content)')
}

/** Open a library service on a data folder with small batches, so a handful of files spans several transactions. */
export function openLibrary(dataFolder: string, deps: Partial<LibraryServiceDeps> = {}): LibraryService {
  return createLibraryService({ dataFolder, decode: rejectingDecode, importOptions: { batchSize: 4, concurrency: 2 }, ...deps })
}

/** Every row of the tables an import writes, for "nothing changed" and "same final state" comparisons. */
export function dumpLibrary(dataFolder: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(join(dataFolder, 'library.sqlite'), { readonly: true })
  try {
    return {
      datasets: db.prepare('SELECT id, name, source_kind, root_folder FROM datasets ORDER BY id').all(),
      images: db
        .prepare('SELECT dataset_id, source_key, path, content_hash, byte_size, format, width, height, label, patient_id, view, study_id, attributes FROM images ORDER BY dataset_id, source_key')
        .all(),
      masks: db
        .prepare('SELECT images.source_key, structure, masks.path, masks.content_hash, masks.width, masks.height, sources FROM masks JOIN images ON images.id = masks.image_id ORDER BY images.source_key')
        .all(),
      phi: db.prepare('SELECT images.source_key, data FROM image_phi JOIN images ON images.id = image_phi.image_id ORDER BY images.source_key').all(),
    }
  } finally {
    db.close()
  }
}

/** SQLite's own consistency checks: page structure and foreign keys. */
export function checkDatabase(dataFolder: string): { integrity: string; foreignKeyViolations: number } {
  const db = new BetterSqlite3(join(dataFolder, 'library.sqlite'), { readonly: true })
  try {
    const integrity = (db.pragma('integrity_check', { simple: true }) as string) ?? ''
    const foreignKeyViolations = (db.pragma('foreign_key_check') as unknown[]).length
    return { integrity, foreignKeyViolations }
  } finally {
    db.close()
  }
}

/** Rows of a table of a closed or open library (read-only connection). */
export function countRows(dataFolder: string, table: string, where = '1 = 1'): number {
  const db = new BetterSqlite3(join(dataFolder, 'library.sqlite'), { readonly: true })
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n
  } finally {
    db.close()
  }
}
