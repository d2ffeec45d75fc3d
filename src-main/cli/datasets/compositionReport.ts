import { isTestOnly, paperTableView } from '@shared/datasets'
import type { LeakageReport } from '@shared/datasets/leakage'
import type { Composition, CountTable } from '@shared/datasets/types'
import type { CompositionSummary } from '@shared/library/summaries'
import { formatCounts, formatTable, type TableColumn } from './format'

/** Leak entries printed in text; `--json` has them all. */
const TEXT_LEAK_LIMIT = 20

/** What `cxr compose` says besides the composition itself. */
export interface CompositionNotes {
  /** Which dataset played which paper role (presets). */
  roles?: Record<string, string>
  /** Where it came from when not built here (`--import FILE`, `--load ID`). */
  origin?: string
  /** Lines to add after the tables (a rebuilt import's count check). */
  extra?: string[]
  /** Each dataset's labels in the library: the mapping is printed for these only (a preset's vocabulary is wider). */
  labels?: Record<string, string[]>
}

/**
 * A composition as text: its recipe, Table I's view (train includes validation, as the paper counts it), the
 * three splits, what was left out and why, warnings, and the leakage check, last because it decides the exit code.
 * @param composition the composition.
 * @param leakage its leakage check.
 * @param notes roles, origin and extra lines.
 */
export function formatComposition(composition: Composition, leakage: LeakageReport, notes: CompositionNotes = {}): string {
  const { spec } = composition
  const lines: string[] = []
  lines.push(
    `Composition "${spec.name}"${notes.origin ? ` (${notes.origin})` : ''}: seed ${composition.seed}, ${composition.algorithm}, balance ${spec.balance}, ` +
      (isTestOnly(spec) ? 'test-only (an external test set: every image is test)' : `test ${percent(spec.testFraction)}, validation ${percent(spec.validationFraction)} of the rest`),
  )
  if (spec.disjointFrom?.length) lines.push(`  kept apart from the patients and images of composition(s): ${spec.disjointFrom.join(', ')}`)
  if (notes.roles && Object.keys(notes.roles).length) lines.push(`  roles: ${Object.entries(notes.roles).map(([role, id]) => `${role} = ${id}`).join(', ')}`)
  lines.push(`  primary: ${spec.primary.join(', ')}${spec.borrow.length ? `; borrowing COVID− from: ${spec.borrow.join(', ')}` : ''}`)
  for (const [datasetId, mapping] of Object.entries(spec.labelMapping)) {
    const present = notes.labels?.[datasetId]
    const used = Object.entries(mapping).filter(([label]) => !present || present.includes(label))
    lines.push(`  labels of ${datasetId}: ${used.map(([label, target]) => `${label} → ${targetName(target)}`).join(', ') || '(none)'}`)
  }
  for (const [datasetId, views] of Object.entries(spec.views ?? {})) lines.push(`  views kept in ${datasetId}: ${views.join(', ')}`)
  for (const [datasetId, policy] of Object.entries(spec.testPolicy ?? {})) {
    lines.push(`  test set of ${datasetId}: ${policy.kind === 'count' ? `${policy.positive} COVID+ and ${policy.negative} COVID− drawn by patient` : `${policy.contentHashes.length} listed images`}`)
  }
  lines.push('', 'Table I view (train = training + validation):', formatCountTable(paperTableView(composition.counts), spec.borrow, false))
  lines.push('Splits:', formatCountTable(composition.counts, spec.borrow, true))
  const reasons: Record<string, number> = {}
  for (const image of composition.excluded) reasons[image.reason] = (reasons[image.reason] ?? 0) + 1
  lines.push(`excluded: ${composition.excluded.length} image(s)${composition.excluded.length ? ` (${formatCounts(reasons)})` : ''}`)
  for (const warning of composition.warnings) lines.push(`warning: ${warning}`)
  for (const duplicate of leakage.duplicatesWithinSplit.slice(0, TEXT_LEAK_LIMIT)) {
    lines.push(`warning: identical content twice in ${duplicate.split}: ${duplicate.imageIds.join(', ')} (counts twice, not a leak)`)
  }
  for (const line of notes.extra ?? []) lines.push(line)
  lines.push(formatLeakage(composition, leakage))
  return `${lines.join('\n')}\n`
}

