import type { Database } from 'better-sqlite3'
import type { DatasetTarget } from '@shared/library/importSpecs'
import type { ImportJobStatus } from '@shared/library/jobs'
import type { DatasetSummary } from '@shared/library/summaries'

/** A dataset row. */
export interface DatasetRow {
  id: string
  name: string
  description: string | null
  sourceKind: DatasetSummary['sourceKind']
  rootFolder: string
  createdAt: string
  updatedAt: string
}

/** Datasets and their counts. */
export interface DatasetRepository {
  get(id: string): DatasetRow | undefined
  /** Create the dataset unless it exists; returns true when it was created. */
  ensure(target: DatasetTarget, sourceKind: DatasetRow['sourceKind'], rootFolder: string, now: string): boolean
  /** Record that the dataset changed (an import added images). */
  touch(id: string, now: string): void
  /** Delete the dataset; images, masks and jobs go with it (foreign key cascade). */
  delete(id: string): boolean
  /** Summaries of every dataset (or of one), by name. */
  summaries(options: { id?: string; includePhi: boolean }): DatasetSummary[]
}

const UNKNOWN_VIEW = 'unknown'

/**
 * Create the dataset repository over an open library database.
 * @param db the library database.
 */
export function createDatasetRepository(db: Database): DatasetRepository {
  const columns = 'id, name, description, source_kind AS sourceKind, root_folder AS rootFolder, created_at AS createdAt, updated_at AS updatedAt'
  const get = db.prepare(`SELECT ${columns} FROM datasets WHERE id = ?`)
  const all = db.prepare(`SELECT ${columns} FROM datasets ORDER BY name, id`)
  const insert = db.prepare(
    'INSERT OR IGNORE INTO datasets (id, name, description, source_kind, root_folder, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const touch = db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?')
  const remove = db.prepare('DELETE FROM datasets WHERE id = ?')
  const totals = db.prepare(`
    SELECT COUNT(*) AS images, COUNT(DISTINCT patient_id) AS patients FROM images WHERE dataset_id = ?`)
  const maskCount = db.prepare('SELECT COUNT(*) AS n FROM masks JOIN images ON images.id = masks.image_id WHERE images.dataset_id = ?')
  const classCounts = db.prepare('SELECT label AS key, COUNT(*) AS n FROM images WHERE dataset_id = ? GROUP BY label ORDER BY label')
  const viewCounts = db.prepare(`SELECT COALESCE(view, '${UNKNOWN_VIEW}') AS key, COUNT(*) AS n FROM images WHERE dataset_id = ? GROUP BY key ORDER BY key`)
  const duplicates = db.prepare(`
    SELECT COALESCE(SUM(n), 0) AS n FROM (SELECT COUNT(*) AS n FROM images WHERE dataset_id = ? GROUP BY content_hash HAVING COUNT(*) > 1)`)
  const pseudonymised = db.prepare(`
    SELECT COUNT(*) AS n FROM import_jobs WHERE dataset_id = ? AND json_extract(spec, '$.pseudonymise') = 1
      AND (kind = 'dicom-folder' OR (kind = 'csv' AND json_extract(spec, '$.patient.kind') = 'column'))`)
  const lastJob = db.prepare(
    'SELECT id AS jobId, status, finished_at AS finishedAt FROM import_jobs WHERE dataset_id = ? AND kind <> ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
  )
  const sexCounts = db.prepare(`
    SELECT COALESCE(json_extract(image_phi.data, '$.sex'), '${UNKNOWN_VIEW}') AS key, COUNT(*) AS n
    FROM images JOIN image_phi ON image_phi.image_id = images.id WHERE images.dataset_id = ? GROUP BY key ORDER BY key`)

  const counted = (statement: ReturnType<Database['prepare']>, id: string) =>
    Object.fromEntries((statement.all(id) as Array<{ key: string; n: number }>).map((row) => [row.key, row.n]))

  function summarise(row: DatasetRow, includePhi: boolean): DatasetSummary {
    const total = totals.get(row.id) as { images: number; patients: number }
    const summary: DatasetSummary = {
      id: row.id,
      name: row.name,
      sourceKind: row.sourceKind,
      rootFolder: row.rootFolder,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      imageCount: total.images,
      patientCount: total.patients,
      maskCount: (maskCount.get(row.id) as { n: number }).n,
      classCounts: counted(classCounts, row.id),
      viewCounts: counted(viewCounts, row.id),
      duplicateContentCount: (duplicates.get(row.id) as { n: number }).n,
      pseudonymised: (pseudonymised.get(row.id) as { n: number }).n > 0,
    }
    if (row.description !== null) summary.description = row.description
    const job = lastJob.get(row.id, 'masks') as { jobId: string; status: ImportJobStatus; finishedAt: string | null } | undefined
    if (job) summary.lastImport = { jobId: job.jobId, status: job.status, ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}) }
    if (includePhi) summary.phi = { sexCounts: counted(sexCounts, row.id) }
    return summary
  }

  return {
    get: (id) => get.get(id) as DatasetRow | undefined,
    ensure(target, sourceKind, rootFolder, now) {
      return insert.run(target.id, target.name ?? target.id, target.description ?? null, sourceKind, rootFolder, now, now).changes > 0
    },
    touch(id, now) {
      touch.run(now, id)
    },
    delete: (id) => remove.run(id).changes > 0,
    summaries({ id, includePhi }) {
      const rows = id === undefined ? (all.all() as DatasetRow[]) : [get.get(id) as DatasetRow | undefined].filter((row) => row !== undefined)
      return rows.map((row) => summarise(row, includePhi))
    },
  }
}
