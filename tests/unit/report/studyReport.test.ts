/**
 * The report's study and alarm sections: the study table with the paper's numbers beside, the comparisons' verdicts,
 * every alarm with its evidence; and, for a plain matrix, the alarms its evaluations raise on their own (the AUC
 * below chance and the specificity of 0 the issue quotes are named, not only "few images").
 */
import { describe, expect, it } from 'vitest'
import type { EvaluationMatrix } from '@shared/evaluation/types'
import { analyseStudy } from '@shared/studies'
import { renderReport, reportWarnings } from '../../../src-main/services/report/htmlReport'
import { PAIRED_CASES } from '../metrics/comparisonCases'
import { study } from '../studies/studyFixture'

const { covid15, corda135 } = PAIRED_CASES
// The pre-trained cell ranks the external set backwards and calls every image COVID−.
const inverted = corda135.scoresA.map((score) => (1 - score) * 0.45)
const fixture = study([1], (cell, _seed, set) => (set === 'covid' ? covid15.scoresA : cell === 1 ? inverted : corda135.scoresA))
const analysis = analyseStudy(fixture.record, fixture.lookup)
const emptyMatrix: EvaluationMatrix = { split: 'test', variant: 'standard', rows: [], columns: [], cells: [] }

describe('the report of a study', () => {
  const html = renderReport({ matrix: emptyMatrix, runs: [], study: analysis, title: `Study: ${analysis.name}` })

  it('shows the table with mean ± SD, the paper’s value and Table, the verdicts and how the numbers were made', () => {
    expect(html).toContain('<h2>Study: pre-training</h2>')
    expect(html).toContain('ResNet-18, pre-trained on ChestXRay, trained on COVID-ChestXRay')
    expect(html).toMatch(/AUC 0\.94 <span class="ci">\[0\.\d\d, 1\.00\]<\/span> <span class="paper">paper 1\.00<\/span>/)
    expect(html).toContain('1 of 1 seeds, n = 15, within-dataset; paper: Table IV')
    expect(html).toContain(analysis.comparisons[0].verdict.sentence)
    expect(html).toContain('Holm-corrected together')
    expect(html).not.toMatch(/<script|https?:\/\//)
  })

  it('lists every alarm with its evidence, and counts them among the warnings', () => {
    expect(html).toContain('<h2>Alarms</h2>')
    expect(html).toMatch(/ranks the classes backwards \(AUC 0\.06, 95% CI/)
    expect(html).toContain('<tr><th>everythingCalled</th><td>negative</td></tr>')
    expect(html).toContain('AUC drops from 0.94 on COVID-ChestXRay')
    const warnings = reportWarnings({ matrix: emptyMatrix, runs: [], study: analysis })
    expect(warnings.filter((warning) => warning.startsWith('Alarm: ResNet-18, pre-trained on ChestXRay, trained on COVID-ChestXRay, seed 1:'))).toHaveLength(3)
  })
})

describe('the report of a plain matrix', () => {
  it('raises the alarms of its evaluations: backward ranking and one-class calls, beside the small-set warning', () => {
    const backward = fixture.evaluations.get(fixture.record.evaluations.find((link) => link.runId === 'run-1' && link.compositionId === 'external')!.evaluationId)!
    const matrix: EvaluationMatrix = {
      split: 'test',
      variant: 'standard',
      rows: [{ runId: 'run-1', name: 'ResNet-18 pre-trained', architecture: 'resnet18', pretraining: 'kermany', trainingCompositionId: 'covid', trainingCompositionName: 'COVID-ChestXRay' }],
      columns: [{ compositionId: 'external', name: 'hospital B', split: 'test' }],
      cells: [[{ runId: 'run-1', compositionId: 'external', evaluationId: backward.id, n: 135, metrics: { auc: backward.metrics.metrics.auc } }]],
    }
    const input = { matrix, runs: [], evaluations: [backward] }
    const warnings = reportWarnings(input)
    expect(warnings).toContain(`Alarm: ResNet-18 pre-trained: At threshold 0.50 the model calls every image of hospital B COVID− (sensitivity 0.00, specificity 1.00): it has collapsed to one class, and its accuracy only reflects the class mix.`)
    expect(warnings.some((warning) => /^Alarm: ResNet-18 pre-trained: On hospital B the model ranks the classes backwards/.test(warning))).toBe(true)
    expect(renderReport(input)).toContain('ranks the classes backwards')
    expect(renderReport({ matrix: emptyMatrix, runs: [] })).toContain('<h2>Alarms</h2><p>None:')
  })
})
