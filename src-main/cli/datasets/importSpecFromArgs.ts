import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import type { ClassRule, ImportSpecInput, MaskSourceInput } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import { UsageError } from '../command'
import { many, parseStrict, splitPair, type OptionSpecs } from './args'

/**
 * The import wizard's choices as command-line flags, turned into the same `ImportSpec` the wizard sends. Where
 * the wizard pre-fills a choice (a folder tree's suggested class rules and patient patterns, each label value
 * mapped to itself), the CLI does the same; where the wizard makes the user decide (which column is the file,
 * the label, the patient), the CLI asks for a flag instead of guessing, because a wrong patient grouping leaks
 * patients across splits without any error.
 */

/** What the user asked `cxr import KIND …` for. */
export interface ImportRequest {
  spec: ImportSpecInput
  dryRun: boolean
  json: boolean
  /** Things worth saying before the import (a `--map` value no row has, a suggested layout taken). */
  notes: string[]
}

/** The layouts, as typed after `cxr import`. */
export const IMPORT_KINDS = ['csv', 'folders', 'dicom', 'masks'] as const

const outputOptions = {
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const satisfies OptionSpecs

const datasetOptions = {
  id: { type: 'string' },
  name: { type: 'string' },
  notes: { type: 'string' },
  duplicates: { type: 'string' },
  'no-thumbnails': { type: 'boolean', default: false },
  'mask-folder': { type: 'string' },
  'mask-index': { type: 'string' },
  'mask-image-column': { type: 'string' },
  'mask-column': { type: 'string' },
  'mask-dir': { type: 'string' },
  'mask-left': { type: 'string' },
  'mask-right': { type: 'string' },
  'mask-suffix': { type: 'string', multiple: true },
  ...outputOptions,
} as const satisfies OptionSpecs

const csvOptions = {
  table: { type: 'string' },
  images: { type: 'string' },
  delimiter: { type: 'string' },
  'file-column': { type: 'string' },
  'file-suffix': { type: 'string' },
  'label-column': { type: 'string' },
  label: { type: 'string' },
  map: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'patient-column': { type: 'string' },
  'patient-pattern': { type: 'string', multiple: true },
  'per-image-patients': { type: 'boolean', default: false },
  'view-column': { type: 'string' },
  'keep-column': { type: 'string', multiple: true },
  'no-pseudonymise': { type: 'boolean', default: false },
  ...datasetOptions,
} as const satisfies OptionSpecs

const folderOptions = {
  class: { type: 'string', multiple: true },
  'patient-pattern': { type: 'string', multiple: true },
  'per-image-patients': { type: 'boolean', default: false },
  ...datasetOptions,
} as const satisfies OptionSpecs

const dicomOptions = {
  label: { type: 'string' },
  'label-from-folder': { type: 'boolean', default: false },
  'no-pseudonymise': { type: 'boolean', default: false },
  modality: { type: 'string', multiple: true },
  ...datasetOptions,
} as const satisfies OptionSpecs

const maskOptions = {
  dataset: { type: 'string' },
  folder: { type: 'string' },
  index: { type: 'string' },
  'image-column': { type: 'string' },
  'mask-column': { type: 'string' },
  'mask-dir': { type: 'string' },
  left: { type: 'string' },
  right: { type: 'string' },
  suffix: { type: 'string', multiple: true },
  structure: { type: 'string' },
  ...outputOptions,
} as const satisfies OptionSpecs

const DELIMITERS: Record<string, ',' | '\t' | ';' | '|'> = { ',': ',', comma: ',', tab: '\t', '\t': '\t', ';': ';', semicolon: ';', '|': '|', pipe: '|' }

/**
 * Parse `cxr import KIND …` into a spec. Only reads what the wizard reads before its preview (the folder tree,
 * the label column's distinct values); writes nothing.
 * @param kind one of {@link IMPORT_KINDS}.
 * @param args the arguments after the kind.
 * @param library for the folder scan and the label column's values.
 * @param cwd relative paths are resolved against it.
 * @throws UsageError for a missing or contradictory flag.
 */
export async function importRequestFromArgs(kind: (typeof IMPORT_KINDS)[number], args: string[], library: LibraryService, cwd = process.cwd()): Promise<ImportRequest> {
  if (kind === 'csv') return csvRequest(args, library, cwd)
  if (kind === 'folders') return folderRequest(args, library, cwd)
  if (kind === 'dicom') return dicomRequest(args, cwd)
  return maskRequest(args, cwd)
}

async function csvRequest(args: string[], library: LibraryService, cwd: string): Promise<ImportRequest> {
  const { values, positionals } = parseStrict(args, csvOptions)
  const notes: string[] = []
  const { folder, table } = csvLocation(onePositional(positionals, 'FOLDER (or the CSV file)'), values.table, cwd)
  const fileColumn = values['file-column']
  if (!fileColumn) throw new UsageError('give --file-column C: the column naming each image file')
  if (values['label-column'] && values.label) throw new UsageError('give --label-column C or --label CLASS, not both')
  if (!values['label-column'] && !values.label) throw new UsageError('give --label-column C (with --map VALUE=CLASS, --exclude VALUE) or --label CLASS for every image')
  if (values.label && (many(values.map).length || many(values.exclude).length)) throw new UsageError('--map and --exclude map values of --label-column; with --label every image gets that class')
  const delimiter = values.delimiter === undefined ? undefined : DELIMITERS[values.delimiter]
  if (values.delimiter !== undefined && !delimiter) throw new UsageError(`--delimiter must be one of , tab ; |, got '${values.delimiter}'`)

  let label: Extract<ImportSpecInput, { kind: 'csv' }>['label']
  if (values.label) label = { kind: 'fixed', value: values.label }
  else {
    const column = values['label-column']!
    const valueMap = await labelValues(library, table, column, delimiter, many(values.map), many(values.exclude), notes)
    label = valueMap ? { kind: 'column', column, values: valueMap } : { kind: 'column', column }
  }
  const patientChoices = [values['patient-column'] !== undefined, many(values['patient-pattern']).length > 0, values['per-image-patients']].filter(Boolean).length
  if (patientChoices === 0) {
    throw new UsageError('say how images are grouped into patients: --patient-column C, --patient-pattern REGEX (with a (?<patient>…) group) or --per-image-patients')
  }
  if (patientChoices > 1) throw new UsageError('give one of --patient-column, --patient-pattern, --per-image-patients')
  const patient = values['patient-column']
    ? { kind: 'column' as const, column: values['patient-column'] }
    : values['per-image-patients']
      ? { kind: 'per-image' as const }
      : { kind: 'file-name' as const, patterns: many(values['patient-pattern']) }
  const spec: ImportSpecInput = {
    kind: 'csv',
    dataset: datasetTarget(values),
    csvPath: table,
    imageFolder: resolve(folder, values.images ?? '.'),
    fileColumn,
    label,
    patient,
    ...(delimiter ? { delimiter } : {}),
    ...(values['file-suffix'] ? { fileSuffix: values['file-suffix'] } : {}),
    ...(values['view-column'] ? { viewColumn: values['view-column'] } : {}),
    ...(many(values['keep-column']).length ? { keepColumns: many(values['keep-column']) } : {}),
    ...(values['no-pseudonymise'] ? { pseudonymise: false } : {}),
    ...commonChoices(values, cwd),
  }
  return { spec, dryRun: values['dry-run'], json: values.json, notes }
}

async function folderRequest(args: string[], library: LibraryService, cwd: string): Promise<ImportRequest> {
  const { values, positionals } = parseStrict(args, folderOptions)
  const notes: string[] = []
  const rootFolder = resolve(cwd, onePositional(positionals, 'FOLDER'))
  requireFolder(rootFolder, 'FOLDER')
  const patterns = many(values['patient-pattern'])
  if (patterns.length > 0 && values['per-image-patients']) throw new UsageError('give --patient-pattern or --per-image-patients, not both')
  let classes: ClassRule[] | undefined = many(values.class).map(parseClassRule)
  let patient: Extract<ImportSpecInput, { kind: 'folder-per-class' }>['patient'] | undefined = values['per-image-patients']
    ? { kind: 'per-image' }
    : patterns.length > 0
      ? { kind: 'file-name', patterns }
      : undefined
  if (classes.length === 0 || !patient) {
    // The wizard pre-fills both from the scan (Kermany's NORMAL/PNEUMONIA rules and person/IM patterns).
    const scan = await library.scanFolder({ rootFolder })
    const suggested = scan.suggested.kind === 'folder-per-class' ? scan.suggested : undefined
    if (classes.length === 0) {
      classes = suggested?.classes
      notes.push(
        classes
          ? `classes from the folder layout: ${classes.map((rule) => `${rule.folder}${rule.fileNamePattern ? `:${rule.fileNamePattern}` : ''} → ${rule.class ?? '(ignored)'}`).join(', ')}`
          : 'classes: each file gets the name of its own folder',
      )
    }
    if (!patient && suggested?.patient) {
      patient = suggested.patient
      notes.push(`patients from file names: ${suggested.patient.kind === 'file-name' ? suggested.patient.patterns.join('  ') : suggested.patient.kind}`)
    }
  }
  if (!patient) {
    throw new UsageError('say how images are grouped into patients: --patient-pattern REGEX (with a (?<patient>…) group, repeatable) or --per-image-patients')
  }
  const spec: ImportSpecInput = {
    kind: 'folder-per-class',
    dataset: datasetTarget(values),
    rootFolder,
    ...(classes && classes.length ? { classes } : {}),
    patient,
    ...commonChoices(values, cwd),
  }
  return { spec, dryRun: values['dry-run'], json: values.json, notes }
}

function dicomRequest(args: string[], cwd: string): ImportRequest {
  const { values, positionals } = parseStrict(args, dicomOptions)
  const rootFolder = resolve(cwd, onePositional(positionals, 'FOLDER'))
  requireFolder(rootFolder, 'FOLDER')
  if (values.label && values['label-from-folder']) throw new UsageError('give --label VALUE or --label-from-folder, not both')
  if (!values.label && !values['label-from-folder']) throw new UsageError('give --label VALUE (the class of every image) or --label-from-folder')
  const modalities = many(values.modality)
  const spec: ImportSpecInput = {
    kind: 'dicom-folder',
    dataset: datasetTarget(values),
    rootFolder,
    label: values.label ? { kind: 'fixed', value: values.label } : { kind: 'folder' },
    pseudonymise: !values['no-pseudonymise'],
    ...(modalities.length ? { modalities } : {}),
    ...commonChoices(values, cwd),
  }
  return { spec, dryRun: values['dry-run'], json: values.json, notes: [] }
}

function maskRequest(args: string[], cwd: string): ImportRequest {
  const { values, positionals } = parseStrict(args, maskOptions)
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (masks take --folder, --index or --left/--right)`)
  if (!values.dataset) throw new UsageError('give --dataset ID: the dataset whose images the masks belong to')
  const source = maskSource(
    {
      folder: values.folder,
      index: values.index,
      imageColumn: values['image-column'],
      maskColumn: values['mask-column'],
      maskDir: values['mask-dir'],
      left: values.left,
      right: values.right,
      suffixes: many(values.suffix),
    },
    cwd,
    { folder: '--folder', index: '--index', imageColumn: '--image-column', maskColumn: '--mask-column', left: '--left', right: '--right' },
  )
  if (!source) throw new UsageError('give --folder DIR, --index CSV --image-column C --mask-column C, or --left DIR --right DIR')
  const spec: ImportSpecInput = { kind: 'masks', datasetId: values.dataset, source, ...(values.structure ? { structure: values.structure } : {}) }
  return { spec, dryRun: values['dry-run'], json: values.json, notes: [] }
}

interface DatasetFlags {
  id?: string
  name?: string
  notes?: string
}

function datasetTarget(values: DatasetFlags) {
  if (!values.id) throw new UsageError('give --id ID: the dataset to create or extend (letters, digits, . _ -)')
  return { id: values.id, ...(values.name ? { name: values.name } : {}), ...(values.notes ? { description: values.notes } : {}) }
}

interface CommonFlags {
  duplicates?: string
  'no-thumbnails': boolean
  'mask-folder'?: string
  'mask-index'?: string
  'mask-image-column'?: string
  'mask-column'?: string
  'mask-dir'?: string
  'mask-left'?: string
  'mask-right'?: string
  'mask-suffix'?: string[]
}

/** Duplicates policy, thumbnails and masks imported with the images: the choices every image layout shares. */
function commonChoices(values: CommonFlags, cwd: string) {
  if (values.duplicates !== undefined && values.duplicates !== 'keep' && values.duplicates !== 'skip') {
    throw new UsageError(`--duplicates must be keep or skip, got '${values.duplicates}'`)
  }
  const masks = maskSource(
    {
      folder: values['mask-folder'],
      index: values['mask-index'],
      imageColumn: values['mask-image-column'],
      maskColumn: values['mask-column'],
      maskDir: values['mask-dir'],
      left: values['mask-left'],
      right: values['mask-right'],
      suffixes: many(values['mask-suffix']),
    },
    cwd,
    { folder: '--mask-folder', index: '--mask-index', imageColumn: '--mask-image-column', maskColumn: '--mask-column', left: '--mask-left', right: '--mask-right' },
  )
  return {
    ...(values.duplicates ? { duplicates: values.duplicates as 'keep' | 'skip' } : {}),
    ...(values['no-thumbnails'] ? { thumbnails: false } : {}),
    ...(masks ? { masks } : {}),
  }
}

interface MaskFlags {
  folder?: string
  index?: string
  imageColumn?: string
  maskColumn?: string
  maskDir?: string
  left?: string
  right?: string
  suffixes: string[]
}

/** One mask source from its flags, or undefined when none is given; two sources at once is a usage error. */
function maskSource(flags: MaskFlags, cwd: string, names: Record<'folder' | 'index' | 'imageColumn' | 'maskColumn' | 'left' | 'right', string>): MaskSourceInput | undefined {
  const given = [flags.folder !== undefined, flags.index !== undefined, flags.left !== undefined || flags.right !== undefined].filter(Boolean).length
  if (given === 0) {
    if (flags.imageColumn || flags.maskColumn) throw new UsageError(`${names.imageColumn} and ${names.maskColumn} go with ${names.index} CSV`)
    return undefined
  }
  if (given > 1) throw new UsageError(`give one mask source: ${names.folder}, ${names.index} or ${names.left}/${names.right}`)
  const suffixes = flags.suffixes.length ? { suffixes: flags.suffixes } : {}
  if (flags.folder !== undefined) return { kind: 'same-name', folder: resolve(cwd, flags.folder), ...suffixes }
  if (flags.index !== undefined) {
    if (!flags.imageColumn || !flags.maskColumn) throw new UsageError(`${names.index} needs ${names.imageColumn} C and ${names.maskColumn} C`)
    const csvPath = resolve(cwd, flags.index)
    return {
      kind: 'index-csv',
      csvPath,
      imageColumn: flags.imageColumn,
      maskColumn: flags.maskColumn,
      ...(flags.maskDir ? { maskFolder: resolve(dirname(csvPath), flags.maskDir) } : {}),
    }
  }
  if (!flags.left || !flags.right) throw new UsageError(`${names.left} DIR and ${names.right} DIR go together`)
  return { kind: 'left-right', leftFolder: resolve(cwd, flags.left), rightFolder: resolve(cwd, flags.right), ...suffixes }
}

/** `FOLDER=CLASS`, `FOLDER=CLASS:PATTERN`, or `FOLDER=` to ignore the folder. */
function parseClassRule(text: string): ClassRule {
  const [folder, rest] = splitPair('class', text, 'FOLDER=CLASS[:PATTERN] (or FOLDER= to ignore it)')
  const colon = rest.indexOf(':')
  const className = (colon < 0 ? rest : rest.slice(0, colon)).trim()
  const pattern = colon < 0 ? undefined : rest.slice(colon + 1)
  return { folder, class: className === '' ? null : className, ...(pattern ? { fileNamePattern: pattern } : {}) }
}

/**
 * The wizard's label table: every value of the column mapped to itself unless `--map` renames it or
 * `--exclude` leaves its rows out. Undefined when neither flag is given (the raw values are the classes) or the
 * column cannot be read (the import's preview then names the missing file or column).
 */
async function labelValues(
  library: LibraryService,
  table: string,
  column: string,
  delimiter: ',' | '\t' | ';' | '|' | undefined,
  maps: string[],
  excludes: string[],
  notes: string[],
): Promise<Record<string, string | null> | undefined> {
  if (maps.length === 0 && excludes.length === 0) return undefined
  const mapped: Record<string, string | null> = {}
  for (const text of maps) {
    const [value, className] = splitPair('map', text, "VALUE=CLASS (e.g. '1=COVID+')")
    if (className.trim() === '') throw new UsageError(`--map ${text}: the class is empty (use --exclude ${value} to leave those rows out)`)
    mapped[value.trim()] = className.trim()
  }
  for (const value of excludes) {
    if (Object.hasOwn(mapped, value.trim())) throw new UsageError(`value '${value}' is both mapped (--map) and excluded (--exclude)`)
    mapped[value.trim()] = null
  }
  let present: string[]
  try {
    present = (await library.csvColumnValues({ path: table, column, delimiter, limit: 10_000 })).values.map((entry) => entry.value)
  } catch {
    return mapped
  }
  const unknown = Object.keys(mapped).filter((value) => !present.includes(value))
  if (unknown.length) notes.push(`no row of column "${column}" has the value(s) ${unknown.map((v) => `"${v}"`).join(', ')} named by --map/--exclude`)
  // Blank labels stay out of the table: the importer lists those rows as label-missing instead.
  return { ...Object.fromEntries(present.filter((value) => value !== '').map((value) => [value, value])), ...mapped }
}

/** The dataset folder and the table: `FOLDER --table T`, or the CSV itself as the positional argument. */
function csvLocation(given: string, table: string | undefined, cwd: string): { folder: string; table: string } {
  const path = resolve(cwd, given)
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or folder`)
  if (statSync(path).isFile()) {
    if (table) throw new UsageError('give FOLDER --table FILE, or the CSV file alone')
    return { folder: dirname(path), table: path }
  }
  if (table) return { folder: path, table: resolve(path, table) }
  const candidates = readdirSync(path).filter((name) => /^\.(csv|tsv)$/i.test(extname(name)))
  if (candidates.length === 1) return { folder: path, table: join(path, candidates[0]) }
  throw new UsageError(
    candidates.length === 0
      ? `${path} has no CSV/TSV at its top level: give --table FILE`
      : `${basename(path)} has several tables (${candidates.join(', ')}): give --table FILE`,
  )
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`give the ${what}`)
  if (positionals.length > 1) throw new UsageError(`one ${what} at a time, got ${positionals.join(' ')}`)
  return positionals[0]
}

function requireFolder(path: string, what: string): void {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`${what} ${path} is not a folder`)
}
