import { existsSync } from 'node:fs'
import { basename, dirname, relative, resolve } from 'node:path'
import type { CsvImportSpec } from '@shared/library/importSpecs'
import { isInside, toPosix } from './fileTree'
import { readCsvTable } from './csvTable'
import type { CsvTable } from './csvTable'
import { createPatientResolver, perImagePatientsIssue, settlePseudonymisation } from './patients'
import { IssueList } from './plan'
import type { ImagePlan, PlannedItem } from './plan'
import type { PlanContext } from './planImport'
import { readableSource } from './readable'

/** Images planned from a CSV, with the issues found. */
export interface CsvImagePlan {
  items: Array<Extract<PlannedItem, { kind: 'image' }>>
  issues: IssueList
  imageFolder: string
  table?: CsvTable
  /** Whether the patient column's values were replaced by pseudonyms (settled against the dataset). */
  pseudonymise: boolean
}

/**
 * Plan a CSV import: one image per row, its file resolved against the image folder, its label mapped, its
 * patient and view read. Blocking problems (missing columns, no rows, label values without a class) are all
 * collected before returning, so the wizard can show every one at once.
 * @param spec the parsed spec.
 */
export async function planCsvImages(spec: CsvImportSpec, context: Pick<PlanContext, 'readable' | 'jobs' | 'pseudonymiser'>): Promise<CsvImagePlan> {
  const csvPath = resolve(spec.csvPath)
  const imageFolder = resolve(dirname(csvPath), spec.imageFolder ?? '.')
  const issues = new IssueList()
  const table = { ...(await readCsvTable(await readableSource(context.readable, csvPath, 'CSV file'), spec.delimiter)), path: csvPath }
  const name = basename(csvPath)
  const pseudonymise = settlePseudonymisation(spec, context.jobs.patientIdConvention(spec.dataset.id), issues)
  checkColumns(spec, table, issues, pseudonymise)
  if (table.rows.length === 0) issues.block({ code: 'no-rows', file: csvPath, message: `${name}: the header has no rows below it` })
  if (spec.label.kind === 'column' && spec.label.values && table.columns.includes(spec.label.column)) {
    checkLabelValues(table, spec.label.column, spec.label.values, name, issues)
  }
  if (issues.blocking.length > 0) return { items: [], issues, imageFolder, table, pseudonymise }

  // Pseudonymised while planning, so the raw ids never reach the job's stored plan, the preview or the library.
  const pseudonymiser = pseudonymise ? context.pseudonymiser() : undefined
  const patientOf = createPatientResolver(spec.patient, issues, pseudonymiser && ((value) => pseudonymiser.pseudonym('patient', value)))
  const kept = spec.keepColumns
  const excluded = new Map<string, number>()
  const seen = new Map<string, { line: number; label: string }>()
  const items: CsvImagePlan['items'] = []
  for (const row of table.rows) {
    const where = `${name}, line ${row.line}`
    const file = row.values[spec.fileColumn] ? `${row.values[spec.fileColumn]}${spec.fileSuffix ?? ''}` : ''
    if (!file) {
      issues.add({ code: 'file-name-missing', severity: 'error', file: csvPath, line: row.line, field: spec.fileColumn, message: `${where}: no file name in column "${spec.fileColumn}"` })
      continue
    }
    const path = resolve(imageFolder, file)
    if (!isInside(imageFolder, path)) {
      // The user granted the image folder, not the disk: a row must not make the importer read elsewhere.
      issues.add({ code: 'outside-folder', severity: 'error', file: path, line: row.line, field: spec.fileColumn, message: `${where}: "${file}" is outside the image folder ${imageFolder}` })
      continue
    }
    const sourceKey = toPosix(relative(imageFolder, path))
    const label = labelOf(spec, row.values)
    const labelText = label.kind === 'label' ? label.label : label.kind === 'excluded' ? label.value : ''
    const first = seen.get(sourceKey)
    if (first !== undefined) {
      // RSNA lists an image once per box: repeats that agree are routine, repeats that disagree need a look.
      const agrees = first.label === labelText
      issues.add({
        code: 'duplicate-row',
        severity: agrees ? 'info' : 'warning',
        file: path,
        line: row.line,
        message: `${where}: "${file}" is already listed on line ${first.line}${agrees ? '' : ` with label "${first.label}" (here "${labelText}")`}; this row is ignored`,
      })
      continue
    }
    seen.set(sourceKey, { line: row.line, label: labelText })
    if (label.kind === 'missing') {
      issues.add({ code: 'label-missing', severity: 'error', file: path, line: row.line, field: spec.label.kind === 'column' ? spec.label.column : undefined, message: `${where}: no label for "${file}"` })
      continue
    }
    if (label.kind === 'excluded') {
      excluded.set(label.value, (excluded.get(label.value) ?? 0) + 1)
      continue
    }
    if (!existsSync(path)) {
      issues.add({ code: 'file-missing', severity: 'error', file: path, line: row.line, message: `${where}: image file ${path} not found` })
      continue
    }
    const plan: ImagePlan = {
      label: label.label,
      patientId: patientOf({ sourceKey, fileName: basename(path), file: `${name}, line ${row.line}`, values: row.values, line: row.line }),
      attributes: Object.fromEntries(kept.filter((column) => row.values[column] !== undefined && row.values[column] !== '').map((column) => [column, row.values[column]])),
      line: row.line,
    }
    const view = spec.viewColumn ? row.values[spec.viewColumn] : undefined
    if (view) plan.view = view
    items.push({ kind: 'image', sourceKey, path, payload: plan })
  }
  for (const [value, count] of excluded) {
    issues.add({
      code: 'label-excluded',
      severity: 'info',
      file: csvPath,
      field: spec.label.kind === 'column' ? spec.label.column : undefined,
      message: `${name}: ${count} row(s) with label "${value}" left out, as the label mapping asks`,
    })
  }
  if (spec.patient.kind === 'per-image' && items.length > 0) issues.add(perImagePatientsIssue(items.length))
  return { items, issues, imageFolder, table, pseudonymise }
}

