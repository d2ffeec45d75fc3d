import type { Database } from 'better-sqlite3'
import { ImportSpecSchema } from '@shared/library/importSpecs'
import type { ImportKind, ImportSpec } from '@shared/library/importSpecs'
import type { ImportIssue, ImportJobStatus, ImportPhase, ItemCounts } from '@shared/library/jobs'

/** An import job as stored. */
export interface JobRow {
  id: string
  datasetId: string
  kind: ImportKind
  spec: ImportSpec
  status: ImportJobStatus
  phase: ImportPhase
  error?: string
  ownerPid?: number
  heartbeatAt?: string
  createdAt: string
  startedAt?: string
  finishedAt?: string
  runSeconds: number
}

/** Outcome of one planned file. */
export type ItemStatus = 'pending' | 'imported' | 'unchanged' | 'skipped' | 'failed'

/** One planned file of a job. `payload` is the importer's plan for it (JSON). */
export interface ItemRow {
  ordinal: number
  kind: 'image' | 'mask'
  sourceKey: string
  path: string
  payload: unknown
  status: ItemStatus
}

/** An issue to record; `ordinal` ties it to a planned file. */
export type NewIssue = ImportIssue & { ordinal?: number }

/** Import jobs, their planned files and their issues. */
export interface ImportJobRepository {
  /** Record a planned job with its files and planning issues (call inside the caller's transaction). */
  create(job: { id: string; datasetId: string; spec: ImportSpec; createdAt: string }, items: Array<Omit<ItemRow, 'status'>>, issues: NewIssue[]): void
  get(id: string): JobRow | undefined
  /** Jobs newest first, optionally of one dataset. */
  list(datasetId?: string): JobRow[]
  /** Mark a job running in this process. */
  start(id: string, pid: number, now: string): void
  setPhase(id: string, phase: ImportPhase): void
  /** Prove the job's process is alive and add the seconds run since the last beat. */
  heartbeat(id: string, now: string, seconds: number): void
  /** Record how a run ended. */
  finish(id: string, status: ImportJobStatus, now: string, error?: string): void
  /** The next pending files: images first (masks attach to them), each in plan order. */
  pendingItems(id: string, limit: number): ItemRow[]
  setItemStatus(id: string, ordinal: number, status: ItemStatus): void
  addIssue(jobId: string, issue: NewIssue): void
  /** Outcomes per kind of file. */
  itemCounts(id: string): { image: ItemCounts; mask: ItemCounts }
  /** Issues in the order found, at most `limit`. */
  issues(id: string, limit: number): ImportIssue[]
  issueCounts(id: string): Record<string, number>
  /** Images this job added, per class. */
  importedByClass(id: string): Record<string, number>
  /** Jobs recorded as queued or running (by this or another process). */
  active(): JobRow[]
  /**
   * How the dataset's earlier CSV imports stored patient ids taken from a column: `pseudonymised`, `as-recorded`
   * (imports from before CSV pseudonymisation, or that turned it off), or undefined when no such import added
   * images. One patient must have one id within a dataset, so later imports follow it.
   */
  patientIdConvention(datasetId: string): 'pseudonymised' | 'as-recorded' | undefined
}

interface StoredJob {
  id: string
  dataset_id: string
  kind: ImportKind
  spec: string
  status: ImportJobStatus
  phase: ImportPhase
  error: string | null
  owner_pid: number | null
  heartbeat_at: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  run_seconds: number
}

interface StoredIssue {
  code: ImportIssue['code']
  severity: ImportIssue['severity']
  message: string
  file: string | null
  line: number | null
  field: string | null
}

/**
 * Create the import job repository over an open library database.
 * @param db the library database.
 */
