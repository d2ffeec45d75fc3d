import type { Composition, ImageRecord } from '../datasets/types'

/** Images of a test set that a model of the study has seen, in training or pre-training, or whose patient it has. */
export interface TestSetOverlap {
  testSet: string
  /** The training composition, or the pre-training dataset. */
  source: string
  kind: 'training' | 'pre-training'
  /** Test images whose patient (dataset + patient id) is among the source's, or whose content is identical to one of them. */
  images: number
  patients: number
}

/**
 * Test sets a model of the study was (partly) trained on. Section III-C: testing on patients seen in training lets a
 * model score on "a patient's lung shape"; across compositions the check each composition makes for itself does
 * not apply, so the study makes it: every test set against the train and validation splits of every training
 * composition (its own test split is disjoint by construction), and against every image of every pre-training
 * dataset (pre-training uses them all). A test set built with "keep out the patients of" (disjointFrom) passes.
 */
export function testSetOverlaps(input: {
  testSets: { name: string; composition: Pick<Composition, 'assignments'> }[]
  trainingSets: { name: string; composition: Pick<Composition, 'assignments'> }[]
  pretraining: { name: string; images: Pick<ImageRecord, 'datasetId' | 'patientId' | 'contentHash'>[] }[]
}): TestSetOverlap[] {
  const sources = [
    ...input.trainingSets.map((set) => ({ name: set.name, kind: 'training' as const, images: set.composition.assignments.filter((assignment) => assignment.split !== 'test') })),
    ...input.pretraining.map((set) => ({ name: set.name, kind: 'pre-training' as const, images: set.images })),
  ]
  const overlaps: TestSetOverlap[] = []
  for (const source of sources) {
    const patients = new Set(source.images.map((image) => `${image.datasetId}\u0000${image.patientId}`))
    const hashes = new Set(source.images.map((image) => image.contentHash))
    for (const testSet of input.testSets) {
      const shared = testSet.composition.assignments.filter(
        (assignment) => assignment.split === 'test' && (patients.has(`${assignment.datasetId}\u0000${assignment.patientId}`) || hashes.has(assignment.contentHash)),
      )
      if (shared.length === 0) continue
      overlaps.push({
        testSet: testSet.name,
        source: source.name,
        kind: source.kind,
        images: shared.length,
        patients: new Set(shared.map((assignment) => `${assignment.datasetId}\u0000${assignment.patientId}`)).size,
      })
    }
  }
  return overlaps
}

/** One sentence per overlap, saying how to fix it. */
export function describeOverlap(overlap: TestSetOverlap): string {
  const what = `${overlap.images} image${overlap.images === 1 ? '' : 's'} (${overlap.patients} patient${overlap.patients === 1 ? '' : 's'})`
  return overlap.kind === 'training'
    ? `the test set "${overlap.testSet}" has ${what} of patients in the training images of "${overlap.source}": models would be tested on patients they trained on; rebuild the test set keeping out the patients of "${overlap.source}"`
    : `the test set "${overlap.testSet}" has ${what} of patients in the pre-training dataset "${overlap.source}": the encoder would have seen them; pre-train on a dataset without them (e.g. only its training images)`
}
