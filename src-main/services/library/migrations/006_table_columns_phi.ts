import type { Migration } from './types'

/** DICOM tags a CSV import of DICOM files added to its images' attributes: descriptive, never identifying. */
const DESCRIPTIVE_TAGS = new Set(['modality', 'bodyPartExamined', 'laterality', 'manufacturer', 'manufacturerModelName', 'photometric', 'bitsStored', 'transferSyntax'])

/**
 * CSV imports used to keep every column of the table with each image (names, birth dates, notes), and the image
 * list returned them. Those columns move, unchanged, to the image's PHI record under `tableColumns`, which is
 * shown only when the user turns PHI on; nothing is lost. Concerned: images of CSV imports that did not name
 * the columns to keep, and images of CSV datasets whose import job is gone (kept from before jobs existed).
 */
export const tableColumnsPhiSchema: Migration = {
  version: 6,
  name: 'table columns of older CSV imports kept as PHI',
  up(db) {
    const candidates = db
      .prepare(
        `SELECT images.id, images.format, images.attributes, image_phi.data AS phi
         FROM images
         JOIN datasets ON datasets.id = images.dataset_id
         LEFT JOIN import_jobs ON import_jobs.id = images.import_job_id
         LEFT JOIN image_phi ON image_phi.image_id = images.id
         WHERE images.attributes <> '{}'
           AND ((import_jobs.kind = 'csv' AND json_extract(import_jobs.spec, '$.keepColumns') IS NULL)
             OR (images.import_job_id IS NULL AND datasets.source_kind = 'csv'))`,
      )
      .all() as Array<{ id: number; format: string; attributes: string; phi: string | null }>
    const setAttributes = db.prepare('UPDATE images SET attributes = ? WHERE id = ?')
    const setPhi = db.prepare('INSERT INTO image_phi (image_id, data) VALUES (?, ?) ON CONFLICT (image_id) DO UPDATE SET data = excluded.data')
    for (const image of candidates) {
      const kept: Record<string, string> = {}
      const moved: Record<string, string> = {}
      for (const [key, value] of Object.entries(JSON.parse(image.attributes) as Record<string, string>)) {
        if (image.format === 'dicom' && DESCRIPTIVE_TAGS.has(key)) kept[key] = value
        else moved[key] = value
      }
      if (Object.keys(moved).length === 0) continue
      const phi = image.phi === null ? {} : (JSON.parse(image.phi) as Record<string, unknown>)
      setPhi.run(image.id, JSON.stringify({ ...phi, tableColumns: moved }))
      setAttributes.run(JSON.stringify(kept), image.id)
    }
  },
}
