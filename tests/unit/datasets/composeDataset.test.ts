import { describe, it, expect } from 'vitest'
import { CompositionError, CompositionSchema, composeDataset, parseCompositionSpec } from '@shared/datasets'
import type { CompositionErrorCode, CompositionSpecInput, ImageRecord } from '@shared/datasets'
import { syntheticDataset } from './syntheticDatasets'

const corda = syntheticDataset('corda', [
  { label: 'COVID+', images: 60, patients: 50 },
  { label: 'COVID-', images: 30, patients: 25 },
])
const kermany = syntheticDataset('kermany', [
  { label: 'normal', images: 80, patients: 70 },
  { label: 'virus', images: 40, patients: 40 },
])

const base: CompositionSpecInput = {
  name: 'small',
  primary: ['corda'],
  balance: 'subsample',
  labelMapping: { corda: { 'COVID+': 'positive', 'COVID-': 'negative' } },
}

/** The CompositionError a call throws, so a test can check code, message and details together. */
function failure(run: () => unknown): CompositionError {
  try {
    run()
  } catch (error) {
    if (error instanceof CompositionError) return error
    throw error
  }
  throw new Error('expected a CompositionError')
}

function expectFailure(run: () => unknown, code: CompositionErrorCode, message: RegExp) {
  const error = failure(run)
  expect(error.code).toBe(code)
  expect(error.message).toMatch(message)
  return error
}

describe('composeDataset', () => {
  it('applies defaults, assigns every candidate image once, and returns IPC-safe data', () => {
    const composition = composeDataset(base, corda)
    expect(composition.spec).toMatchObject({ testFraction: 0.3, validationFraction: 0.2, seed: 0, borrow: [] })
    expect(composition.algorithm).toBe('cxr-composition/1')
    const assigned = composition.assignments.length + composition.excluded.length
    expect(assigned).toBe(corda.length)
    expect(new Set(composition.assignments.map((image) => image.imageId)).size).toBe(composition.assignments.length)
    expect(CompositionSchema.parse(JSON.parse(JSON.stringify(composition)))).toEqual(composition)
    // Test: ⌈0.3 × 90⌉ = 27 apportioned 18/9. Validation: ⌈0.2 × 63⌉ = 13 apportioned 42/63 × 13 = 8.67 and
    // 21/63 × 13 = 4.33 → 8 + 4 and the left-over unit to the larger remainder → 9/4 (per-class ceilings would
    // give 9/5 = 14, one more than 20%). Training 33/17, subsampled to 17/17.
    const counts = Object.fromEntries(composition.counts.rows.map((row) => [row.split, row.total]))
    expect(counts).toEqual({
      train: { positive: 17, negative: 17 },
      validation: { positive: 9, negative: 4 },
      test: { positive: 18, negative: 9 },
    })
    expect(composition.counts.total.total).toEqual({ positive: 44, negative: 30 })
    expect(composition.excluded.every((image) => image.reason === 'balance-subsampled')).toBe(true)
  })

  it('ignores images of datasets the spec does not name', () => {
    expect(composeDataset(base, [...corda, ...kermany])).toEqual(composeDataset(base, corda))
  })

  it('excludes labels mapped to "exclude" and lists them with their reason', () => {
    const composition = composeDataset(
      { ...base, primary: ['corda'], borrow: ['kermany'], balance: 'borrow', labelMapping: { ...base.labelMapping, kermany: { normal: 'negative', virus: 'exclude' } } },
      [...corda, ...kermany],
    )
    expect(composition.excluded.filter((image) => image.reason === 'label-excluded')).toHaveLength(40)
    expect(composition.assignments.some((image) => image.label === 'virus')).toBe(false)
    expect(composition.assignments.filter((image) => image.source === 'borrowed').every((image) => image.datasetId === 'kermany')).toBe(true)
  })

  it('keeps an image present in two datasets only in the first (primary before borrowed)', () => {
    const copy = { ...corda[70], imageId: 'copy', datasetId: 'kermany', patientId: 'x', label: 'normal' }
    const composition = composeDataset(
      { ...base, borrow: ['kermany'], balance: 'borrow', labelMapping: { ...base.labelMapping, kermany: { normal: 'negative', virus: 'negative' } } },
      [...corda, ...kermany, copy],
    )
    expect(composition.excluded).toContainEqual(expect.objectContaining({ imageId: 'copy', reason: 'duplicate-content' }))
  })

  it('warns when a split lacks a class', () => {
    const tiny: ImageRecord[] = [
      ...syntheticDataset('corda', [{ label: 'COVID+', images: 10, patients: 10 }]),
      { imageId: 'n1', datasetId: 'corda', patientId: 'n1', label: 'COVID-', contentHash: 'n1' },
    ]
    // One COVID− image: ⌈0.3 × 11⌉ = 4 test images go 0.36 / 3.64 → all four COVID+.
    expect(composeDataset(base, tiny).warnings).toContain('The test split has no COVID− images.')
  })
})

