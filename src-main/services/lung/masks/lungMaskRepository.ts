import type { Database } from 'better-sqlite3'
import type { MaskQualityFeatures } from '@shared/lung'
import type { LungMaskModelSummary, MaskFailure, MaskFlag } from '@shared/lung/qaSchemas'

/** An image of a dataset as the segmentation job needs it. */
export interface ImageToSegment {
  /** The row id in `images`. */
  rowId: number
  /** The public id: path relative to the import root. */
  imageId: string
  path: string
  contentHash: string
  label: string
}

/** A stored mask row. */
export interface StoredLungMask {
  maskPath: string
  width: number
  height: number
  contentHash: string
  features: MaskQualityFeatures
}

/** A stored mask with its image and review, for the QA list. */
export interface MaskWithReview extends StoredLungMask {
  imageId: string
  path: string
  label: string
  flag: MaskFlag
  note: string | null
}

/** SQL of the lung-mask tables (migration 004). Statements are prepared once. */
export function createLungMaskRepository(db: Database) {
  const statements = {
    datasetExists: db.prepare('SELECT 1 FROM datasets WHERE id = ?').pluck(),
    images: db.prepare('SELECT id AS rowId, source_key AS imageId, path, content_hash AS contentHash, label FROM images WHERE dataset_id = ? ORDER BY source_key'),
    imageRow: db.prepare('SELECT id FROM images WHERE dataset_id = ? AND source_key = ?').pluck(),
    upsertModel: db.prepare(
      `INSERT INTO lung_mask_models (id, name, folder, input_size, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET folder = excluded.folder, name = excluded.name`,
    ),
    maskOf: db.prepare('SELECT mask_path AS maskPath, width, height, content_hash AS contentHash, features_json AS featuresJson FROM lung_masks WHERE image_id = ? AND model_id = ?'),
    maskByHash: db.prepare(
      'SELECT mask_path AS maskPath, width, height, content_hash AS contentHash, features_json AS featuresJson FROM lung_masks WHERE model_id = ? AND content_hash = ? LIMIT 1',
    ),
    insertMask: db.prepare(
      `INSERT INTO lung_masks (image_id, model_id, content_hash, mask_path, width, height, features_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (image_id, model_id) DO UPDATE SET content_hash = excluded.content_hash, mask_path = excluded.mask_path, width = excluded.width,
         height = excluded.height, features_json = excluded.features_json, created_at = excluded.created_at`,
    ),
    clearFailure: db.prepare('DELETE FROM lung_mask_failures WHERE image_id = ? AND model_id = ?'),
    recordFailure: db.prepare(
      `INSERT INTO lung_mask_failures (image_id, model_id, message, failed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (image_id, model_id) DO UPDATE SET message = excluded.message, failed_at = excluded.failed_at`,
    ),
    failures: db.prepare(
      `SELECT images.source_key AS imageId, images.path, f.message, f.failed_at AS failedAt FROM lung_mask_failures f
       JOIN images ON images.id = f.image_id WHERE images.dataset_id = ? AND f.model_id = ? ORDER BY images.source_key`,
    ),
    masksWithReviews: db.prepare(
      `SELECT images.source_key AS imageId, images.path, images.label, m.mask_path AS maskPath, m.width, m.height, m.content_hash AS contentHash,
         m.features_json AS featuresJson, COALESCE(r.flag, 'unreviewed') AS flag, r.note
       FROM lung_masks m JOIN images ON images.id = m.image_id
       LEFT JOIN mask_reviews r ON r.image_id = m.image_id AND r.model_id = m.model_id
       WHERE images.dataset_id = ? AND m.model_id = ? ORDER BY images.source_key`,
    ),
    busiestModel: db.prepare(
      `SELECT m.model_id FROM lung_masks m JOIN images ON images.id = m.image_id WHERE images.dataset_id = ?
       GROUP BY m.model_id ORDER BY COUNT(*) DESC, MAX(m.created_at) DESC LIMIT 1`,
    ).pluck(),
    upsertReview: db.prepare(
      `INSERT INTO mask_reviews (image_id, model_id, flag, note, updated_at) VALUES (@imageRow, @modelId, @flag, @note, @now)
       ON CONFLICT (image_id, model_id) DO UPDATE SET flag = excluded.flag, note = CASE WHEN @keepNote THEN mask_reviews.note ELSE excluded.note END,
         updated_at = excluded.updated_at`,
    ),
    badImages: db.prepare(
      `SELECT images.source_key FROM mask_reviews r JOIN images ON images.id = r.image_id
       WHERE images.dataset_id = ? AND r.model_id = ? AND r.flag = 'bad' ORDER BY images.source_key`,
    ).pluck(),
    models: db.prepare(
      `SELECT id AS modelId, name, folder, input_size AS inputSize, created_at AS createdAt,
         (SELECT COUNT(*) FROM lung_masks m JOIN images i ON i.id = m.image_id WHERE m.model_id = lung_mask_models.id AND (@datasetId IS NULL OR i.dataset_id = @datasetId)) AS maskCount,
         (SELECT COUNT(*) FROM mask_reviews r JOIN images i ON i.id = r.image_id WHERE r.model_id = lung_mask_models.id AND r.flag = 'bad' AND (@datasetId IS NULL OR i.dataset_id = @datasetId)) AS badCount,
         (SELECT COUNT(*) FROM lung_mask_failures f JOIN images i ON i.id = f.image_id WHERE f.model_id = lung_mask_models.id AND (@datasetId IS NULL OR i.dataset_id = @datasetId)) AS failedCount
       FROM lung_mask_models ORDER BY created_at, id`,
    ),
  }
  type MaskRow = Omit<StoredLungMask, 'features'> & { featuresJson: string }
  const toMask = (row: MaskRow | undefined): StoredLungMask | undefined =>
    row && { maskPath: row.maskPath, width: row.width, height: row.height, contentHash: row.contentHash, features: JSON.parse(row.featuresJson) as MaskQualityFeatures }

  return {
    datasetExists: (datasetId: string) => statements.datasetExists.get(datasetId) !== undefined,
    images: (datasetId: string) => statements.images.all(datasetId) as ImageToSegment[],
    imageRow: (datasetId: string, imageId: string) => statements.imageRow.get(datasetId, imageId) as number | undefined,
    recordModel(model: { modelId: string; name: string; folder: string; inputSize: number }, now: string) {
      statements.upsertModel.run(model.modelId, model.name, model.folder, model.inputSize, now)
    },
    maskOf: (imageRow: number, modelId: string) => toMask(statements.maskOf.get(imageRow, modelId) as MaskRow | undefined),
    maskByHash: (modelId: string, contentHash: string) => toMask(statements.maskByHash.get(modelId, contentHash) as MaskRow | undefined),
    /** Stores a mask and clears an earlier failure of the same image, in one transaction. */
    saveMask: db.transaction((imageRow: number, modelId: string, mask: StoredLungMask, now: string) => {
      statements.insertMask.run(imageRow, modelId, mask.contentHash, mask.maskPath, mask.width, mask.height, JSON.stringify(mask.features), now)
      statements.clearFailure.run(imageRow, modelId)
    }),
    recordFailure(imageRow: number, modelId: string, message: string, now: string) {
      statements.recordFailure.run(imageRow, modelId, message, now)
    },
    failures: (datasetId: string, modelId: string) => statements.failures.all(datasetId, modelId) as MaskFailure[],
    masksWithReviews: (datasetId: string, modelId: string): MaskWithReview[] =>
      (statements.masksWithReviews.all(datasetId, modelId) as Array<MaskRow & { imageId: string; path: string; label: string; flag: MaskFlag; note: string | null }>).map(
        ({ featuresJson, ...row }) => ({ ...row, features: JSON.parse(featuresJson) as MaskQualityFeatures }),
      ),
    busiestModel: (datasetId: string) => statements.busiestModel.get(datasetId) as string | undefined,
    setReview(imageRow: number, modelId: string, flag: MaskFlag, note: string | undefined, now: string) {
      statements.upsertReview.run({ imageRow, modelId, flag, note: note === undefined || note === '' ? null : note, keepNote: note === undefined ? 1 : 0, now })
    },
    badImages: (datasetId: string, modelId: string) => statements.badImages.all(datasetId, modelId) as string[],
    models: (datasetId?: string) => statements.models.all({ datasetId: datasetId ?? null }) as LungMaskModelSummary[],
  }
}

/** The repository's type. */
export type LungMaskRepository = ReturnType<typeof createLungMaskRepository>
