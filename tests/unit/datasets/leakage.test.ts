import { describe, it, expect } from 'vitest'
import { checkLeakage, composeDataset } from '@shared/datasets'
import type { Composition, ImageAssignment } from '@shared/datasets'
import { randomRecords } from './syntheticDatasets'

const records = randomRecords({ seed: 3, patients: 120, maxImages: 4, positiveShare: 0.5, datasetId: 'ds' })
const composition = composeDataset(
  { name: 'leak test', primary: ['ds'], balance: 'none', labelMapping: { ds: { positive: 'positive', negative: 'negative' } } },
  records,
)
const inSplit = (split: ImageAssignment['split']) => composition.assignments.filter((image) => image.split === split)
const withAssignments = (assignments: ImageAssignment[]): Composition => ({ ...composition, assignments })

describe('checkLeakage', () => {
  it('passes a composed dataset', () => {
    expect(checkLeakage(composition)).toEqual({ ok: true, patientOverlaps: [], duplicateImages: [], duplicatesWithinSplit: [] })
  })

  it('detects a planted patient overlap', () => {
    const trainPatient = inSplit('train')[0]
    // A test image re-labelled as the training patient: same dataset, same patient id, other side.
    const planted = composition.assignments.map((image) =>
      image === inSplit('test')[0] ? { ...image, patientId: trainPatient.patientId } : image,
    )
    const report = checkLeakage(withAssignments(planted))
    expect(report.ok).toBe(false)
    expect(report.patientOverlaps).toEqual([{ datasetId: 'ds', patientId: trainPatient.patientId, splits: ['train', 'test'] }])
    expect(report.duplicateImages).toEqual([])
  })

  it('does not confuse the same patient id in two datasets with one patient', () => {
    const other = { ...inSplit('test')[0], datasetId: 'elsewhere', patientId: inSplit('train')[0].patientId, contentHash: 'unique' }
    expect(checkLeakage(withAssignments([...composition.assignments, other])).ok).toBe(true)
  })

  it('detects a planted duplicate image across splits, even under another id and dataset', () => {
    const validationImage = inSplit('validation')[0]
    const copy: ImageAssignment = { ...inSplit('test')[0], imageId: 'copy', datasetId: 'mirror', patientId: 'z', contentHash: validationImage.contentHash }
    const report = checkLeakage(withAssignments([...composition.assignments, copy]))
    expect(report.ok).toBe(false)
    expect(report.duplicateImages).toEqual([
      { contentHash: validationImage.contentHash, splits: ['validation', 'test'], imageIds: ['copy', validationImage.imageId].sort() },
    ])
    expect(report.patientOverlaps).toEqual([])
  })

  it('reports duplicates within one split as a warning, not a leak', () => {
    const original = inSplit('train')[0]
    const copy = { ...original, imageId: 'train-copy' }
    const report = checkLeakage(withAssignments([...composition.assignments, copy]))
    expect(report.ok).toBe(true)
    expect(report.duplicatesWithinSplit).toEqual([{ contentHash: original.contentHash, split: 'train', imageIds: [original.imageId, 'train-copy'].sort() }])
  })

  it('keeps duplicates of one patient together when composing, so they warn instead of leak', () => {
    const duplicated = [...records, { ...records[0], imageId: 'dup-of-first' }]
    // Same patient and same content under two ids: one group, one side.
    const rebuilt = composeDataset(composition.spec, duplicated)
    const report = checkLeakage(rebuilt)
    expect(report.ok).toBe(true)
    expect(report.duplicatesWithinSplit.map((entry) => entry.imageIds)).toEqual([[records[0].imageId, 'dup-of-first'].sort()])
  })

  it('merges two patients sharing an identical image into one group when composing', () => {
    const shared = [...records, { ...records[0], imageId: 'filed-twice', patientId: records[records.length - 1].patientId }]
    const rebuilt = composeDataset(composition.spec, shared)
    expect(checkLeakage(rebuilt).ok).toBe(true)
    const splitOf = (patientId: string) => new Set(rebuilt.assignments.filter((image) => image.patientId === patientId).map((image) => image.split))
    expect([...splitOf(records[0].patientId)]).toEqual([...splitOf(records[records.length - 1].patientId)])
  })
})
