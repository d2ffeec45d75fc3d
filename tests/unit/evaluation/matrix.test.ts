import { describe, expect, it } from 'vitest'
import { matrixToCsv } from '@shared/evaluation/csv'
import { buildMatrix, missingCells } from '@shared/evaluation/matrix'
import type { EvaluationSummary, MatrixRow } from '@shared/evaluation/types'

const row = (runId: string): MatrixRow => ({ runId, name: runId, architecture: 'resnet18', pretraining: 'none', trainingCompositionId: 'corda', trainingCompositionName: 'CORDA' })

function summary(id: string, runId: string, compositionId: string, createdAt: string, auc: number | 'Infinity', variant: 'standard' | 'lungs-removed' = 'standard'): EvaluationSummary {
  return {
    id,
    runId,
    compositionId,
    split: 'test',
    variant,
    createdAt,
    options: { threshold: 0.5, haldane: false, replicates: 0, seed: 1 },
    notes: [],
    metrics: {
      threshold: 0.5,
      counts: { n: 10, positives: 5, negatives: 5, patients: 10, patientIdsProvided: true },
      confusion: { tp: 4, fp: 1, tn: 4, fn: 1 },
      metrics: { auc: { value: 0.5 }, diagnosticOddsRatio: { value: auc, ci: { lower: 1, upper: 'Infinity', validReplicates: 9 } }, accuracy: { value: 0.8 } },
    },
  }
}

describe('matrix assembly', () => {
  const columns = [
    { compositionId: 'corda', name: 'CORDA', split: 'test' as const },
    { compositionId: 'rsna', name: 'CORDA&RSNA', split: 'test' as const },
  ]
  const evaluations = [
    summary('e1', 'run-a', 'corda', '2026-01-01T00:00:00Z', 2),
    summary('e2', 'run-a', 'corda', '2026-01-02T00:00:00Z', 3),
    summary('e3', 'run-b', 'rsna', '2026-01-01T00:00:00Z', 'Infinity'),
    summary('e4', 'run-b', 'corda', '2026-01-03T00:00:00Z', 9, 'lungs-removed'),
  ]
  const matrix = buildMatrix({ rows: [row('run-a'), row('run-b')], columns, evaluations, split: 'test', variant: 'standard' })

  it('puts the newest evaluation of each run × test set in its cell, other variants aside', () => {
    expect(matrix.cells.map((cells) => cells.map((cell) => cell.evaluationId))).toEqual([
      ['e2', null],
      [null, 'e3'],
    ])
    expect(matrix.cells[0][0].metrics?.diagnosticOddsRatio.value).toBe(3)
    expect(matrix.cells[0][0].n).toBe(10)
    expect(missingCells(matrix)).toEqual([
      { runId: 'run-a', compositionId: 'rsna' },
      { runId: 'run-b', compositionId: 'corda' },
    ])
    const removed = buildMatrix({ rows: [row('run-b')], columns, evaluations, split: 'test', variant: 'lungs-removed' })
    expect(removed.cells[0][0].evaluationId).toBe('e4')
  })

  it('exports one CSV line per cell, with CI bounds and infinite values spelled out', () => {
    const lines = matrixToCsv(matrix).trim().split('\n')
    expect(lines).toHaveLength(5)
    const header = lines[0].split(',')
    const cell = lines[4].split(',')
    expect(cell[header.indexOf('run_id')]).toBe('run-b')
    expect(cell[header.indexOf('test_composition')]).toBe('CORDA&RSNA')
    expect(cell[header.indexOf('diagnosticOddsRatio')]).toBe('Infinity')
    expect(cell[header.indexOf('diagnosticOddsRatio_upper')]).toBe('Infinity')
    expect(cell[header.indexOf('evaluation_id')]).toBe('e3')
    expect(lines[2].split(',')[header.indexOf('evaluation_id')]).toBe('')
  })
})
