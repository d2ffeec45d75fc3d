import { extname, resolve } from 'node:path'
import { LibraryError } from '@shared/library/errors'
import { KERMANY_CLASS_RULES, KERMANY_PATIENT_PATTERNS } from '@shared/library/importSpecs'
import type { ColumnValues, CsvPreview, FolderScan } from '@shared/library/summaries'
import { readCsvTable } from './csvTable'
import type { CsvDelimiter, CsvTable } from './csvTable'
import { DICOM_EXTENSIONS, isRasterFile, listFiles, looksLikeDicom } from './fileTree'

/**
 * The import wizard's first steps, before there is a spec: what is in this CSV, what values does this column
 * hold, what does this folder look like. Read-only; errors name the file or column.
 */

/** Names that usually hold what the wizard asks for; a guess the user confirms. */
const COLUMN_HINTS = {
  file: /^(file|file_?name|filename|path|image|image_?path|img|dicom)$/i,
  label: /^(label|class|class3|finding|diagnosis|target|category)$/i,
  patient: /patient/i,
  view: /view|projection/i,
  mask: /mask|segmentation/i,
} as const

/**
 * The first rows and the columns of a CSV/TSV, with guessed file/label/patient/view/mask columns.
 * @param path the CSV file.
 * @param rows how many rows to return.
 * @param delimiter the separator, when the user overrides detection.
 */
export async function previewCsv(path: string, rows: number, delimiter?: CsvDelimiter): Promise<CsvPreview> {
  const table = await readCsvTable(resolve(path), delimiter)
  return {
    path: table.path,
    delimiter: table.delimiter,
    columns: table.columns,
    rowCount: table.rows.length,
    rows: table.rows.slice(0, rows).map((row) => row.values),
    guessed: guessColumns(table),
  }
}

/**
 * Distinct values of a column, most frequent first, for mapping label values to classes.
 * @param path the CSV file.
 * @param column the column.
 * @param limit most values returned.
 * @param delimiter the separator, when the user overrides detection.
 */
export async function csvColumnValues(path: string, column: string, limit: number, delimiter?: CsvDelimiter): Promise<ColumnValues> {
  const table = await readCsvTable(resolve(path), delimiter)
  if (!table.columns.includes(column)) {
    throw new LibraryError('invalid-request', `${table.path}: column "${column}" not found among the ${table.columns.length} columns of its header`)
  }
  const counts = new Map<string, number>()
  for (const row of table.rows) counts.set(row.values[column], (counts.get(row.values[column]) ?? 0) + 1)
  const values = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
  return { column, values: values.slice(0, limit), distinctCount: values.length, truncated: values.length > limit }
}

/**
 * The folders of a tree with their image counts, and a guess of the layout: Kermany's class folders, another
 * folder-per-class tree, a DICOM folder, or images listed by a CSV.
 * @param rootFolder the folder the user picked.
 */
export async function scanFolder(rootFolder: string): Promise<FolderScan> {
  const root = resolve(rootFolder)
  const files = await listFiles(root, 'folder')
  const folders = new Map<string, { imageFiles: number; otherFiles: number; sampleNames: string[] }>()
  let imageFiles = 0
  let dicomFiles = 0
  const csvFiles: string[] = []
  for (const file of files) {
    const key = file.folders.join('/')
    const folder = folders.get(key) ?? { imageFiles: 0, otherFiles: 0, sampleNames: [] }
    folders.set(key, folder)
    const extension = extname(file.fileName).toLowerCase()
    const dicom = DICOM_EXTENSIONS.has(extension) || (extension === '' && (await looksLikeDicom(file.path).catch(() => false)))
    if (/^\.(csv|tsv)$/.test(extension)) csvFiles.push(file.relativePath)
    if (!dicom && !isRasterFile(file.fileName)) {
      folder.otherFiles += 1
      continue
    }
    folder.imageFiles += 1
    imageFiles += 1
    if (dicom) dicomFiles += 1
    if (folder.sampleNames.length < 5) folder.sampleNames.push(file.fileName)
  }
  const scanned = [...folders].map(([folder, entry]) => ({ folder, ...entry }))
  return { rootFolder: root, folders: scanned, imageFiles, dicomFiles, suggested: suggestLayout(scanned, imageFiles, dicomFiles, csvFiles) }
}

