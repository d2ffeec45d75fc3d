import type { Database } from 'better-sqlite3'
import type { ImageRecord } from '@shared/datasets/types'
import type { ImagePhi, ImageSummary } from '@shared/library/summaries'

/** An image row to insert (the import decides every field). */
export interface NewImage {
  datasetId: string
  sourceKey: string
  path: string
  contentHash: string
  byteSize: number
  format: ImageSummary['format']
  width: number
  height: number
  label: string
  patientId: string
  view?: string
  studyId?: string
  attributes: Record<string, string>
  importJobId: string
  createdAt: string
}

/** What dedupe and mask matching need of an existing image. */
export interface ImageIdentity {
  id: number
  sourceKey: string
  path: string
  contentHash: string
  label: string
  patientId: string
  view: string | null
  format: ImageSummary['format']
  width: number
  height: number
}

interface ImageRow {
  id: number
  dataset_id: string
  source_key: string
  path: string
  content_hash: string
  byte_size: number
  format: ImageSummary['format']
  width: number
  height: number
  label: string
  patient_id: string
  view: string | null
  study_id: string | null
  attributes: string
  mask_count: number
  phi: string | null
}

const IDENTITY_COLUMNS = 'id, source_key AS sourceKey, path, content_hash AS contentHash, label, patient_id AS patientId, view, format, width, height'

/** Images of the library: rows keyed by (dataset, image id), found by content hash for dedupe. */
export interface ImageRepository {
  /** The image a dataset has under this image id (relative path). */
  bySourceKey(datasetId: string, sourceKey: string): ImageIdentity | undefined
  /** The first image (by image id) of a dataset with this content. */
  firstByHash(datasetId: string, contentHash: string): ImageIdentity | undefined
  /** Every image of a dataset, for matching masks by file name. */
  identities(datasetId: string): ImageIdentity[]
  /** Insert an image; returns its row id. */
  insert(image: NewImage): number
  /** Keep identifying DICOM data beside the image (read only on request). */
  insertPhi(imageId: number, phi: ImagePhi): void
  /** The composition view of datasets' images, in dataset then image id order. */
  records(datasetIds: readonly string[]): ImageRecord[]
  /** A page of a dataset's images in image id order, optionally of one class. */
  page(datasetId: string, options: { offset: number; limit: number; label?: string; includePhi: boolean }): { total: number; images: ImageSummary[] }
}

/**
 * Create the image repository over an open library database.
 * @param db the library database.
 */
export function createImageRepository(db: Database): ImageRepository {
  const bySourceKey = db.prepare(`SELECT ${IDENTITY_COLUMNS} FROM images WHERE dataset_id = ? AND source_key = ?`)
  const firstByHash = db.prepare(`SELECT ${IDENTITY_COLUMNS} FROM images WHERE dataset_id = ? AND content_hash = ? ORDER BY source_key LIMIT 1`)
  const identities = db.prepare(`SELECT ${IDENTITY_COLUMNS} FROM images WHERE dataset_id = ? ORDER BY source_key`)
  const insert = db.prepare(`
    INSERT INTO images (dataset_id, source_key, path, content_hash, byte_size, format, width, height, label, patient_id, view, study_id,
                        attributes, import_job_id, created_at)
    VALUES (@datasetId, @sourceKey, @path, @contentHash, @byteSize, @format, @width, @height, @label, @patientId, @view, @studyId,
            @attributes, @importJobId, @createdAt)`)
  const insertPhi = db.prepare('INSERT INTO image_phi (image_id, data) VALUES (?, ?)')
  const records = db.prepare(
    'SELECT source_key, dataset_id, patient_id, label, content_hash, view FROM images WHERE dataset_id = ? ORDER BY source_key',
  )
  const pageColumns = `images.*, (SELECT COUNT(*) FROM masks WHERE masks.image_id = images.id) AS mask_count`

  return {
    bySourceKey: (datasetId, sourceKey) => bySourceKey.get(datasetId, sourceKey) as ImageIdentity | undefined,
    firstByHash: (datasetId, contentHash) => firstByHash.get(datasetId, contentHash) as ImageIdentity | undefined,
    identities: (datasetId) => identities.all(datasetId) as ImageIdentity[],
    insert(image) {
      const result = insert.run({ ...image, view: image.view ?? null, studyId: image.studyId ?? null, attributes: JSON.stringify(image.attributes) })
      return Number(result.lastInsertRowid)
    },
    insertPhi(imageId, phi) {
      insertPhi.run(imageId, JSON.stringify(phi))
    },
    records(datasetIds) {
      const rows: ImageRecord[] = []
      for (const datasetId of datasetIds) {
        for (const row of records.all(datasetId) as Array<Pick<ImageRow, 'source_key' | 'dataset_id' | 'patient_id' | 'label' | 'content_hash' | 'view'>>) {
          const record: ImageRecord = {
            imageId: row.source_key,
            datasetId: row.dataset_id,
            patientId: row.patient_id,
            label: row.label,
            contentHash: row.content_hash,
          }
          if (row.view !== null) record.view = row.view
          rows.push(record)
        }
      }
      return rows
    },
    page(datasetId, options) {
      const where = options.label === undefined ? 'dataset_id = ?' : 'dataset_id = ? AND label = ?'
      const parameters = options.label === undefined ? [datasetId] : [datasetId, options.label]
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM images WHERE ${where}`).get(...parameters) as { n: number }).n
      // PHI is joined only when asked for, so an ordinary listing cannot leak it by accident.
      const phiJoin = options.includePhi ? ', image_phi.data AS phi FROM images LEFT JOIN image_phi ON image_phi.image_id = images.id' : ', NULL AS phi FROM images'
      const rows = db
        .prepare(`SELECT ${pageColumns}${phiJoin} WHERE ${where} ORDER BY source_key LIMIT ? OFFSET ?`)
        .all(...parameters, options.limit, options.offset) as ImageRow[]
      return { total, images: rows.map(toSummary) }
    },
  }
}

function toSummary(row: ImageRow): ImageSummary {
  const summary: ImageSummary = {
    imageId: row.source_key,
    datasetId: row.dataset_id,
    patientId: row.patient_id,
    label: row.label,
    contentHash: row.content_hash,
    path: row.path,
    format: row.format,
    byteSize: row.byte_size,
    width: row.width,
    height: row.height,
    maskCount: row.mask_count,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
  }
  if (row.view !== null) summary.view = row.view
  if (row.study_id !== null) summary.studyId = row.study_id
  if (row.phi !== null) summary.phi = JSON.parse(row.phi) as ImagePhi
  return summary
}