describe('composeDataset errors name what is wrong', () => {
  it('empty input', () => {
    expectFailure(() => composeDataset(base, []), 'empty-input', /"small" was given no images/)
  })

  it('unknown dataset ids', () => {
    const error = expectFailure(
      () => composeDataset({ ...base, primary: ['corda', 'nih'], labelMapping: { ...base.labelMapping, nih: {} } }, corda),
      'unknown-dataset',
      /dataset\(s\) with no images: "nih" \(datasets present: corda\)/,
    )
    expect(error.details).toEqual(['nih'])
  })

  it('labels with no mapping, naming dataset and label', () => {
    const records = [...corda, { imageId: 'odd', datasetId: 'corda', patientId: 'z', label: 'COVID?', contentHash: 'odd' }]
    const error = expectFailure(
      () => composeDataset({ ...base, labelMapping: { corda: { 'COVID+': 'positive' } } }, records),
      'unmapped-label',
      /dataset "corda" label "COVID-" \(30 images\); dataset "corda" label "COVID\?" \(1 image\)/,
    )
    expect(error.details).toHaveLength(2)
  })

  it('a composition with one class', () => {
    expectFailure(
      () => composeDataset({ ...base, labelMapping: { corda: { 'COVID+': 'positive', 'COVID-': 'exclude' } } }, corda),
      'single-class',
      /only COVID\+ images \(60\)/,
    )
  })

  it('fractions outside (0, 1), test share 1 being a test-only set', () => {
    for (const testFraction of [0, 1.3, -0.2]) {
      expectFailure(() => composeDataset({ ...base, testFraction }, corda), 'invalid-fraction', /testFraction must be above 0 and at most 1/)
    }
    expectFailure(() => composeDataset({ ...base, validationFraction: 1 }, corda), 'invalid-fraction', /validationFraction must be strictly between 0 and 1/)
    expectFailure(() => composeDataset({ ...base, validationFraction: 2 }, corda), 'invalid-fraction', /validationFraction .* \(got 2\)/)
  })

  it('inconsistent specs', () => {
    expectFailure(() => parseCompositionSpec({ ...base, balance: 'borrow' }), 'invalid-spec', /needs at least one borrow dataset/)
    expectFailure(
      () => parseCompositionSpec({ ...base, borrow: ['kermany'], labelMapping: { ...base.labelMapping, kermany: { normal: 'negative' } } }),
      'invalid-spec',
      /only used with balance "borrow", not "subsample"/,
    )
    expectFailure(
      () =>
        parseCompositionSpec({ ...base, borrow: ['kermany'], balance: 'borrow', labelMapping: { ...base.labelMapping, kermany: { virus: 'positive' } } }),
      'invalid-spec',
      /borrow dataset "kermany" maps label "virus" to COVID\+/,
    )
    expectFailure(() => parseCompositionSpec({ ...base, labelMapping: {} }), 'invalid-spec', /dataset "corda" has no label mapping/)
    expectFailure(() => parseCompositionSpec({ ...base, primary: ['corda', 'corda'] }), 'invalid-spec', /"corda" is listed more than once/)
    expectFailure(() => parseCompositionSpec({ ...base, testPolicy: { other: { kind: 'count', positive: 1, negative: 1 } } }), 'invalid-spec', /test policy names dataset "other"/)
    expectFailure(() => parseCompositionSpec({ name: 'x' }), 'invalid-spec', /primary/)
  })

  it('test policies asking for more than there is, or for images that are not there', () => {
    expectFailure(
      () => composeDataset({ ...base, testPolicy: { corda: { kind: 'count', positive: 10, negative: 31 } } }, corda),
      'invalid-test-policy',
      /Test policy of dataset "corda": Cannot hold out 31 images of class "negative": it has 30/,
    )
    const error = expectFailure(
      () => composeDataset({ ...base, testPolicy: { corda: { kind: 'images', contentHashes: [corda[0].contentHash, 'gone'] } } }, corda),
      'missing-test-images',
      /lists 1 image\(s\) not among its labelled images: gone/,
    )
    expect(error.details).toEqual(['gone'])
  })

  it('a test-only composition: every image is test, no train or validation, leak-free', () => {
    const composition = composeDataset({ ...base, name: 'external', balance: 'none', testFraction: 1 }, corda)
    expect(composition.assignments).toHaveLength(corda.length)
    expect(composition.assignments.every((assignment) => assignment.split === 'test')).toBe(true)
    const rows = Object.fromEntries(composition.counts.rows.map((row) => [row.split, row.total]))
    expect(rows.test).toEqual({ positive: 60, negative: 30 })
    expect(rows.train).toEqual({ positive: 0, negative: 0 })
    expect(composition.warnings).toEqual([])
    expect(CompositionSchema.parse(composition)).toEqual(composition)
  })

  it('a test-only composition may hold one class, with a warning; borrowing lends negatives to its test set', () => {
    const positives = composeDataset({ ...base, balance: 'none', testFraction: 1, labelMapping: { corda: { 'COVID+': 'positive', 'COVID-': 'exclude' } } }, corda)
    expect(positives.assignments).toHaveLength(60)
    expect(positives.warnings).toEqual([expect.stringMatching(/Only COVID\+ images \(60\): on this test set sensitivity can be measured, specificity and AUC cannot/)])
    const borrowed = composeDataset(
      {
        ...base,
        balance: 'borrow',
        borrow: ['kermany'],
        testFraction: 1,
        labelMapping: { corda: { 'COVID+': 'positive', 'COVID-': 'exclude' }, kermany: { normal: 'negative', virus: 'negative' } },
      },
      [...corda, ...kermany],
    )
    const test = borrowed.counts.rows.find((row) => row.split === 'test')!
    expect(test.total).toEqual({ positive: 60, negative: 60 })
    expect(test.byDataset.kermany).toEqual({ positive: 0, negative: 60 })
    expectFailure(() => parseCompositionSpec({ ...base, testFraction: 1 }), 'invalid-spec', /no training set to subsample/)
    expectFailure(
      () => parseCompositionSpec({ ...base, balance: 'none', testFraction: 1, testPolicy: { corda: { kind: 'count', positive: 1, negative: 1 } } }),
      'invalid-spec',
      /a test policy does not apply/,
    )
  })

  it('disjointFrom leaves out the patients and identical images of the named compositions', () => {
    const training = composeDataset(base, corda)
    // One patient of the training composition, and an identical copy of another training image under a new patient.
    const first = training.assignments[0]
    const second = training.assignments.find((assignment) => assignment.patientId !== first.patientId)!
    const copy = { imageId: 'copy', datasetId: 'corda', patientId: 'new-patient', label: 'COVID+', contentHash: second.contentHash }
    const external = composeDataset({ ...base, name: 'external', balance: 'none', testFraction: 1, disjointFrom: ['train-id'] }, [...corda, copy], new Map([['train-id', { name: 'CORDA', assignments: training.assignments }]]))
    const used = new Set(training.assignments.map((assignment) => `${assignment.datasetId}/${assignment.patientId}`))
    expect(external.assignments.some((assignment) => used.has(`${assignment.datasetId}/${assignment.patientId}`))).toBe(false)
    expect(external.assignments.some((assignment) => assignment.imageId === 'copy')).toBe(false)
    const hashes = new Set(training.assignments.map((assignment) => assignment.contentHash))
    const expected = [...corda, copy].filter((image) => used.has(`${image.datasetId}/${image.patientId}`) || hashes.has(image.contentHash))
    const left = external.excluded.filter((image) => image.reason === 'in-other-composition')
    expect(left.map((image) => image.imageId).sort()).toEqual(expected.map((image) => image.imageId).sort())
    // What is left are the patients subsampled out of the training composition's training split.
    expect(external.assignments).toHaveLength(corda.length + 1 - expected.length)
    expect(external.warnings).toContain(`${left.length} image(s) left out: their patients (or identical images) are in "CORDA".`)
    expectFailure(() => composeDataset({ ...base, disjointFrom: ['gone'] }, corda), 'invalid-spec', /kept apart from composition\(s\) "gone", which are not saved/)
    expectFailure(() => parseCompositionSpec({ ...base, disjointFrom: ['a', 'a'] }), 'invalid-spec', /"a" is listed twice under disjointFrom/)
  })
})
