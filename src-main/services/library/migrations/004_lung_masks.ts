import type { Migration } from './types'

/**
 * Lung masks predicted by a U-Net over whole datasets, and their review. A mask row belongs to one image and one
 * model version (`model_id`, a fingerprint of the weights and the inference settings of its card), so masks of
 * two models coexist and a QA list compares like with like. The PNG itself is a content-addressed cache file
 * (image hash × model id); the row keeps its path, size and QA features so the list never re-reads a file.
 * Failures are rows too, so a dataset's unreadable images can be listed after the job has gone. Reviews are kept
 * apart from masks: re-segmenting must not erase a reviewer's flag and note.
 */
export const lungMasksSchema: Migration = {
  version: 4,
  name: 'lung masks',
  up(db) {
    db.exec(`
      CREATE TABLE lung_mask_models (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        folder TEXT NOT NULL,
        input_size INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE lung_masks (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        model_id TEXT NOT NULL REFERENCES lung_mask_models(id) ON DELETE CASCADE,
        -- The image's content hash when segmented: another image with the same content reuses the mask.
        content_hash TEXT NOT NULL,
        mask_path TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        features_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (image_id, model_id)
      );
      CREATE INDEX lung_masks_by_hash ON lung_masks (model_id, content_hash);

      CREATE TABLE lung_mask_failures (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        model_id TEXT NOT NULL REFERENCES lung_mask_models(id) ON DELETE CASCADE,
        message TEXT NOT NULL,
        failed_at TEXT NOT NULL,
        PRIMARY KEY (image_id, model_id)
      );

      CREATE TABLE mask_reviews (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        model_id TEXT NOT NULL REFERENCES lung_mask_models(id) ON DELETE CASCADE,
        flag TEXT NOT NULL CHECK (flag IN ('ok', 'bad', 'unreviewed')),
        note TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (image_id, model_id)
      );
      CREATE INDEX mask_reviews_by_flag ON mask_reviews (model_id, flag);
    `)
  },
}
