import type { DatasetSummary } from '@shared/library/summaries'
import { UsageError, type CliCommand } from '../command'
import { parseStrict } from '../datasets/args'
import { formatCounts, formatTable } from '../datasets/format'

/** `cxr datasets`: the library's datasets with their counts by class, patients, views and masks. */
export const datasetsCommand: CliCommand = {
  name: 'datasets',
  summary: 'list the stored datasets with counts by class, patients, views and masks (or --json)',
  usage: 'cxr datasets [--json]',
  async run(args, { io, services }) {
    const { values, positionals } = parseStrict(args, { json: { type: 'boolean', default: false } })
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
    const { library, dataFolder } = services()
    try {
      const datasets = await library.listDatasets()
      io.stdout(values.json ? `${JSON.stringify(datasets, null, 2)}\n` : formatDatasets(datasets, dataFolder))
      return 0
    } finally {
      // The CLI builds the services for one command: closing releases the database before the process ends.
      await library.close()
    }
  },
}

/**
 * The datasets as a table, then per dataset what the table cannot show: duplicates, pseudonyms, an import
 * left unfinished (with the command that resumes it).
 * @param datasets the library's summaries.
 * @param dataFolder where they live, so the user knows which library they are looking at.
 */
export function formatDatasets(datasets: DatasetSummary[], dataFolder: string): string {
  if (datasets.length === 0) return `No datasets in ${dataFolder} yet: add one with 'cxr import csv|folders|dicom …' (see cxr import --help).\n`
  const rows = datasets.map((d) => [d.id, d.name, d.sourceKind, String(d.imageCount), String(d.patientCount), String(d.maskCount), formatCounts(d.classCounts), formatCounts(d.viewCounts)])
  const table = formatTable(
    [
      { header: 'id' },
      { header: 'name' },
      { header: 'source' },
      { header: 'images', numeric: true },
      { header: 'patients', numeric: true },
      { header: 'masks', numeric: true },
      { header: 'classes' },
      { header: 'views' },
    ],
    rows,
  )
  const notes: string[] = []
  for (const d of datasets) {
    if (d.duplicateContentCount > 0) notes.push(`${d.id}: ${d.duplicateContentCount} images share their content with another image of the dataset (kept copies)`)
    if (d.pseudonymised) notes.push(`${d.id}: patient ids are pseudonyms of the source's patient ids`)
    if (d.lastImport && d.lastImport.status !== 'completed') {
      notes.push(`${d.id}: last import ${d.lastImport.status}; continue it with: cxr import --resume ${d.lastImport.jobId}`)
    }
  }
  const header = `${datasets.length} dataset${datasets.length === 1 ? '' : 's'} in ${dataFolder}\n\n`
  return `${header}${table}${notes.length ? `\n${notes.join('\n')}\n` : ''}`
}
