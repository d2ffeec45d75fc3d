import type { Database } from 'better-sqlite3'
import type { MaskSummary } from '@shared/library/summaries'

/** A mask row to insert. */
export interface NewMask {
  imageId: number
  structure: string
  path: string
  contentHash: string
  width: number
  height: number
  /** The files it was made from (one, or the left and right halves). */
  sources: string[]
  importJobId: string
  createdAt: string
}

/** Masks attached to images, at most one per image and structure. */
export interface MaskRepository {
  /** The mask of an image for a structure, if any. */
  find(imageId: number, structure: string): { id: number; contentHash: string; path: string } | undefined
  /** Insert a mask; returns its row id. */
  insert(mask: NewMask): number
  /** Masks of a dataset (or of one of its images), in image id order. */
  list(datasetId: string, imageId?: string): MaskSummary[]
}

interface MaskRow {
  source_key: string
  dataset_id: string
  structure: string
  path: string
  content_hash: string
  width: number
  height: number
  sources: string
}

/**
 * Create the mask repository over an open library database.
 * @param db the library database.
 */
export function createMaskRepository(db: Database): MaskRepository {
  const find = db.prepare('SELECT id, content_hash AS contentHash, path FROM masks WHERE image_id = ? AND structure = ?')
  const insert = db.prepare(`
    INSERT INTO masks (image_id, structure, path, content_hash, width, height, sources, import_job_id, created_at)
    VALUES (@imageId, @structure, @path, @contentHash, @width, @height, @sources, @importJobId, @createdAt)`)
  const select = `SELECT images.source_key, images.dataset_id, masks.structure, masks.path, masks.content_hash, masks.width, masks.height, masks.sources
    FROM masks JOIN images ON images.id = masks.image_id`
  const byDataset = db.prepare(`${select} WHERE images.dataset_id = ? ORDER BY images.source_key, masks.structure`)
  const byImage = db.prepare(`${select} WHERE images.dataset_id = ? AND images.source_key = ? ORDER BY masks.structure`)
  return {
    find: (imageId, structure) => find.get(imageId, structure) as { id: number; contentHash: string; path: string } | undefined,
    insert(mask) {
      return Number(insert.run({ ...mask, sources: JSON.stringify(mask.sources) }).lastInsertRowid)
    },
    list(datasetId, imageId) {
      const rows = (imageId === undefined ? byDataset.all(datasetId) : byImage.all(datasetId, imageId)) as MaskRow[]
      return rows.map((row) => ({
        imageId: row.source_key,
        datasetId: row.dataset_id,
        structure: row.structure,
        path: row.path,
        contentHash: row.content_hash,
        width: row.width,
        height: row.height,
        sources: JSON.parse(row.sources) as string[],
      }))
    },
  }
}
