/** A study of two cells with stored evaluations built from pROC's reference cases (not a test file itself). */
import { StoredMetricsSchema, type EvaluationRecord } from '@shared/evaluation'
import { evaluateBinary, toJsonSafe } from '@shared/metrics'
import { expandStudy, StudySpecSchema, STUDY_FORMAT, type StudyRecord, type StudySpecInput } from '@shared/studies'
import { PAIRED_CASES } from '../metrics/comparisonCases'

const { covid15, corda135 } = PAIRED_CASES

/** Bootstrap replicates of the fixture's evaluations and study. */
export const REPLICATES = 400

/** A stored evaluation as the evaluation service writes it. */
function evaluation(id: string, runId: string, compositionId: string, labels: number[], scores: number[]): EvaluationRecord {
  const predictions = labels.map((label, index) => ({ imageId: `${compositionId}-${index}`, datasetId: compositionId, patientId: `p${index}`, contentHash: `${compositionId}-h${index}`, label: label as 0 | 1, score: scores[index] }))
  const metrics = evaluateBinary({ labels, scores, patients: predictions.map((row) => `${row.datasetId}/${row.patientId}`), bootstrap: { replicates: REPLICATES, seed: 7 } })
  return { id, runId, compositionId, split: 'test', variant: 'standard', createdAt: '2024-01-01T00:00:00.000Z', options: { threshold: 0.5, haldane: false, replicates: REPLICATES, seed: 7 }, predictions, metrics: StoredMetricsSchema.parse(toJsonSafe(metrics)), notes: [] }
}

/** A study of two cells (no pre-training, pre-trained) with the given seeds, every run evaluated by `scoresOf`. */
export function study(seeds: number[], scoresOf: (cellIndex: number, seed: number, compositionId: string) => number[]) {
  const input: StudySpecInput = {
    name: 'pre-training',
    architectures: ['resnet18'],
    pretraining: [{ pretraining: { kind: 'none' }, paper: 'none' }, { pretraining: { kind: 'train', datasetIds: ['kermany'], labelMap: {} }, paper: 'ChestXRay', label: 'pre-trained on ChestXRay' }],
    compositions: [{ compositionId: 'covid', paper: 'COVID-ChestXRay' }],
    seeds,
    testSets: [{ compositionId: 'external' }],
    evaluation: { replicates: REPLICATES, comparisonMetrics: ['auc', 'accuracy'] },
  }
  const spec = StudySpecSchema.parse(input)
  const expansion = expandStudy(spec, { compositionName: (id) => (id === 'covid' ? 'COVID-ChestXRay' : 'External'), isTestOnly: (id) => id === 'external' })
  const record: StudyRecord = { format: STUDY_FORMAT, version: 1, id: 'study-1', spec, state: 'running', createdAt: '2024-01-01T00:00:00.000Z', finishedAt: null, ...expansion, datasetProbe: false, evaluations: [], probes: [], problems: [], estimate: null, log: [] }
  const evaluations = new Map<string, EvaluationRecord>()
  record.slots.forEach((slot, index) => {
    slot.runId = `run-${index}`
    const cellIndex = record.cells.findIndex((cell) => cell.key === slot.cellKey)
    for (const [compositionId, labels] of [['covid', covid15.labels], ['external', corda135.labels]] as const) {
      const id = `eval-${index}-${compositionId}`
      evaluations.set(id, evaluation(id, slot.runId, compositionId, labels, scoresOf(cellIndex, slot.seed, compositionId)))
      record.evaluations.push({ slotKey: slot.key, runId: slot.runId, compositionId, evaluationId: id })
    }
  })
  return { record, evaluations, lookup: (id: string) => evaluations.get(id) }
}