export function createImportJobRepository(db: Database): ImportJobRepository {
  const insertJob = db.prepare(
    `INSERT INTO import_jobs (id, dataset_id, kind, spec, status, phase, created_at) VALUES (?, ?, ?, ?, 'queued', 'images', ?)`,
  )
  const insertItem = db.prepare('INSERT INTO import_items (job_id, ordinal, kind, source_key, path, payload) VALUES (?, ?, ?, ?, ?, ?)')
  const insertIssue = db.prepare(
    'INSERT INTO import_issues (job_id, ordinal, code, severity, message, file, line, field) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const get = db.prepare('SELECT * FROM import_jobs WHERE id = ?')
  const listAll = db.prepare('SELECT * FROM import_jobs ORDER BY created_at DESC, rowid DESC')
  const listByDataset = db.prepare('SELECT * FROM import_jobs WHERE dataset_id = ? ORDER BY created_at DESC, rowid DESC')
  const start = db.prepare(
    `UPDATE import_jobs SET status = 'running', error = NULL, owner_pid = ?, heartbeat_at = ?, started_at = COALESCE(started_at, ?), finished_at = NULL WHERE id = ?`,
  )
  const setPhase = db.prepare('UPDATE import_jobs SET phase = ? WHERE id = ?')
  const heartbeat = db.prepare('UPDATE import_jobs SET heartbeat_at = ?, run_seconds = run_seconds + ? WHERE id = ?')
  const finish = db.prepare('UPDATE import_jobs SET status = ?, error = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?')
  const pending = db.prepare(
    `SELECT ordinal, kind, source_key AS sourceKey, path, payload, status FROM import_items
     WHERE job_id = ? AND status = 'pending' ORDER BY CASE kind WHEN 'image' THEN 0 ELSE 1 END, ordinal LIMIT ?`,
  )
  const setItemStatus = db.prepare('UPDATE import_items SET status = ? WHERE job_id = ? AND ordinal = ?')
  const counts = db.prepare('SELECT kind, status, COUNT(*) AS n FROM import_items WHERE job_id = ? GROUP BY kind, status')
  const issues = db.prepare('SELECT code, severity, message, file, line, field FROM import_issues WHERE job_id = ? ORDER BY id LIMIT ?')
  const issueCounts = db.prepare('SELECT code, COUNT(*) AS n FROM import_issues WHERE job_id = ? GROUP BY code ORDER BY code')
  const byClass = db.prepare('SELECT label, COUNT(*) AS n FROM images WHERE import_job_id = ? GROUP BY label ORDER BY label')
  const active = db.prepare(`SELECT * FROM import_jobs WHERE status IN ('queued', 'running')`)
  const conventions = db.prepare(`
    SELECT DISTINCT COALESCE(json_extract(spec, '$.pseudonymise'), 0) AS pseudonymised FROM import_jobs
    WHERE dataset_id = ? AND kind = 'csv' AND json_extract(spec, '$.patient.kind') = 'column'
      AND EXISTS (SELECT 1 FROM images WHERE images.import_job_id = import_jobs.id)
    UNION
    -- Images of a table dataset from before import jobs were recorded: their ids are as the table had them.
    SELECT 0 FROM images JOIN datasets ON datasets.id = images.dataset_id
    WHERE images.dataset_id = ? AND images.import_job_id IS NULL AND datasets.source_kind = 'csv'`)

  const addIssue = (jobId: string, issue: NewIssue) =>
    insertIssue.run(jobId, issue.ordinal ?? null, issue.code, issue.severity, issue.message, issue.file ?? null, issue.line ?? null, issue.field ?? null)

  return {
    create(job, items, planIssues) {
      insertJob.run(job.id, job.datasetId, job.spec.kind, JSON.stringify(job.spec), job.createdAt)
      for (const item of items) insertItem.run(job.id, item.ordinal, item.kind, item.sourceKey, item.path, JSON.stringify(item.payload))
      for (const issue of planIssues) addIssue(job.id, issue)
    },
    get: (id) => toJob(get.get(id) as StoredJob | undefined),
    list: (datasetId) => ((datasetId === undefined ? listAll.all() : listByDataset.all(datasetId)) as StoredJob[]).map((row) => toJob(row)!),
    start(id, pid, now) {
      start.run(pid, now, now, id)
    },
    setPhase(id, phase) {
      setPhase.run(phase, id)
    },
    heartbeat(id, now, seconds) {
      heartbeat.run(now, seconds, id)
    },
    finish(id, status, now, error) {
      finish.run(status, error ?? null, now, now, id)
    },
    pendingItems: (id, limit) =>
      (pending.all(id, limit) as Array<Omit<ItemRow, 'payload'> & { payload: string }>).map((row) => ({ ...row, payload: JSON.parse(row.payload) as unknown })),
    setItemStatus(id, ordinal, status) {
      setItemStatus.run(status, id, ordinal)
    },
    addIssue(jobId, issue) {
      addIssue(jobId, issue)
    },
    itemCounts(id) {
      const result = { image: emptyCounts(), mask: emptyCounts() }
      for (const row of counts.all(id) as Array<{ kind: 'image' | 'mask'; status: ItemStatus; n: number }>) {
        result[row.kind][row.status] += row.n
        result[row.kind].planned += row.n
      }
      return result
    },
    issues: (id, limit) =>
      (issues.all(id, limit) as StoredIssue[]).map((row) => {
        const issue: ImportIssue = { code: row.code, severity: row.severity, message: row.message }
        if (row.file !== null) issue.file = row.file
        if (row.line !== null) issue.line = row.line
        if (row.field !== null) issue.field = row.field
        return issue
      }),
    issueCounts: (id) => Object.fromEntries((issueCounts.all(id) as Array<{ code: string; n: number }>).map((row) => [row.code, row.n])),
    importedByClass: (id) => Object.fromEntries((byClass.all(id) as Array<{ label: string; n: number }>).map((row) => [row.label, row.n])),
    active: () => (active.all() as StoredJob[]).map((row) => toJob(row)!),
    patientIdConvention(datasetId) {
      const found = (conventions.all(datasetId, datasetId) as Array<{ pseudonymised: number }>).map((row) => row.pseudonymised)
      if (found.length === 0) return undefined
      // Any raw ids decide: a pseudonym of a raw id already stored would be a second id for that patient.
      return found.includes(0) ? 'as-recorded' : 'pseudonymised'
    },
  }
}

function emptyCounts(): ItemCounts {
  return { planned: 0, imported: 0, unchanged: 0, skipped: 0, failed: 0, pending: 0 }
}

function toJob(row: StoredJob | undefined): JobRow | undefined {
  if (!row) return undefined
  const job: JobRow = {
    id: row.id,
    datasetId: row.dataset_id,
    kind: row.kind,
    // Stored specs were parsed before saving; parsing again applies defaults added by later versions.
    spec: ImportSpecSchema.parse(JSON.parse(row.spec)),
    status: row.status,
    phase: row.phase,
    createdAt: row.created_at,
    runSeconds: row.run_seconds,
  }
  if (row.error !== null) job.error = row.error
  if (row.owner_pid !== null) job.ownerPid = row.owner_pid
  if (row.heartbeat_at !== null) job.heartbeatAt = row.heartbeat_at
  if (row.started_at !== null) job.startedAt = row.started_at
  if (row.finished_at !== null) job.finishedAt = row.finished_at
  return job
}