function suggestLayout(folders: Array<{ folder: string; imageFiles: number }>, imageFiles: number, dicomFiles: number, csvFiles: string[]): FolderScan['suggested'] {
  const withImages = folders.filter((folder) => folder.imageFiles > 0)
  const names = new Set(withImages.map((folder) => folder.folder.split('/').pop() ?? ''))
  if (names.has('NORMAL') && names.has('PNEUMONIA')) {
    return {
      kind: 'folder-per-class',
      csvFiles,
      classes: KERMANY_CLASS_RULES.map((rule) => ({ ...rule })),
      patient: { kind: 'file-name', patterns: [...KERMANY_PATIENT_PATTERNS] },
    }
  }
  if (imageFiles > 0 && dicomFiles * 2 > imageFiles) return { kind: 'dicom-folder', csvFiles }
  if (csvFiles.length > 0) return { kind: 'csv', csvFiles }
  const classFolders = [...names].filter((name) => name !== '')
  if (classFolders.length >= 2) {
    return { kind: 'folder-per-class', csvFiles, classes: classFolders.sort().map((folder) => ({ folder, class: folder })) }
  }
  return { kind: 'unknown', csvFiles }
}

/** Two values that read as yes/no: a binary label column (covid-chestxray's `covid` is 0/1). */
const BINARY_VALUES = /^(0|1|yes|no|y|n|true|false|positive|negative|pos|neg)$/i
/** The app's question is COVID-19: a column named for it is the label, whatever other columns are called. */
const COVID_NAME = /covid/i
/** Columns that look binary but are never the label. */
const NOT_A_LABEL = /^(sex|gender|split|subset|fold|set|license|licence)$/i

/**
 * The label column: a column named for COVID-19 first, then label-like names (`finding`, `class`…), a binary
 * yes/no column breaking ties; never the file, patient, view or mask column, nor one with too many values to be a
 * class (over 20 distinct, or nearly one per row).
 */
function guessLabelColumn(table: CsvTable, taken: readonly string[]): string | undefined {
  const sample = table.rows.slice(0, 2000)
  let best: { column: string; score: number } | undefined
  for (const column of table.columns) {
    if (taken.includes(column) || NOT_A_LABEL.test(column)) continue
    const values = new Set(sample.map((row) => row.values[column]?.trim() ?? '').filter((value) => value !== ''))
    if (values.size === 0 || values.size > 20 || (sample.length >= 10 && values.size > sample.length / 2)) continue
    const binary = values.size === 2 && [...values].every((value) => BINARY_VALUES.test(value))
    const score = (COVID_NAME.test(column) ? 4 : 0) + (COLUMN_HINTS.label.test(column) ? 2 : 0) + (binary ? 1 : 0)
    if (score >= 2 && (!best || score > best.score)) best = { column, score }
  }
  return best?.column
}

function guessColumns(table: CsvTable): CsvPreview['guessed'] {
  const guessed: CsvPreview['guessed'] = {}
  for (const [field, hint] of Object.entries(COLUMN_HINTS) as Array<[keyof typeof COLUMN_HINTS, RegExp]>) {
    if (field === 'label') continue
    const column = table.columns.find((name) => hint.test(name) && !Object.values(guessed).includes(name))
    if (column !== undefined) guessed[field] = column
  }
  const label = guessLabelColumn(table, Object.values(guessed))
  if (label !== undefined) guessed.label = label
  // A column whose values look like image files is the file column, whatever its name.
  if (guessed.file === undefined || guessed.file === guessed.mask) {
    const sample = table.rows.slice(0, 50)
    const fileLike = table.columns.find(
      (column) => column !== guessed.mask && sample.length > 0 && sample.every((row) => /\.(png|jpe?g|dcm|dicom)$/i.test(row.values[column])),
    )
    if (fileLike !== undefined) guessed.file = fileLike
  }
  return guessed
}
