import { describe, it, expect } from 'vitest'
import {
  availablePaperPresets,
  checkLeakage,
  composeDataset,
  CompositionError,
  paperPresets,
  paperTableView,
  PAPER_PRESET_NAMES,
} from '@shared/datasets'
import type { Composition, CountTable } from '@shared/datasets'
import { paperDatasets } from './syntheticDatasets'

const data = paperDatasets()
const library = [...data.CORDA, ...data['COVID-ChestXRay'], ...data.ChestXRay, ...data.RSNA]
const roles = { CORDA: 'corda', RSNA: 'rsna', ChestXRay: 'kermany', 'COVID-ChestXRay': 'cohen' } as const

/** A Table I row as `{ dataset: [COVID+, COVID−] }` plus the total. */
function row(table: CountTable, split: string): Record<string, [number, number]> {
  const found = table.rows.find((entry) => entry.split === split)
  if (!found) throw new Error(`no ${split} row`)
  const cells: Record<string, [number, number]> = {}
  for (const [datasetId, counts] of Object.entries(found.byDataset)) cells[datasetId] = [counts.positive, counts.negative]
  cells.total = [found.total.positive, found.total.negative]
  return cells
}

const compositions = new Map<string, Composition>(
  PAPER_PRESET_NAMES.map((name) => [name, composeDataset(paperPresets[name](roles), library)]),
)
const tableOne = (name: string) => paperTableView((compositions.get(name) as Composition).counts)

