import { SPLITS } from './types'
import type { Composition, ImageAssignment, Split } from './types'

/** A patient found on more than one side of a composition. */
export interface PatientOverlap {
  datasetId: string
  patientId: string
  splits: Split[]
}

/** Identical content (same hash) found on more than one side: the model would be tested on a training image. */
export interface DuplicateImage {
  contentHash: string
  splits: Split[]
  imageIds: string[]
}

/** Identical content repeated inside one split: not a leak, but it weighs twice in training or in the metrics. */
export interface DuplicateWithinSplit {
  contentHash: string
  split: Split
  imageIds: string[]
}

/** The outcome of {@link checkLeakage}. `ok` ignores within-split duplicates, which are warnings. */
export interface LeakageReport {
  ok: boolean
  patientOverlaps: PatientOverlap[]
  duplicateImages: DuplicateImage[]
  duplicatesWithinSplit: DuplicateWithinSplit[]
}

/**
 * Prove a composition leak-free: no patient (dataset id + patient id, since ids are per dataset) and no
 * identical image (content hash, across datasets too) on two sides of any split. Section III-C: testing on
 * patients seen in training lets a model learn "a patient's lung shape" instead of COVID. Run on every
 * composition, including imported ones, whose splits were made elsewhere.
 * @param composition anything with assignments (a composition, or one rebuilt from an export).
 */
export function checkLeakage(composition: Pick<Composition, 'assignments'>): LeakageReport {
  const byPatient = new Map<string, { datasetId: string; patientId: string; splits: Set<Split> }>()
  const byHash = new Map<string, ImageAssignment[]>()
  for (const assignment of composition.assignments) {
    const key = `${assignment.datasetId}/${assignment.patientId}`
    const patient = byPatient.get(key) ?? { datasetId: assignment.datasetId, patientId: assignment.patientId, splits: new Set() }
    patient.splits.add(assignment.split)
    byPatient.set(key, patient)
    const copies = byHash.get(assignment.contentHash) ?? []
    copies.push(assignment)
    byHash.set(assignment.contentHash, copies)
  }
  const inSplitOrder = (splits: Iterable<Split>) => SPLITS.filter((split) => new Set(splits).has(split))

  const patientOverlaps = [...byPatient.values()]
    .filter((patient) => patient.splits.size > 1)
    .map((patient) => ({ datasetId: patient.datasetId, patientId: patient.patientId, splits: inSplitOrder(patient.splits) }))
    .sort((a, b) => compare(`${a.datasetId}/${a.patientId}`, `${b.datasetId}/${b.patientId}`))

  const duplicateImages: DuplicateImage[] = []
  const duplicatesWithinSplit: DuplicateWithinSplit[] = []
  for (const [contentHash, copies] of [...byHash].sort((a, b) => compare(a[0], b[0]))) {
    if (copies.length < 2) continue
    const splits = inSplitOrder(copies.map((copy) => copy.split))
    if (splits.length > 1) duplicateImages.push({ contentHash, splits, imageIds: copies.map((copy) => copy.imageId).sort() })
    for (const split of splits) {
      const inSplit = copies.filter((copy) => copy.split === split)
      if (inSplit.length > 1) duplicatesWithinSplit.push({ contentHash, split, imageIds: inSplit.map((copy) => copy.imageId).sort() })
    }
  }
  return { ok: patientOverlaps.length === 0 && duplicateImages.length === 0, patientOverlaps, duplicateImages, duplicatesWithinSplit }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
