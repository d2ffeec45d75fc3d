/**
 * CSV in and out of evaluations: the predictions file `cxr evaluate --out` writes and `cxr metrics` reads,
 * and the long-format matrix export. RFC 4180 quoting; errors name the line and column so a user can fix the file.
 */
import type { EvaluationMatrix, PredictionRow } from './types'
import { MATRIX_METRICS } from './types'

/** Labels, scores and optional patients read from a predictions CSV. */
export interface ParsedPredictions {
  labels: number[]
  scores: number[]
  /** Present when the file has a `patient` column. */
  patients?: string[]
}

/** A CSV problem, with the 1-based line it is on (0 when it concerns the whole file). */
export class CsvError extends Error {
  override name = 'CsvError'
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message)
  }
}

/** Splits CSV text into records of fields, each with the 1-based line it starts on. Quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let start = 1
  let fieldStarted = false
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  for (let i = 0; i < body.length; i++) {
    const char = body[i]
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else {
        if (char === '\n') line++
        field += char
      }
      continue
    }
    if (char === '"' && field === '') {
      quoted = true
      fieldStarted = true
    } else if (char === ',') {
      fields.push(field)
      field = ''
      fieldStarted = true
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && body[i + 1] === '\n') i++
      if (fieldStarted || field !== '' || fields.length > 0) records.push({ line: start, fields: [...fields, field] })
      fields = []
      field = ''
      fieldStarted = false
      line++
      start = line
    } else {
      field += char
      fieldStarted = true
    }
  }
  if (quoted) throw new CsvError(`line ${start}: a quoted field is never closed`, start)
  if (fieldStarted || field !== '' || fields.length > 0) records.push({ line: start, fields: [...fields, field] })
  return records
}

/**
 * Reads a predictions CSV: a header with `label` (0/1) and `score` (a finite number), and optionally `patient`
 * (rows of one patient are resampled together by the bootstrap). Column names are case-insensitive; other
 * columns are ignored.
 *
 * @throws CsvError naming the missing column, or the line and column of a bad value.
 */
export function parsePredictionsCsv(text: string): ParsedPredictions {
  const records = parseCsvRecords(text)
  if (records.length === 0) throw new CsvError('the file is empty: expected a header with label and score columns', 0)
  const header = records[0].fields.map((name) => name.trim().toLowerCase())
  const column = (name: string) => header.indexOf(name)
  const labelAt = column('label')
  const scoreAt = column('score')
  const patientAt = column('patient')
  for (const [name, at] of [['label', labelAt], ['score', scoreAt]] as const) {
    if (at < 0) throw new CsvError(`line ${records[0].line}: no '${name}' column in the header (found: ${header.join(', ') || 'nothing'})`, records[0].line)
  }
  const labels: number[] = []
  const scores: number[] = []
  const patients: string[] = []
  for (const { line, fields } of records.slice(1)) {
    if (fields.length === 1 && fields[0].trim() === '') continue
    if (fields.length !== header.length) throw new CsvError(`line ${line}: ${fields.length} fields, the header has ${header.length}`, line)
    const label = fields[labelAt].trim()
    if (label !== '0' && label !== '1') throw new CsvError(`line ${line}, column label: '${label}' is not 0 or 1`, line)
    const scoreText = fields[scoreAt].trim()
    const score = Number(scoreText)
    if (scoreText === '' || !Number.isFinite(score)) throw new CsvError(`line ${line}, column score: '${scoreText}' is not a finite number`, line)
    labels.push(Number(label))
    scores.push(score)
    if (patientAt >= 0) {
      const patient = fields[patientAt].trim()
      if (patient === '') throw new CsvError(`line ${line}, column patient: empty patient id`, line)
      patients.push(patient)
    }
  }
  if (labels.length === 0) throw new CsvError('the file has a header but no rows', 0)
  return patientAt >= 0 ? { labels, scores, patients } : { labels, scores }
}

/** One CSV field, quoted when it has to be. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * The patient key an evaluation resamples by: dataset-qualified, because patient "1" of two datasets is two
 * people. It is what the `patient` column of a predictions CSV holds, so `cxr metrics` on the file bootstraps
 * the same clusters as the evaluation did.
 */
export function patientKey(row: Pick<PredictionRow, 'datasetId' | 'patientId'>): string {
  return `${row.datasetId}/${row.patientId}`
}

/** Predictions as CSV: `image_id,dataset_id,patient,content_hash,label,score` (readable by `cxr metrics`). */
export function predictionsToCsv(rows: PredictionRow[]): string {
  const lines = ['image_id,dataset_id,patient,content_hash,label,score']
  for (const row of rows) lines.push([row.imageId, row.datasetId, patientKey(row), row.contentHash, row.label, row.score].map(csvField).join(','))
  return `${lines.join('\n')}\n`
}

/**
 * The matrix as long-format CSV, one line per run × test set (what a spreadsheet pivot or R/pandas wants):
 * the row's description, the column, n, each metric with its CI bounds, and the evaluation id.
 */
export function matrixToCsv(matrix: EvaluationMatrix): string {
  const metricColumns = MATRIX_METRICS.flatMap((name) => [name, `${name}_lower`, `${name}_upper`])
  const lines = [['run_id', 'run_name', 'architecture', 'pretraining', 'training_composition', 'test_composition', 'split', 'variant', 'n', ...metricColumns, 'evaluation_id'].join(',')]
  matrix.rows.forEach((row, r) => {
    matrix.columns.forEach((column, c) => {
      const cell = matrix.cells[r][c]
      const values = MATRIX_METRICS.flatMap((name) => {
        const metric = cell.metrics?.[name]
        return [metric?.value ?? null, metric?.ci?.lower ?? null, metric?.ci?.upper ?? null]
      })
      lines.push(
        [row.runId, row.name, row.architecture, row.pretraining, row.trainingCompositionName, column.name, matrix.split, matrix.variant, cell.n, ...values, cell.evaluationId]
          .map((value) => csvField(value))
          .join(','),
      )
    })
  })
  return `${lines.join('\n')}\n`
}
