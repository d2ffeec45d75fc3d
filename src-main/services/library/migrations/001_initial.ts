import type { Migration } from './types'

/**
 * The library's core: datasets, their images (referenced by path and content hash, never copied), identifying
 * DICOM data kept apart from the images so a query has to ask for it, masks, and workstation settings (the
 * pseudonym key).
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'datasets, images, masks',
  up(db) {
    db.exec(`
      CREATE TABLE library_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT,
        source_kind TEXT NOT NULL CHECK (source_kind IN ('csv', 'folder-per-class', 'dicom-folder')),
        root_folder TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        -- The image id of ImageRecord: path relative to the import root, '/' separators.
        source_key TEXT NOT NULL,
        path TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        byte_size INTEGER NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('png', 'jpeg', 'dicom')),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        label TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        view TEXT,
        study_id TEXT,
        attributes TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        UNIQUE (dataset_id, source_key)
      );
      CREATE INDEX images_by_hash ON images (dataset_id, content_hash);
      CREATE INDEX images_by_label ON images (dataset_id, label);

      -- PHI from DICOM headers: only read when the user asks (house rule: not shown unless requested).
      CREATE TABLE image_phi (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        data TEXT NOT NULL
      );

      CREATE TABLE masks (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        structure TEXT NOT NULL,
        path TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        sources TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        UNIQUE (image_id, structure)
      );
    `)
  },
}
