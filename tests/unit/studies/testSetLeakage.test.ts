import { describe, expect, it } from 'vitest'
import { composeDataset } from '@shared/datasets'
import { describeOverlap, testSetOverlaps } from '@shared/studies'
import { syntheticDataset } from '../datasets/syntheticDatasets'

const covid = syntheticDataset('covid', [
  { label: 'COVID-19', images: 40, patients: 30, view: 'PA' },
  { label: 'other', images: 20, patients: 16, view: 'PA' },
])
const mapping = { covid: { 'COVID-19': 'positive' as const, other: 'negative' as const } }
const training = composeDataset({ name: 'COVID', primary: ['covid'], balance: 'none', labelMapping: mapping }, covid)

describe('testSetOverlaps', () => {
  it('finds a test set sharing patients with a training composition’s training images, and one holding pre-training images', () => {
    // The same dataset as an external set, without keeping the training patients out: every training patient is in it.
    const careless = composeDataset({ name: 'all of COVID', primary: ['covid'], balance: 'none', testFraction: 1, labelMapping: mapping }, covid)
    const trainingImages = training.assignments.filter((assignment) => assignment.split !== 'test')
    const overlaps = testSetOverlaps({
      testSets: [{ name: 'all of COVID', composition: careless }, { name: 'COVID', composition: training }],
      trainingSets: [{ name: 'COVID', composition: training }],
      pretraining: [{ name: 'covid pneumonia', images: covid.slice(0, 3) }],
    })
    expect(overlaps).toEqual([
      { testSet: 'all of COVID', source: 'COVID', kind: 'training', images: trainingImages.length, patients: new Set(trainingImages.map((image) => image.patientId)).size },
      // Three pre-training images of two patients: the test set holds all four images of those two patients.
      { testSet: 'all of COVID', source: 'covid pneumonia', kind: 'pre-training', images: 4, patients: 2 },
      // The training composition's own test split holds pre-training images too.
      ...(training.assignments.some((assignment) => assignment.split === 'test' && ['0-0', '0-1'].includes(assignment.patientId))
        ? [expect.objectContaining({ testSet: 'COVID', kind: 'pre-training' })]
        : []),
    ])
    expect(describeOverlap(overlaps[0])).toMatch(/^the test set "all of COVID" has \d+ images \(\d+ patients\) of patients in the training images of "COVID": models would be tested on patients they trained on; rebuild the test set keeping out the patients of "COVID"$/)
  })

  it('passes a test set built with “keep out the patients of” the training composition', () => {
    const external = composeDataset({ name: 'external', primary: ['covid'], balance: 'none', testFraction: 1, labelMapping: mapping, disjointFrom: ['t'] }, [...covid, { imageId: 'new', datasetId: 'covid', patientId: 'new-patient', label: 'other', contentHash: 'new' }, { imageId: 'new2', datasetId: 'covid', patientId: 'new-patient-2', label: 'COVID-19', contentHash: 'new2' }], new Map([['t', { name: 'COVID', assignments: training.assignments }]]))
    expect(external.assignments.map((assignment) => assignment.imageId)).toEqual(['new', 'new2'])
    expect(testSetOverlaps({ testSets: [{ name: 'external', composition: external }], trainingSets: [{ name: 'COVID', composition: training }], pretraining: [] })).toEqual([])
  })
})
