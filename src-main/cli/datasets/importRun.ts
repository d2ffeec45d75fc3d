import type { ImportProgress, ImportReport } from '@shared/library/jobs'
import type { DatasetSummary, ImportPreview } from '@shared/library/summaries'
import type { LibraryService } from '@shared/library/types'
import type { CliIo } from '../command'
import { formatCounts, formatDuration, formatIssue, formatTable } from './format'

/** Issues printed in text mode; `--json` carries all of them. */
const TEXT_ISSUE_LIMIT = 50

/** At most one progress line per this many ms: enough to see it move, few enough to read in a log. */
const PROGRESS_INTERVAL_MS = 1000

/** What a finished (or stopped) run of a job gives back. */
export interface JobOutcome {
  report: ImportReport
  /** True when the user pressed Ctrl-C. */
  cancelledByUser: boolean
}

/**
 * Run an import job to its end with progress on stderr (files, rate, ETA) and Ctrl-C wired to the library's
 * cancel: the files in flight finish and are committed, the rest stay pending, and `cxr import --resume JOB`
 * continues. A second Ctrl-C stops the process at once; the job is then found `interrupted` (its process gone)
 * and is just as resumable, because every committed batch is whole.
 * @param library the library service.
 * @param start starts (or resumes) the job and returns its id.
 * @param io where progress goes.
 */
export async function runJobWithProgress(library: LibraryService, start: () => Promise<{ jobId: string }>, io: CliIo): Promise<JobOutcome> {
  let jobId: string | undefined
  let cancelRequested = false
  let lastPrinted = -Infinity
  const onSigint = () => {
    if (cancelRequested) {
      io.stderr(`\ncxr import: stopped; continue with: cxr import --resume ${jobId ?? '(see cxr datasets)'}\n`)
      process.exit(130)
    }
    cancelRequested = true
    io.stderr('\ncxr import: cancelling after the files in flight (Ctrl-C again to stop at once)…\n')
    if (jobId) void library.cancelImport({ jobId }).catch(() => undefined)
  }
  const unsubscribe = library.onDidProgress((progress) => {
    if (progress.jobId !== jobId || progress.status !== 'running') return
    const now = performance.now()
    if (now - lastPrinted < PROGRESS_INTERVAL_MS && progress.done < progress.total) return
    lastPrinted = now
    io.stderr(`${formatProgress(progress)}\n`)
  })
  process.on('SIGINT', onSigint)
  try {
    jobId = (await start()).jobId
    const summary = await library.getImportJob({ jobId })
    const files = summary.images.planned + summary.masks.planned
    const pending = summary.images.pending + summary.masks.pending
    io.stderr(`cxr import: job ${jobId}: ${pending === files ? files : `${pending} of ${files}`} file(s) into "${summary.datasetId}"; Ctrl-C cancels (resumable)\n`)
    // Ctrl-C during planning arrives before the job exists: honour it now that it does.
    if (cancelRequested) await library.cancelImport({ jobId })
    await library.waitForImport({ jobId })
    const report = await library.getImportReport({ jobId, issueLimit: 100_000 })
    return { report, cancelledByUser: cancelRequested }
  } finally {
    process.off('SIGINT', onSigint)
    unsubscribe()
  }
}

/** `importing: 64/258 files, 1 failed, 41.3 files/s, ETA 5 s`. */
export function formatProgress(progress: ImportProgress): string {
  const eta = progress.etaSeconds === null ? 'ETA ?' : `ETA ${formatDuration(progress.etaSeconds)}`
  return `cxr import: ${progress.phase === 'masks' ? 'masks' : 'images'} ${progress.done}/${progress.total} files, ${progress.failed} failed, ${progress.ratePerSecond.toFixed(1)} files/s, ${eta}`
}

/**
 * The report: how the job ended, counts, what it added per class, the dataset as it now is, and every skipped or
 * failed file with its reason (the first {@link TEXT_ISSUE_LIMIT} in text).
 * @param report the job's report.
 * @param dataset the dataset after the job, when it exists.
 */
