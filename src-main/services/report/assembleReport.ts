import type { BiasReport, EvaluationRecord, EvaluationSplit } from '@shared/evaluation/types'
import type { StudyService } from '@shared/studies'
import type { EvaluationServiceImpl } from '../evaluation'
import type { RunsServiceImpl } from '../runs/runsService'
import type { ReportInput } from './htmlReport'

/** Which models and test sets a report covers, and whether it computes the (slow) bias section. */
export interface ReportRequest {
  runIds?: string[]
  compositionIds?: string[]
  split: EvaluationSplit
  bias: boolean
  colorBy?: ReportInput['colorBy']
  appVersion: string
  /** Progress lines for the slow part (bias), e.g. to stderr. */
  log?: (line: string) => void
  /** A study to cover: its table, comparisons and alarms, and the matrix of its evaluated runs on its test sets. */
  studyId?: string
}

/**
 * Gathers a report's content from stored evaluations (standard and lungs-removed), the runs' records and, on
 * request, each encoder's bias report. The CLI and the app's "export report" share it, so both say the same.
 */
export async function assembleReport(
  deps: { evaluation: EvaluationServiceImpl; runs: RunsServiceImpl; studies?: Pick<StudyService, 'get' | 'analysis'> },
  request: ReportRequest,
): Promise<ReportInput> {
  const { evaluation, runs } = deps
  let scope: { runIds?: string[]; compositionIds?: string[]; split: EvaluationSplit } = { runIds: request.runIds, compositionIds: request.compositionIds, split: request.split }
  let study: ReportInput['study'] = null
  if (request.studyId) {
    if (!deps.studies) throw new Error('studies are not available here')
    const { record } = await deps.studies.get({ studyId: request.studyId })
    study = await deps.studies.analysis({ studyId: record.id })
    // The study's evaluated runs on its test sets: the matrix, curves and provenance below cover exactly them.
    scope = { runIds: [...new Set(record.evaluations.map((link) => link.runId))], compositionIds: record.testSets.map((set) => set.compositionId), split: 'test' }
  }
  const matrix = await evaluation.matrix({ ...scope, variant: 'standard' })
  const lungsRemoved = await evaluation.matrix({ ...scope, variant: 'lungs-removed' })
  const hasRemoved = lungsRemoved.cells.some((row) => row.some((cell) => cell.evaluationId !== null))
  const evaluations: EvaluationRecord[] = []
  for (const cell of matrix.cells.flat()) if (cell.evaluationId) evaluations.push(await evaluation.get({ evaluationId: cell.evaluationId }))
  const rowIds = new Set(matrix.rows.map((row) => row.runId))
  const runRecords = (await runs.list()).filter((run) => rowIds.has(run.id))
  const bias: BiasReport[] = []
  if (request.bias && matrix.columns.length > 0) {
    // Fig. 3 needs encoder features on every test set: the only part of the report that computes (slow).
    for (const row of matrix.rows) {
      request.log?.(`bias report of ${row.runId}…`)
      bias.push(await evaluation.bias({ runId: row.runId, compositionIds: matrix.columns.map((column) => column.compositionId), split: request.split, limit: 300 }))
    }
  }
  return {
    generatedAt: new Date().toISOString(),
    appVersion: request.appVersion,
    matrix,
    lungsRemoved: hasRemoved ? lungsRemoved : null,
    evaluations,
    runs: runRecords,
    bias,
    colorBy: request.colorBy,
    ...(study ? { study, title: `Study: ${study.name}` } : {}),
  }
}
