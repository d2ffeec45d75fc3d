import type { BiasReport, EvaluationRecord, EvaluationSplit } from '@shared/evaluation/types'
import type { StudyService } from '@shared/studies'
import type { EvaluationServiceImpl } from '../evaluation'
import type { RunsServiceImpl } from '../runs/runsService'
import { collectGradCamExamples, type GradCamExampleDeps } from './gradCamExamples'
import type { ReportInput } from './htmlReport'

/** Which models and test sets a report covers, and whether it computes the slow figures (t-SNE, Grad-CAM). */
export interface ReportRequest {
  runIds?: string[]
  compositionIds?: string[]
  split: EvaluationSplit
  /** Fig. 3's t-SNE maps and dataset probes, per model. */
  bias: boolean
  /** Grad-CAM examples per model (needs `reportFigures` among the dependencies). */
  gradCam: boolean
  colorBy?: ReportInput['colorBy']
  appVersion: string
  /** Progress lines for the slow parts (t-SNE, Grad-CAM), e.g. to stderr. */
  log?: (line: string) => void
  /** Grad-CAM passes done out of all, for a progress display. */
  onGradCamProgress?: (done: number, total: number) => void
  /** A study to cover: its table, comparisons and alarms, and the matrix of its evaluated runs on its test sets. */
  studyId?: string
}

/**
 * Gathers a report's content from stored evaluations (standard and lungs-removed), the runs' records and, on
 * request, each encoder's bias report. The CLI and the app's "export report" share it, so both say the same.
 */
export async function assembleReport(
  deps: { evaluation: EvaluationServiceImpl; runs: RunsServiceImpl; studies?: Pick<StudyService, 'get' | 'analysis'>; reportFigures?: GradCamExampleDeps },
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
    for (const [index, row] of matrix.rows.entries()) {
      request.log?.(`t-SNE map of ${row.name || row.runId} (${index + 1} of ${matrix.rows.length})…`)
      bias.push(await evaluation.bias({ runId: row.runId, compositionIds: matrix.columns.map((column) => column.compositionId), split: request.split, limit: 300 }))
    }
  }
  let gradCam: ReportInput['gradCam'] = null
  if (request.gradCam) {
    if (!deps.reportFigures) throw new Error('Grad-CAM examples are not available here')
    gradCam = await collectGradCamExamples(deps.reportFigures, {
      matrix,
      evaluations,
      onProgress: (done, total) => {
        if (done < total) request.log?.(`Grad-CAM ${done + 1} of ${total}…`)
        request.onGradCamProgress?.(done, total)
      },
    })
  }
  return {
    generatedAt: new Date().toISOString(),
    appVersion: request.appVersion,
    matrix,
    lungsRemoved: hasRemoved ? lungsRemoved : null,
    evaluations,
    runs: runRecords,
    bias,
    gradCam,
    colorBy: request.colorBy,
    ...(study ? { study, title: `Study: ${study.name}` } : {}),
  }
}
