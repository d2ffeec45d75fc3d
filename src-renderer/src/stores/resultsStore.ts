import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { BiasReport, EvaluationMatrix, EvaluationRecord, EvaluationVariant } from '@shared/evaluation/types'
import { useApi } from '../api/client'
import { downloadFile } from '../api/download'
import { reportBusyLabel, reportFigures } from '../api/reportRequest'
import { useAsyncAction } from '../composables/useAsyncAction'
import { formatDuration } from '@shared/studies/estimate'

/** The Results page: the cross-dataset matrix, one evaluation in detail, and the bias report of a run. */
export const useResultsStore = defineStore('results', () => {
  const variant = ref<EvaluationVariant>('standard')
  const matrix = shallowRef<EvaluationMatrix | null>(null)
  const detail = shallowRef<EvaluationRecord | null>(null)
  const bias = shallowRef<BiasReport | null>(null)
  // The page shows what it is waiting for, so busy is the running action's label rather than a flag.
  const { activity: busy, error, run } = useAsyncAction()

  /** Every saved composition is a test set: Table II tests each model on all of them, not only its own. */
  async function testSets(): Promise<string[]> {
    return (await useApi().api.compositions.list({})).map((c) => c.id)
  }

  let latest = 0
  /** Only the newest request may set the matrix: a slow plain load must not overwrite freshly computed cells. */
  async function loadMatrix(computeMissing: boolean): Promise<void> {
    const request = ++latest
    const next = await useApi().api.evaluation.matrix({ split: 'test', variant: variant.value, compositionIds: await testSets(), computeMissing })
    if (request === latest) matrix.value = next
  }

  /**
   * The open cell follows the matrix's variant (standard or lungs-removed): the same model and test set in the
   * other variant when it was evaluated, otherwise the panel closes rather than show the other variant's numbers.
   */
  async function followVariant(): Promise<void> {
    const open = detail.value
    if (!open || open.variant === variant.value) return
    const cell = matrix.value?.cells.flat().find((entry) => entry.runId === open.runId && entry.compositionId === open.compositionId)
    detail.value = cell?.evaluationId ? await useApi().api.evaluation.get({ evaluationId: cell.evaluationId }) : null
  }

  const refresh = () =>
    run(async () => {
      await loadMatrix(false)
      await followVariant()
    }, 'Loading the matrix…')

  /**
   * Evaluates every missing cell: each completed run on each composition's test split. The main process stores one
   * evaluation at a time and says so; counting those against the empty cells is the progress line.
   */
  const evaluateMissing = () =>
    run(async () => {
      const label = 'Evaluating every model on every test set'
      busy.value = `${label}…`
      if (!matrix.value || matrix.value.variant !== variant.value) await loadMatrix(false)
      const missing = matrix.value?.cells.flat().filter((cell) => cell.evaluationId === null).length ?? 0
      let done = 0
      const started = Date.now()
      const stop = useApi().on('evaluation.onDidStore', () => {
        done += 1
        const perCell = (Date.now() - started) / 1000 / done
        const left = Math.max(0, missing - done) * perCell
        busy.value = `${label}: ${Math.min(done, missing)} of ${missing} done · about ${formatDuration(left)} left…`
      })
      try {
        if (missing > 0) busy.value = `${label}: 0 of ${missing} done…`
        await loadMatrix(true)
        await followVariant()
      } finally {
        stop()
      }
    })

  const open = (evaluationId: string) => run(async () => (detail.value = await useApi().api.evaluation.get({ evaluationId })), 'Loading the evaluation…')

  const loadBias = (runId: string, compositionIds: string[]) =>
    run(async () => (bias.value = await useApi().api.evaluation.bias({ runId, compositionIds, split: 'test', limit: 400 })), 'Computing encoder features and t-SNE…')

  async function download(kind: 'csv' | 'json'): Promise<void> {
    const { api } = useApi()
    const request = { split: 'test' as const, variant: variant.value, compositionIds: await testSets() }
    const text = kind === 'csv' ? await api.evaluation.exportMatrixCsv(request) : await api.evaluation.exportMatrixJson(request)
    downloadFile(`cross-dataset-matrix.${kind}`, text, kind === 'csv' ? 'text/csv' : 'application/json')
  }

  /** The self-contained HTML report (matrix, confusion matrices, curves, warnings, provenance; t-SNE and Grad-CAM examples on request). */
  const downloadReport = (withSlowFigures: boolean) =>
    run(async () => {
      const { html } = await useApi().api.report.html({ compositionIds: await testSets(), split: 'test', ...reportFigures(withSlowFigures) })
      downloadFile('cxr-results-report.html', html, 'text/html')
    }, reportBusyLabel('Writing the report', withSlowFigures))

  /** The same report as PDF, where the desktop app can print it. */
  const downloadPdf = (withSlowFigures: boolean) =>
    run(async () => {
      const { pdf } = await useApi().api.report.pdf({ compositionIds: await testSets(), split: 'test', ...reportFigures(withSlowFigures) })
      downloadFile('cxr-results-report.pdf', pdf, 'application/pdf')
    }, reportBusyLabel('Printing the report to PDF', withSlowFigures))

  return { variant, matrix, detail, bias, busy, error, refresh, evaluateMissing, open, loadBias, download, downloadReport, downloadPdf }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useResultsStore, import.meta.hot))
