import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { parse } from 'csv-parse/sync'
import { LibraryError } from '@shared/library/errors'
import type { ImportIssue } from '@shared/library/jobs'

/** Field separators recognised in a header line, most common first (ties go to the comma). */
export const CSV_DELIMITERS = [',', '\t', ';', '|'] as const
/** One of {@link CSV_DELIMITERS}. */
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number]

/** One data row with the line it starts on (for messages). */
export interface CsvRow {
  /** 1-based line in the file; the header is line 1. */
  line: number
  /** Values by column name, trimmed. */
  values: Record<string, string>
}

/** A parsed CSV/TSV: header, rows, and the separator used. */
export interface CsvTable {
  path: string
  delimiter: CsvDelimiter
  columns: string[]
  rows: CsvRow[]
}

/**
 * Read a CSV or TSV file whole (index files are small: RSNA's 30 000 rows are 1.5 MB). The separator is taken
 * from the header line unless given; quoted fields, a UTF-8 byte-order mark and Windows line ends are handled by
 * csv-parse. Rows with a different number of fields than the header are an error naming the line, because a
 * shifted row would silently put a label in the patient column.
 * @param path the file.
 * @param delimiter the separator, when the user chose one.
 * @throws LibraryError `import-blocked` with one issue (`source-missing`, `empty-file`, `csv-syntax`) naming the file.
 */
export async function readCsvTable(path: string, delimiter?: CsvDelimiter): Promise<CsvTable> {
  const name = basename(path)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a CSV file' : (error as Error).message
    throw blocked({ code: 'source-missing', severity: 'error', file: path, message: `${path}: ${reason}` })
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') {
    throw blocked({ code: 'empty-file', severity: 'error', file: path, message: `${name}: the file is empty (expected a header line and rows)` })
  }
  const separator = delimiter ?? detectDelimiter(text)
  let records: Array<{ record: string[]; info: { lines: number } }>
  try {
    records = parse(text, { bom: true, delimiter: separator, skip_empty_lines: true, info: true, relax_quotes: true, relax_column_count: true }) as unknown as typeof records
  } catch (error) {
    // csv-parse's messages can quote the field it stopped at: say where, not what.
    const line = (error as { lines?: number }).lines
    throw blocked({ code: 'csv-syntax', severity: 'error', file: path, line, message: `${name}: not a readable ${separator === '\t' ? 'TSV' : 'CSV'} file${line ? ` (a quote or field is broken near line ${line})` : ''}` })
  }
  const [header, ...body] = records
  const columns = header.record.map((column, index) => column.trim() || `column ${index + 1}`)
  const duplicate = columns.findIndex((column, index) => columns.indexOf(column) !== index)
  if (duplicate >= 0) {
    const first = columns.indexOf(columns[duplicate])
    throw blocked({ code: 'csv-syntax', severity: 'error', file: path, line: 1, message: `${name}: columns ${first + 1} and ${duplicate + 1} of the header have the same name` })
  }
  const rows: CsvRow[] = []
  for (const { record, info } of body) {
    // csv-parse reports the line a record ends on; a record spanning lines (quoted newlines) is rare in index files.
    const line = info.lines
    if (record.length !== columns.length) {
      throw blocked({
        code: 'csv-syntax',
        severity: 'error',
        file: path,
        line,
        message: `${name}, line ${line}: ${record.length} field(s) where the header has ${columns.length}`,
      })
    }
    rows.push({ line, values: Object.fromEntries(columns.map((column, index) => [column, record[index].trim()])) })
  }
  return { path, delimiter: separator, columns, rows }
}

/**
 * The separator of a CSV/TSV: the candidate found most often in the header line, outside quotes.
 * @param text the file's text.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  const counts = new Map<CsvDelimiter, number>(CSV_DELIMITERS.map((candidate) => [candidate, 0]))
  let quoted = false
  for (const character of header) {
    if (character === '"') quoted = !quoted
    else if (!quoted && counts.has(character as CsvDelimiter)) counts.set(character as CsvDelimiter, counts.get(character as CsvDelimiter)! + 1)
  }
  let best: CsvDelimiter = ','
  for (const candidate of CSV_DELIMITERS) if (counts.get(candidate)! > counts.get(best)!) best = candidate
  return best
}

function blocked(issue: ImportIssue): LibraryError {
  return new LibraryError('import-blocked', issue.message, [issue])
}
