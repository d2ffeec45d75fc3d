import { readFile, stat } from 'node:fs/promises'
import { ImportSpecSchema, isLibraryError, type ImportSpec } from '@shared/library'
import type { LibraryService } from '@shared/library/types'
import { specPaths } from '../../app/libraryHandlers'
import type { FilesService } from '../../services/files/filesService'
import { UsageError, type CliCommand, type CliIo } from '../command'
import { parseStrict } from '../datasets/args'
import { formatIssue } from '../datasets/format'
import { IMPORT_KINDS, importRequestFromArgs, type ImportRequest } from '../datasets/importSpecFromArgs'
import { formatPreview, formatReport, runJobWithProgress } from '../datasets/importRun'
import { parseJsonText } from '@shared/files/jsonText'

const USAGE = `cxr import csv FOLDER|FILE.csv [--table T.csv] --file-column C (--label-column C [--map VALUE=CLASS …] [--exclude VALUE …] | --label CLASS)
                  (--patient-column C | --patient-pattern REGEX … | --per-image-patients) [--view-column C] [--images DIR]
                  [--delimiter ,|tab|;|'|'] [--file-suffix .dcm] [--keep-column C …] [--no-pseudonymise] COMMON
       cxr import folders FOLDER [--class FOLDER=CLASS[:PATTERN] …] [--patient-pattern REGEX … | --per-image-patients] COMMON
       cxr import dicom FOLDER (--label CLASS | --label-from-folder) [--no-pseudonymise] [--modality CR …] COMMON
       cxr import masks --dataset ID (--folder DIR | --index CSV --image-column C --mask-column C [--mask-dir DIR] | --left DIR --right DIR)
                  [--suffix _mask …] [--structure lungs] [--dry-run] [--json]
       cxr import --spec SPEC.json [--dry-run] [--json]
       cxr import --resume JOB [--json]
COMMON: --id ID [--name NAME] [--notes TEXT] [--duplicates keep|skip] [--no-thumbnails] [--dry-run] [--json]
        [--mask-folder DIR | --mask-index CSV --mask-image-column C --mask-column C [--mask-dir DIR] | --mask-left DIR --mask-right DIR] [--mask-suffix S …]
Without --class, folders takes the layout's suggestion (Kermany's NORMAL/PNEUMONIA rules), else each folder's name.
With --map, unmapped values keep their own name as class; --exclude leaves those rows out. Patient ids from a
column or a DICOM header are stored as pseudonyms (--no-pseudonymise keeps them as they are); a table's other
columns are kept only when named with --keep-column.
--dry-run prints what would be imported and every blocking problem, writing nothing. Exit: 0 done, 1 blocked or
failed, 2 usage, 130 cancelled with Ctrl-C (resumable with --resume).`

/**
 * `cxr import`: the import wizard from a terminal. Builds the same spec the wizard does (or reads one with
 * `--spec`), previews it (`--dry-run`) or runs it as a resumable job with progress on stderr, then prints the
 * job's report.
 */
export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import a dataset (csv, folders, dicom) or masks as a resumable job; --dry-run previews it',
  usage: USAGE,
  async run(args, { io, services }) {
    const first = args[0]
    if (first === undefined) throw new UsageError(`give a layout (${IMPORT_KINDS.join(', ')}), --spec FILE or --resume JOB`)
    const { library, files } = services()
    try {
      if ((IMPORT_KINDS as readonly string[]).includes(first)) {
        const request = await importRequestFromArgs(first as (typeof IMPORT_KINDS)[number], args.slice(1), library)
        const parsed = ImportSpecSchema.safeParse(request.spec)
        if (!parsed.success) throw new UsageError(schemaProblems(parsed.error.issues).join('; '))
        return await runImport(library, files, parsed.data, request, io)
      }
      const { values, positionals } = parseStrict(args, {
        spec: { type: 'string' },
        resume: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      })
      if (positionals.length > 0) throw new UsageError(`unknown layout '${positionals[0]}'; layouts: ${IMPORT_KINDS.join(', ')}`)
      if (values.spec && values.resume) throw new UsageError('give --spec FILE or --resume JOB, not both')
      if (values.resume) {
        if (values['dry-run']) throw new UsageError('--dry-run previews a new import; a resumed job has its plan already')
        return await resumeImport(library, values.resume, values.json, io)
      }
      if (!values.spec) throw new UsageError(`give a layout (${IMPORT_KINDS.join(', ')}), --spec FILE or --resume JOB`)
      const spec = await readSpecFile(values.spec, io)
      if (!spec) return 1
      return await runImport(library, files, spec, { spec, dryRun: values['dry-run'], json: values.json, notes: [] }, io)
    } finally {
      // The job has ended (or was never started); closing releases the database before the process ends.
      await library.close()
    }
  },
}

