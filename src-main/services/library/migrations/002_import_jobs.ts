import type { Migration } from './types'

/**
 * Import jobs as durable records: the spec, one row per planned file with its outcome (what makes a job
 * resumable: a restart processes the rows still `pending`), and the issues found. Images remember the job that
 * added them, for provenance.
 */
export const importJobsSchema: Migration = {
  version: 2,
  name: 'import jobs',
  up(db) {
    db.exec(`
      CREATE TABLE import_jobs (
        id TEXT PRIMARY KEY,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        spec TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'cancelled', 'failed', 'interrupted', 'completed')),
        phase TEXT NOT NULL,
        error TEXT,
        owner_pid INTEGER,
        heartbeat_at TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        -- Seconds spent running, summed over resumptions.
        run_seconds REAL NOT NULL DEFAULT 0
      );
      CREATE INDEX import_jobs_by_dataset ON import_jobs (dataset_id, created_at);

      CREATE TABLE import_items (
        job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('image', 'mask')),
        source_key TEXT NOT NULL,
        path TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'imported', 'unchanged', 'skipped', 'failed')),
        PRIMARY KEY (job_id, ordinal)
      );
      CREATE INDEX import_items_pending ON import_items (job_id, status, kind, ordinal);

      CREATE TABLE import_issues (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        ordinal INTEGER,
        code TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
        message TEXT NOT NULL,
        file TEXT,
        line INTEGER,
        field TEXT
      );
      CREATE INDEX import_issues_by_job ON import_issues (job_id, id);

      ALTER TABLE images ADD COLUMN import_job_id TEXT REFERENCES import_jobs(id) ON DELETE SET NULL;
      ALTER TABLE masks ADD COLUMN import_job_id TEXT REFERENCES import_jobs(id) ON DELETE SET NULL;
    `)
  },
}
