import type { Migration } from './types'

/**
 * Saved compositions: the spec and, per image, its split or exclusion reason. Rows copy the image's identity
 * (dataset, image id, patient, hash, label) instead of pointing at `images`, because a composition is a record
 * of what a run used: it must reload exactly even after its datasets change or are deleted.
 */
export const compositionsSchema: Migration = {
  version: 3,
  name: 'compositions',
  up(db) {
    db.exec(`
      CREATE TABLE compositions (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        spec TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        seed INTEGER NOT NULL,
        counts TEXT NOT NULL,
        warnings TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE composition_images (
        composition_id TEXT NOT NULL REFERENCES compositions(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        image_id TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        label TEXT NOT NULL,
        view TEXT,
        -- Assigned images have a split, binary label and source; excluded ones a reason.
        split TEXT CHECK (split IN ('train', 'validation', 'test')),
        binary_label TEXT CHECK (binary_label IN ('positive', 'negative')),
        source TEXT CHECK (source IN ('primary', 'borrowed')),
        exclusion_reason TEXT,
        CHECK ((split IS NOT NULL AND binary_label IS NOT NULL AND source IS NOT NULL AND exclusion_reason IS NULL)
            OR (split IS NULL AND exclusion_reason IS NOT NULL)),
        PRIMARY KEY (composition_id, ordinal)
      );
      CREATE INDEX composition_images_by_dataset ON composition_images (dataset_id);
    `)
  },
}
