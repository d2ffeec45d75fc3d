import type { EvaluationRecord } from '@shared/evaluation/types'
import { formatNumber, formatPValue, METRIC_LABELS } from '@shared/evaluation/verdicts'
import { compareRuns } from '@shared/studies/compareRuns'
import type { AppServices } from '../../app/createServices'
import { UsageError, parseCommandLine, type CliCommand } from '../command'
import { findComposition } from '../lookup'
import { closeAll } from './study'

/**
 * `cxr compare RUN_A RUN_B COMPOSITION`: two trained models on the same test images — DeLong's test of their AUCs,
 * McNemar's test at their thresholds (accuracy, sensitivity, specificity), the paired patient bootstrap of balanced
 * accuracy — Holm-corrected together, each with a plain-language verdict. Uses the runs' stored evaluations on the
 * composition's test split, and evaluates a run first when it has none.
 */
export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'compare two trained models on the same test set: DeLong (AUC), McNemar (errors), Holm-corrected, with verdicts',
  usage: 'cxr compare RUN_A RUN_B COMPOSITION [--json] [--replicates N]   (runs by any unique beginning of their ids; the composition by id or name)',
  async run(args, { io, services }) {
    const { values, positionals } = parseCommandLine(args, { json: { type: 'boolean' }, replicates: { type: 'string' } }, true)
    if (positionals.length !== 3) throw new UsageError('give RUN_A, RUN_B and the COMPOSITION whose test split they are compared on')
    const replicates = values.replicates === undefined ? 2000 : Number(values.replicates)
    if (!Number.isInteger(replicates) || replicates < 100) throw new UsageError(`--replicates must be a whole number of at least 100, got '${values.replicates}'`)
    const app = services()
    try {
      const runA = await app.runs.get({ runId: positionals[0] })
      const runB = await app.runs.get({ runId: positionals[1] })
      if (runA.id === runB.id) throw new UsageError('RUN_A and RUN_B are the same run')
      const composition = await findComposition(app.compositions, positionals[2])
      const evaluationA = await evaluationOf(app, runA.id, composition.id)
      const evaluationB = await evaluationOf(app, runB.id, composition.id)
      const names = { nameA: runA.config.name || runA.id, nameB: runB.config.name || runB.id }
      const comparisons = compareRuns(evaluationA, evaluationB, names, { replicates })
      if (values.json) {
        io.stdout(`${JSON.stringify({ runA: runA.id, runB: runB.id, compositionId: composition.id, evaluations: [evaluationA.id, evaluationB.id], comparisons }, null, 2)}\n`)
        return 0
      }
      io.stdout(`A = ${names.nameA} (${runA.id})\nB = ${names.nameB} (${runB.id})\ntest set: the test split of "${composition.name}", ${evaluationA.predictions.length} images\n\n`)
      for (const comparison of comparisons) {
        const interval = comparison.ci && !Number.isNaN(comparison.ci.lower) ? ` [${formatNumber(comparison.ci.lower)}, ${formatNumber(comparison.ci.upper)}]` : ''
        const p = Number.isNaN(comparison.pValue) ? 'p n/a' : `${formatPValue(comparison.pValue)}, Holm ${formatPValue(comparison.adjustedPValue ?? comparison.pValue).replace(/^p /, '')}`
        io.stdout(`${METRIC_LABELS[comparison.metric]} (${comparison.method}): A ${formatNumber(comparison.valueA)}, B ${formatNumber(comparison.valueB)}, A − B ${formatNumber(comparison.difference)}${interval}, ${p}\n  ${comparison.verdict.sentence}\n`)
      }
      return 0
    } finally {
      await closeAll(app)
    }
  },
}

/** The run's newest standard evaluation on the composition's test split, or a new one. */
async function evaluationOf(app: AppServices, runId: string, compositionId: string): Promise<EvaluationRecord> {
  const existing = (await app.evaluation.list()).find((summary) => summary.runId === runId && summary.compositionId === compositionId && summary.split === 'test' && summary.variant === 'standard')
  return existing ? app.evaluation.get({ evaluationId: existing.id }) : app.evaluation.evaluate({ runId, compositionId, split: 'test' })
}