// Table I's "train" row is the training data before the 80/20 validation split: the balanced training set
// plus the (unbalanced) validation set. With ⌈·⌉ held-out rounding (the paper's scikit-learn), CORDA splits as
//   COVID+ 297 → test ⌈89.1⌉ = 90, rest 207 → validation ⌈41.4⌉ = 42, training 165
//   COVID− 150 → test 45,              rest 105 → validation 21,           training 84
// so every count below follows exactly; no ±1 rounding differences remain.
describe('paper presets reproduce Table I', () => {
  it('CORDA: training subsampled to 84/84, so train 126 (84 + 42) / 105 (84 + 21), test 90/45', () => {
    const table = tableOne('CORDA')
    expect(row(table, 'train')).toEqual({ corda: [126, 105], total: [126, 105] })
    expect(row(table, 'test')).toEqual({ corda: [90, 45], total: [90, 45] })
    expect(row((compositions.get('CORDA') as Composition).counts, 'train')).toEqual({ corda: [84, 84], total: [84, 84] })
    expect(row((compositions.get('CORDA') as Composition).counts, 'validation')).toEqual({ corda: [42, 21], total: [42, 21] })
  })

  it('CORDA&ChestXRay: 102 + 45 ChestXRay negatives borrowed, train 207/207, test 90/90', () => {
    const table = tableOne('CORDA&ChestXRay')
    expect(row(table, 'train')).toEqual({ corda: [207, 105], kermany: [0, 102], total: [207, 207] })
    expect(row(table, 'test')).toEqual({ corda: [90, 45], kermany: [0, 45], total: [90, 90] })
    // 102 = 81 into training (165 − 84) + 21 into validation (42 − 21).
    const counts = (compositions.get('CORDA&ChestXRay') as Composition).counts
    expect(row(counts, 'train')).toEqual({ corda: [165, 84], kermany: [0, 81], total: [165, 165] })
    expect(row(counts, 'validation')).toEqual({ corda: [42, 21], kermany: [0, 21], total: [42, 42] })
  })

  it('CORDA&RSNA: 102 + 45 RSNA negatives borrowed, train 207/207, test 90/90', () => {
    const table = tableOne('CORDA&RSNA')
    expect(row(table, 'train')).toEqual({ corda: [207, 105], rsna: [0, 102], total: [207, 207] })
    expect(row(table, 'test')).toEqual({ corda: [90, 45], rsna: [0, 45], total: [90, 90] })
  })

  it('CORDA&COVID-ChestXRay: train 165/129, test 100/50 with the fixed 10 + 5 COVID-ChestXRay test set', () => {
    const table = tableOne('CORDA&COVID-ChestXRay')
    const train = row(table, 'train')
    // COVID− are all kept: CORDA 105, COVID-ChestXRay 24. COVID+ training is subsampled from 165 + 78 = 243 to
    // the 84 + 19 = 103 negatives, then validation adds 42 + 20: 165 in total, as in Table I.
    expect(train.total).toEqual([165, 129])
    expect(train.corda[1]).toBe(105)
    expect(train.cohen[1]).toBe(24)
    // Table I splits the 165 as CORDA 116 + COVID-ChestXRay 49: one random pooled draw (pandas `sample`). The
    // subsampling here is proportional to each dataset's share (165/243 × 103 = 69.9 → 70, 78/243 × 103 = 33.1
    // → 33), so the split is 42 + 70 = 112 and 20 + 33 = 53: same total, dataset shares fixed by design.
    expect(train.corda[0]).toBe(112)
    expect(train.cohen[0]).toBe(53)
    expect(row(table, 'test')).toEqual({ corda: [90, 45], cohen: [10, 5], total: [100, 50] })
  })

  it('COVID-ChestXRay: PA subset 108/29, fixed 10 + 5 test, not balanced: train 98/24', () => {
    const composition = compositions.get('COVID-ChestXRay') as Composition
    const table = paperTableView(composition.counts)
    expect(row(table, 'train')).toEqual({ cohen: [98, 24], total: [98, 24] })
    expect(row(table, 'test')).toEqual({ cohen: [10, 5], total: [10, 5] })
    // The 20 AP images are left out by the PA filter (Section III-A: "137 CXRs (PA)").
    expect(composition.excluded.filter((image) => image.reason === 'view-excluded')).toHaveLength(20)
  })

  it('every preset is leak-free and warns about nothing', () => {
    for (const [name, composition] of compositions) {
      expect(checkLeakage(composition).ok, name).toBe(true)
      expect(composition.warnings, name).toEqual([])
    }
  })

  it('the CORDA test set is the same images in every CORDA composition of one seed', () => {
    const cordaTest = (name: string) =>
      (compositions.get(name) as Composition).assignments
        .filter((image) => image.datasetId === 'corda' && image.split === 'test')
        .map((image) => image.imageId)
    const reference = cordaTest('CORDA')
    for (const name of ['CORDA&ChestXRay', 'CORDA&RSNA', 'CORDA&COVID-ChestXRay']) expect(cordaTest(name)).toEqual(reference)
  })

  it('builds only the presets whose roles are assigned, and names a missing role', () => {
    expect(availablePaperPresets({ CORDA: 'corda', RSNA: 'rsna' }).map((spec) => spec.name)).toEqual(['CORDA', 'CORDA&RSNA'])
    expect(() => paperPresets['CORDA&RSNA']({ CORDA: 'corda' })).toThrow(/needs a dataset for role\(s\): RSNA/)
    expect(() => paperPresets['CORDA&RSNA']({ CORDA: 'corda' })).toThrow(CompositionError)
  })

  it('borrows every ChestXRay class as COVID− (the paper set covid = 0 on the whole dataset)', () => {
    const spec = paperPresets['CORDA&ChestXRay'](roles)
    expect(spec.labelMapping.kermany).toEqual({ normal: 'negative', bacteria: 'negative', virus: 'negative' })
    expect(spec).toMatchObject({ testFraction: 0.3, validationFraction: 0.2, seed: 0, balance: 'borrow', borrow: ['kermany'] })
  })

  it('can use the exact published COVID-ChestXRay test list instead of 10 + 5 drawn by patient', () => {
    const listed = data['COVID-ChestXRay'].filter((image) => image.view === 'PA' && image.patientId.endsWith('-3')).map((image) => image.contentHash)
    const spec = paperPresets['COVID-ChestXRay'](roles, { covidChestXRayTestImages: listed })
    const composition = composeDataset(spec, library)
    const test = composition.assignments.filter((image) => image.split === 'test').map((image) => image.contentHash)
    expect(test.sort()).toEqual([...listed].sort())
  })
})