function checkColumns(spec: CsvImportSpec, table: CsvTable, issues: IssueList, pseudonymise: boolean): void {
  const wanted: Array<[field: string, column: string | undefined]> = [
    ['file column', spec.fileColumn],
    ['label column', spec.label.kind === 'column' ? spec.label.column : undefined],
    ['patient column', spec.patient.kind === 'column' ? spec.patient.column : undefined],
    ['view column', spec.viewColumn],
    ...spec.keepColumns.map((column): [string, string] => ['kept column', column]),
  ]
  const name = basename(table.path)
  if (pseudonymise && spec.patient.kind === 'column' && spec.keepColumns.includes(spec.patient.column)) {
    issues.block({
      code: 'identifying-column',
      file: table.path,
      field: spec.patient.column,
      message: `${name}: column "${spec.patient.column}" holds the patient ids, which are stored as pseudonyms; it cannot also be kept as it is`,
    })
  }
  for (const [field, column] of wanted) {
    if (column === undefined || table.columns.includes(column)) continue
    issues.block({
      code: 'missing-column',
      file: table.path,
      field: column,
      message: `${name}: ${field} "${column}" not found among the ${table.columns.length} columns of its header`,
    })
  }
}

function checkLabelValues(table: CsvTable, column: string, values: Record<string, string | null>, name: string, issues: IssueList): void {
  const unmapped = new Map<string, { count: number; line: number }>()
  for (const row of table.rows) {
    const value = row.values[column]
    if (value === '' || Object.hasOwn(values, value)) continue
    const entry = unmapped.get(value) ?? { count: 0, line: row.line }
    entry.count += 1
    unmapped.set(value, entry)
  }
  for (const [value, { count, line }] of unmapped) {
    issues.block({
      code: 'unmapped-label',
      file: table.path,
      field: column,
      line,
      message: `${name}: label value "${value}" of column "${column}" (${count} row(s), first on line ${line}) has no class; map it to a class or leave it out`,
    })
  }
}

type LabelOutcome = { kind: 'label'; label: string } | { kind: 'excluded'; value: string } | { kind: 'missing' }

function labelOf(spec: CsvImportSpec, values: Record<string, string>): LabelOutcome {
  const source = spec.label
  if (source.kind === 'fixed') return { kind: 'label', label: source.value }
  if (source.kind === 'folder') {
    const file = values[spec.fileColumn]
    const folder = basename(dirname(file))
    return folder && folder !== '.' ? { kind: 'label', label: folder } : { kind: 'missing' }
  }
  const value = values[source.column]
  if (!value) return { kind: 'missing' }
  if (!source.values) return { kind: 'label', label: value }
  const target = source.values[value]
  return target === null ? { kind: 'excluded', value } : { kind: 'label', label: target }
}
