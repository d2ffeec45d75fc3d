import { randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import { CompositionSchema } from '@shared/datasets/types'
import type { Composition, ExcludedImage, ImageAssignment } from '@shared/datasets/types'
import type { CompositionSummary } from '@shared/library/summaries'

/** Saved compositions: spec, counts and warnings, and one row per assigned or excluded image. */
export interface CompositionRepository {
  /** Save a composition under a name (the spec's name when absent). */
  save(composition: Composition, name: string | undefined, now: string): CompositionSummary
  /** Saved compositions, newest first. */
  list(): CompositionSummary[]
  /** A saved composition as it was saved, or undefined. */
  load(id: string): Composition | undefined
  delete(id: string): boolean
}

interface CompositionRow {
  id: string
  name: string
  spec: string
  algorithm: string
  seed: number
  counts: string
  warnings: string
  created_at: string
  assigned: number
  excluded: number
}

interface CompositionImageRow {
  image_id: string
  dataset_id: string
  patient_id: string
  content_hash: string
  label: string
  view: string | null
  split: ImageAssignment['split'] | null
  binary_label: ImageAssignment['binaryLabel'] | null
  source: ImageAssignment['source'] | null
  exclusion_reason: ExcludedImage['reason'] | null
}

/**
 * Create the composition repository over an open library database.
 * @param db the library database.
 */
export function createCompositionRepository(db: Database): CompositionRepository {
  const insert = db.prepare(
    'INSERT INTO compositions (id, name, spec, algorithm, seed, counts, warnings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const insertImage = db.prepare(`
    INSERT INTO composition_images (composition_id, ordinal, image_id, dataset_id, patient_id, content_hash, label, view, split, binary_label, source, exclusion_reason)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const summaryColumns = `compositions.*,
    (SELECT COUNT(*) FROM composition_images ci WHERE ci.composition_id = compositions.id AND ci.split IS NOT NULL) AS assigned,
    (SELECT COUNT(*) FROM composition_images ci WHERE ci.composition_id = compositions.id AND ci.split IS NULL) AS excluded`
  const list = db.prepare(`SELECT ${summaryColumns} FROM compositions ORDER BY created_at DESC, rowid DESC`)
  const get = db.prepare(`SELECT ${summaryColumns} FROM compositions WHERE id = ?`)
  const images = db.prepare('SELECT * FROM composition_images WHERE composition_id = ? ORDER BY ordinal')
  const remove = db.prepare('DELETE FROM compositions WHERE id = ?')

  const save = db.transaction((composition: Composition, name: string, now: string): string => {
    const id = randomUUID()
    insert.run(id, name, JSON.stringify(composition.spec), composition.algorithm, composition.seed, JSON.stringify(composition.counts), JSON.stringify(composition.warnings), now)
    let ordinal = 0
    for (const image of composition.assignments) {
      insertImage.run(id, ordinal++, image.imageId, image.datasetId, image.patientId, image.contentHash, image.label, image.view ?? null, image.split, image.binaryLabel, image.source, null)
    }
    for (const image of composition.excluded) {
      insertImage.run(id, ordinal++, image.imageId, image.datasetId, image.patientId, image.contentHash, image.label, image.view ?? null, null, null, null, image.reason)
    }
    return id
  })

  return {
    save(composition, name, now) {
      const id = save(composition, name ?? composition.spec.name, now)
      return toSummary(get.get(id) as CompositionRow)
    },
    list: () => (list.all() as CompositionRow[]).map(toSummary),
    load(id) {
      const row = get.get(id) as CompositionRow | undefined
      if (!row) return undefined
      const assignments: ImageAssignment[] = []
      const excluded: ExcludedImage[] = []
      for (const image of images.all(id) as CompositionImageRow[]) {
        const identity = { imageId: image.image_id, datasetId: image.dataset_id, patientId: image.patient_id, contentHash: image.content_hash, label: image.label }
        const view = image.view === null ? {} : { view: image.view }
        if (image.split !== null) {
          assignments.push({ ...identity, ...view, binaryLabel: image.binary_label!, split: image.split, source: image.source! })
        } else {
          excluded.push({ ...identity, ...view, reason: image.exclusion_reason! })
        }
      }
      // Parsing proves the stored rows still make a valid composition (and fills nothing silently: the spec was stored parsed).
      return CompositionSchema.parse({
        spec: JSON.parse(row.spec),
        seed: row.seed,
        algorithm: row.algorithm,
        assignments,
        excluded,
        counts: JSON.parse(row.counts),
        warnings: JSON.parse(row.warnings),
      })
    },
    delete: (id) => remove.run(id).changes > 0,
  }
}

function toSummary(row: CompositionRow): CompositionSummary {
  const spec = JSON.parse(row.spec) as Composition['spec']
  return {
    id: row.id,
    name: row.name,
    specName: spec.name,
    algorithm: row.algorithm,
    seed: row.seed,
    createdAt: row.created_at,
    datasetIds: [...spec.primary, ...spec.borrow],
    assignedCount: row.assigned,
    excludedCount: row.excluded,
    warningCount: (JSON.parse(row.warnings) as string[]).length,
    counts: JSON.parse(row.counts) as Composition['counts'],
  }
}
