import { SPLITS } from './types'
import type { ClassCounts, CountRow, CountTable, ImageAssignment } from './types'

/**
 * Count a composition the way Table I does: one row per split, one column pair (COVID+, COVID−) per source
 * dataset, a total column, and a total row over all splits.
 * @param assignments where each image went.
 * @param datasetIds column order (primary datasets, then borrow datasets); datasets seen only in the
 *   assignments are appended alphabetically.
 */
export function countComposition(assignments: readonly ImageAssignment[], datasetIds: readonly string[]): CountTable {
  const columns = [...datasetIds]
  for (const id of [...new Set(assignments.map((assignment) => assignment.datasetId))].sort()) {
    if (!columns.includes(id)) columns.push(id)
  }
  const emptyRow = (split: string): CountRow => ({
    split,
    byDataset: Object.fromEntries(columns.map((id) => [id, { positive: 0, negative: 0 }])),
    total: { positive: 0, negative: 0 },
  })
  const rows = SPLITS.map((split) => emptyRow(split))
  const total = emptyRow('all')
  for (const assignment of assignments) {
    const row = rows[SPLITS.indexOf(assignment.split)]
    for (const target of [row, total]) {
      target.byDataset[assignment.datasetId][assignment.binaryLabel] += 1
      target.total[assignment.binaryLabel] += 1
    }
  }
  return { datasetIds: columns, rows, total }
}

/**
 * Table I's own convention: its "train" row counts the training data before the 80/20 validation split
 * (balanced training set + validation set), e.g. CORDA 126 COVID+ = 84 training + 42 validation. This view
 * merges the two rows so a composition can be compared with the paper cell by cell.
 * @param table a count table from {@link countComposition}.
 */
export function paperTableView(table: CountTable): CountTable {
  const find = (split: string) => table.rows.find((row) => row.split === split)
  const add = (a: ClassCounts, b: ClassCounts): ClassCounts => ({ positive: a.positive + b.positive, negative: a.negative + b.negative })
  const zero: ClassCounts = { positive: 0, negative: 0 }
  const train = find('train')
  const validation = find('validation')
  const test = find('test')
  const merged: CountRow = {
    split: 'train',
    byDataset: Object.fromEntries(
      table.datasetIds.map((id) => [id, add(train?.byDataset[id] ?? zero, validation?.byDataset[id] ?? zero)]),
    ),
    total: add(train?.total ?? zero, validation?.total ?? zero),
  }
  return {
    datasetIds: table.datasetIds,
    rows: [merged, test ?? { split: 'test', byDataset: {}, total: zero }],
    total: table.total,
  }
}