/**
 * The leakage verdict in one line, then each offending patient and image when it fails.
 * @param composition the checked composition.
 * @param leakage its check.
 */
export function formatLeakage(composition: Composition, leakage: LeakageReport): string {
  const patients = new Set(composition.assignments.map((a) => `${a.datasetId}\u0000${a.patientId}`)).size
  if (leakage.ok) {
    return `leakage check passed: no patient and no identical image on two sides of a split (${patients} patients, ${composition.assignments.length} images)`
  }
  const lines = [
    `leakage check FAILED: ${leakage.patientOverlaps.length} patient(s) and ${leakage.duplicateImages.length} identical image(s) on two sides of a split`,
    ...leakage.patientOverlaps.slice(0, TEXT_LEAK_LIMIT).map((p) => `  patient ${p.datasetId}/${p.patientId} in ${p.splits.join(' and ')}`),
    ...leakage.duplicateImages.slice(0, TEXT_LEAK_LIMIT).map((d) => `  image ${d.contentHash.slice(0, 16)}… in ${d.splits.join(' and ')}: ${d.imageIds.join(', ')}`),
  ]
  const more = leakage.patientOverlaps.length + leakage.duplicateImages.length - 2 * TEXT_LEAK_LIMIT
  if (more > 0) lines.push(`  … and more (--json lists them all)`)
  return lines.join('\n')
}

/**
 * Table I's layout: a row per split, a COVID+ / COVID− pair per source dataset, then the totals.
 * @param table the counts.
 * @param borrowed datasets lending COVID− (marked, as Table I separates them).
 * @param withTotalRow add the row over all splits.
 */
export function formatCountTable(table: CountTable, borrowed: readonly string[], withTotalRow: boolean): string {
  const columns: TableColumn[] = [{ header: 'split' }]
  for (const id of table.datasetIds) {
    const title = borrowed.includes(id) ? `${id} (borrowed)` : id
    columns.push({ header: 'COVID+', numeric: true, group: title }, { header: 'COVID−', numeric: true, group: title })
  }
  columns.push({ header: 'COVID+', numeric: true, group: 'total' }, { header: 'COVID−', numeric: true, group: 'total' })
  const rows = [...table.rows, ...(withTotalRow ? [table.total] : [])].map((row) => [
    row.split,
    ...table.datasetIds.flatMap((id) => [String(row.byDataset[id]?.positive ?? 0), String(row.byDataset[id]?.negative ?? 0)]),
    String(row.total.positive),
    String(row.total.negative),
  ])
  return formatTable(columns, rows, '  ')
}

/**
 * Saved compositions as a table.
 * @param summaries the library's list.
 */
export function formatCompositionList(summaries: CompositionSummary[]): string {
  if (summaries.length === 0) return 'No saved compositions: build one with cxr compose … --save NAME\n'
  return formatTable(
    [
      { header: 'id' },
      { header: 'name' },
      { header: 'recipe' },
      { header: 'seed', numeric: true },
      { header: 'images', numeric: true },
      { header: 'excluded', numeric: true },
      { header: 'datasets' },
      { header: 'created' },
    ],
    summaries.map((s) => [s.id.slice(0, 8), s.name, s.specName, String(s.seed), String(s.assignedCount), String(s.excludedCount), s.datasetIds.join(', '), s.createdAt]),
  )
}

function targetName(target: string): string {
  return target === 'positive' ? 'COVID+' : target === 'negative' ? 'COVID−' : 'excluded'
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`
}