export function formatReport(report: ImportReport, dataset: DatasetSummary | undefined): string {
  const lines: string[] = []
  const took = report.durationSeconds !== undefined ? ` in ${formatDuration(report.durationSeconds)}` : ''
  lines.push(`Import ${report.jobId} (${report.kind} into "${report.datasetId}"): ${report.status}${took}`)
  const counts = (c: ImportReport['images']) => `${c.planned} planned, ${c.imported} imported, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed, ${c.pending} pending`
  if (report.images.planned > 0 || report.masks.planned === 0) lines.push(`  images: ${counts(report.images)}`)
  if (report.masks.planned > 0) lines.push(`  masks:  ${counts(report.masks)}`)
  if (Object.keys(report.importedByClass).length) lines.push(`  imported by class: ${formatCounts(report.importedByClass)}`)
  if (report.error) lines.push(`  error: ${report.error}`)
  if (dataset) {
    lines.push(
      `  dataset "${dataset.id}" now: ${dataset.imageCount} images, ${dataset.patientCount} patients, ${dataset.maskCount} masks; classes ${formatCounts(dataset.classCounts)}; views ${formatCounts(dataset.viewCounts)}`,
    )
  }
  lines.push(...formatIssues(report.issueCount, report.issueCounts, report.issues))
  if (report.resumable) lines.push(`Continue with: cxr import --resume ${report.jobId}`)
  return `${lines.join('\n')}\n`
}

/**
 * The dry run: what the import would do, then its blocking problems, so the last thing on screen is what stops it.
 * @param preview the library's preview.
 */
export function formatPreview(preview: ImportPreview): string {
  const lines: string[] = [`Dry run (nothing written): ${preview.kind} import into ${preview.datasetExists ? 'existing' : 'new'} dataset "${preview.datasetId}"`]
  lines.push(`  images: ${preview.imageCount}, masks: ${preview.maskCount}, patients: ${preview.kind === 'dicom-folder' && !preview.dicom ? '(from the headers)' : preview.patientCount}`)
  if (Object.keys(preview.classCounts).length) lines.push(`  classes: ${formatCounts(preview.classCounts)}`)
  if (Object.keys(preview.viewCounts).length) lines.push(`  views: ${formatCounts(preview.viewCounts)}`)
  if (preview.dicom) {
    const d = preview.dicom
    lines.push(`  DICOM headers: modalities ${formatCounts(d.modalities)}; ${d.patients} patients, ${d.studies} studies, ${d.withoutPatientId} without Patient ID`)
  }
  if (preview.folders?.length) {
    lines.push('  folders:')
    lines.push(
      formatTable(
        [{ header: 'folder' }, { header: 'files', numeric: true }, { header: 'class' }],
        preview.folders.map((f) => [f.folder || '.', String(f.files), f.class ?? '(ignored)']),
        '    ',
      ).trimEnd(),
    )
  }
  if (preview.sample.length) {
    lines.push('  first images:')
    lines.push(
      formatTable(
        [{ header: 'image' }, { header: 'label' }, { header: 'patient' }, { header: 'view' }],
        preview.sample.slice(0, 5).map((s) => [s.imageId, s.label, s.patientId ?? '', s.view ?? '']),
        '    ',
      ).trimEnd(),
    )
  }
  const issueTotal = Object.values(preview.issueCounts).reduce((sum, n) => sum + n, 0)
  lines.push(...formatIssues(issueTotal, preview.issueCounts, preview.issues))
  if (preview.blocking.length) {
    lines.push(`Blocking problems (${preview.blocking.length}): the import cannot start until they are fixed`)
    for (const issue of preview.blocking) lines.push(`  ${formatIssue(issue)}`)
  } else {
    lines.push('No blocking problems: run the same command without --dry-run to import.')
  }
  return `${lines.join('\n')}\n`
}

function formatIssues(total: number, counts: Record<string, number>, issues: ImportReport['issues']): string[] {
  if (total === 0) return ['  issues: none']
  const lines = [`  issues: ${total} (${formatCounts(counts)})`]
  for (const issue of issues.slice(0, TEXT_ISSUE_LIMIT)) lines.push(`    ${formatIssue(issue)}`)
  if (total > Math.min(issues.length, TEXT_ISSUE_LIMIT)) lines.push(`    … ${total - Math.min(issues.length, TEXT_ISSUE_LIMIT)} more (--json lists them all)`)
  return lines
}
