import { SEED_POOLING_NOTE } from '../evaluation/seedAggregation'
import type { StudyAnalysis } from './analysisTypes'
import { studyComparisons } from './comparisons'
import type { StudyRecord } from './record'
import type { EvaluationLookup } from './scoredSets'
import { studyAlarms } from './studyAlarms'
import { buildStudyTable } from './table'

/** How the numbers of a study are made, for the page and the report. */
export const STUDY_METHODS = [
  `Cells: ${SEED_POOLING_NOTE}; ± is the standard deviation over seeds (the seed-to-seed variability of training).`,
  'Comparisons: within each test set, cells that differ in one factor; the first level of each factor is the reference. With several seeds, the difference of the seed means with a paired patient bootstrap (the same resamples for every run); with one run per cell, DeLong’s test for AUC and McNemar’s test for accuracy, sensitivity and specificity at the threshold.',
  'Every comparison of the study is one family: p-values are Holm-corrected together, and “no evidence of a difference” is never “no difference” (the interval says which differences the data allow).',
  'Paper: the numbers of Tables II–IV (Tartaglione et al. 2020) where the study names the paper’s datasets for the row and the test set; one training each, full preprocessing at 224 px.',
]

/**
 * The study's table (mean ± SD over seeds with intervals and the paper's numbers), its comparisons with verdicts
 * and its alarms with evidence, from its record and its stored evaluations (with per-image predictions).
 */
export function analyseStudy(record: StudyRecord, lookup: EvaluationLookup): StudyAnalysis {
  const table = buildStudyTable(record, lookup)
  return {
    studyId: record.id,
    name: record.spec.name,
    rows: record.cells.map((cell) => ({
      cellKey: cell.key,
      label: cell.label,
      architecture: cell.architecture,
      preprocessing: cell.preprocessing,
      pretraining: cell.pretrainingLabel,
      compositionId: cell.compositionId,
      compositionName: cell.compositionName,
    })),
    columns: record.testSets.map((set) => ({ compositionId: set.compositionId, name: set.name, testOnly: set.testOnly, paper: set.paper })),
    cells: table.cells,
    comparisons: studyComparisons(record, table.scored),
    alarms: studyAlarms(record, table.cells, table.scored),
    methods: STUDY_METHODS,
  }
}