async function runImport(library: LibraryService, files: FilesService, spec: ImportSpec, request: ImportRequest, io: CliIo): Promise<number> {
  for (const note of request.notes) io.stderr(`cxr import: ${note}\n`)
  if (request.dryRun) {
    const preview = await library.previewImport({ spec, sampleSize: 20 })
    io.stdout(request.json ? `${JSON.stringify({ spec, preview }, null, 2)}\n` : formatPreview(preview))
    return preview.blocking.length > 0 ? 1 : 0
  }
  let outcome
  try {
    outcome = await runJobWithProgress(library, () => library.startImport({ spec }), io)
  } catch (error) {
    if (isLibraryError(error) && error.code === 'import-blocked') {
      if (request.json) io.stdout(`${JSON.stringify({ status: 'blocked', spec, blocking: error.issues }, null, 2)}\n`)
      io.stderr(`cxr import: nothing was imported; ${error.issues.length} blocking problem(s):\n${error.issues.map((issue) => `  ${formatIssue(issue)}\n`).join('')}`)
      return 1
    }
    throw error
  }
  // A terminal user named these folders: the desktop app may then show the imported images (house rule 10).
  await grantSourceFolders(files, spec)
  return finish(library, outcome.report, outcome.cancelledByUser, request.json, io)
}

async function resumeImport(library: LibraryService, given: string, json: boolean, io: CliIo): Promise<number> {
  const jobId = await resolveJobId(library, given)
  const outcome = await runJobWithProgress(library, () => library.resumeImport({ jobId }), io)
  return finish(library, outcome.report, outcome.cancelledByUser, json, io)
}

async function finish(library: LibraryService, report: Awaited<ReturnType<LibraryService['getImportReport']>>, cancelledByUser: boolean, json: boolean, io: CliIo): Promise<number> {
  const dataset = await library.getDataset({ datasetId: report.datasetId }).catch(() => undefined)
  io.stdout(json ? `${JSON.stringify({ ...report, dataset }, null, 2)}\n` : formatReport(report, dataset))
  if (report.status === 'completed') {
    const failed = report.images.failed + report.masks.failed
    if (failed > 0) io.stderr(`cxr import: ${failed} file(s) failed; the report lists each with its reason\n`)
    return 0
  }
  if (report.status === 'cancelled' && cancelledByUser) return 130
  return 1
}

/** A full job id, or a unique prefix of one (ids are UUIDs; the first 8 characters are what people copy). */
async function resolveJobId(library: LibraryService, given: string): Promise<string> {
  const jobs = await library.listImportJobs()
  const exact = jobs.find((job) => job.jobId === given)
  if (exact) return exact.jobId
  const matches = jobs.filter((job) => job.jobId.startsWith(given))
  if (matches.length === 1) return matches[0].jobId
  if (matches.length > 1) throw new UsageError(`job id '${given}' matches ${matches.length} jobs; give more characters`)
  const unfinished = jobs.filter((job) => job.resumable).map((job) => `${job.jobId} (${job.datasetId}, ${job.status})`)
  throw new Error(`no import job '${given}'${unfinished.length ? `; resumable jobs: ${unfinished.join(', ')}` : '; no job is waiting to be resumed'}`)
}

/** Reads `--spec FILE.json`; prints what is wrong with it (naming each field) and returns undefined if anything is. */
async function readSpecFile(path: string, io: CliIo): Promise<ImportSpec | undefined> {
  let data: unknown
  try {
    data = parseJsonText(await readFile(path, 'utf8'), path)
  } catch (error) {
    io.stderr(`cxr import: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? `${path}: file not found` : (error as Error).message}\n`)
    return undefined
  }
  const parsed = ImportSpecSchema.safeParse(data)
  if (!parsed.success) {
    io.stderr(`cxr import: ${path} is not an import spec:\n${schemaProblems(parsed.error.issues).map((p) => `  ${p}\n`).join('')}`)
    return undefined
  }
  return parsed.data
}

function schemaProblems(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string[] {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(spec)'}: ${issue.message}`)
}

/** Grants the folders the spec reads (files' folders are not granted: the image and mask folders are what the app opens). */
async function grantSourceFolders(files: FilesService, spec: ImportSpec): Promise<void> {
  for (const [, path] of specPaths(spec)) {
    const info = await stat(path).catch(() => undefined)
    if (info?.isDirectory()) await files.grantChosenFolder(path).catch(() => undefined)
  }
}
