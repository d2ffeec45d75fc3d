import { patientKey } from '../evaluation/csv'
import type { EvaluationRecord } from '../evaluation/types'
import type { StudyRecord, StudySlot } from './record'

/** One run's scores on one test set, in the test set's image order. */
export interface ScoredRun {
  slot: StudySlot
  runId: string
  evaluation: EvaluationRecord
  scores: Float64Array
}

/** A test set's images (labels, patients, content hashes) and the runs of one cell scored on them. */
export interface ScoredSet {
  compositionId: string
  imageIds: string[]
  labels: Uint8Array
  patients: string[]
  contentHashes: string[]
  runs: ScoredRun[]
  /** Why some evaluations were left out (scored on other images than the others: the composition changed). */
  notes: string[]
}

/** How a study's evaluations are looked up: by id, with their per-image predictions. */
export type EvaluationLookup = (evaluationId: string) => EvaluationRecord | undefined

/**
 * The runs of a cell scored on a test set, aligned image by image. Every evaluation of a composition's test split
 * lists its images in the composition's order, so they align unless the composition was rebuilt between two
 * evaluations; such an evaluation is left out with a note rather than compared image by image with the wrong images.
 * Returns null when no run of the cell is evaluated on the set yet.
 */
export function scoredSet(record: StudyRecord, cellKey: string, compositionId: string, lookup: EvaluationLookup): ScoredSet | null {
  const runs: ScoredRun[] = []
  const notes: string[] = []
  let reference: EvaluationRecord | null = null
  for (const slot of record.slots) {
    if (slot.cellKey !== cellKey || !slot.runId) continue
    const link = record.evaluations.find((entry) => entry.slotKey === slot.key && entry.runId === slot.runId && entry.compositionId === compositionId)
    const evaluation = link ? lookup(link.evaluationId) : undefined
    if (!evaluation) continue
    if (reference && !sameImages(reference, evaluation)) {
      notes.push(`the run with seed ${slot.seed} was scored on other images of this test set (was the composition rebuilt?): left out`)
      continue
    }
    reference ??= evaluation
    runs.push({ slot, runId: slot.runId, evaluation, scores: Float64Array.from(evaluation.predictions, (row) => row.score) })
  }
  if (!reference) return null
  runs.sort((a, b) => a.slot.seed - b.slot.seed)
  return {
    compositionId,
    imageIds: reference.predictions.map((row) => `${row.datasetId}/${row.imageId}`),
    labels: Uint8Array.from(reference.predictions, (row) => row.label),
    patients: reference.predictions.map(patientKey),
    contentHashes: reference.predictions.map((row) => row.contentHash),
    runs,
    notes,
  }
}

/** True when two scored sets hold the same images in the same order. */
export function sameImageOrder(a: Pick<ScoredSet, 'imageIds'>, b: Pick<ScoredSet, 'imageIds'>): boolean {
  return a.imageIds.length === b.imageIds.length && a.imageIds.every((id, index) => id === b.imageIds[index])
}

function sameImages(a: EvaluationRecord, b: EvaluationRecord): boolean {
  return a.predictions.length === b.predictions.length && a.predictions.every((row, index) => row.imageId === b.predictions[index].imageId && row.datasetId === b.predictions[index].datasetId)
}
