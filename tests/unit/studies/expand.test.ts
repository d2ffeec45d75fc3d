import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '@shared/runs/config'
import { describeStudyIssues, expandStudy, StudyError, StudySpecSchema, type ExpansionContext, type StudySpecInput } from '@shared/studies'

const names: Record<string, string> = { 'comp-covid': 'COVID-ChestXRay', 'comp-corda': 'CORDA', 'ext-ap': 'COVID-ChestXRay AP', 'ext-kermany': 'Kermany test' }
const context: ExpansionContext = {
  compositionName: (id) => names[id],
  isTestOnly: (id) => id.startsWith('ext-'),
  datasetName: (id) => (id === 'kermany-train' ? 'ChestXRay (train)' : undefined),
}
const kermany = { kind: 'train' as const, datasetIds: ['kermany-train'], labelMap: { normal: 'normal' as const, bacteria: 'bacteria' as const, virus: 'virus' as const }, epochs: 2 }

const grid: StudySpecInput = {
  name: 'grid',
  architectures: ['resnet18', 'conv8'],
  pretraining: [{ pretraining: { kind: 'none' } }, { pretraining: kermany, paper: 'ChestXRay' }],
  compositions: [{ compositionId: 'comp-covid', paper: 'COVID-ChestXRay' }],
  seeds: [1, 2, 3],
  testSets: [{ compositionId: 'ext-ap' }, { compositionId: 'ext-kermany' }],
  training: { epochs: 2, baseWidth: 4, input: { resize: 36, crop: 32 } },
}

describe('expandStudy', () => {
  it('expands architectures × pre-training × compositions into cells, one run per seed, seed by seed', () => {
    const { cells, slots, testSets } = expandStudy(StudySpecSchema.parse(grid), context)
    expect(cells.map((cell) => cell.label)).toEqual([
      'ResNet-18, no pre-training, trained on COVID-ChestXRay',
      'ResNet-18, pre-trained on ChestXRay (train), trained on COVID-ChestXRay',
      'Conv8, no pre-training, trained on COVID-ChestXRay',
      'Conv8, pre-trained on ChestXRay (train), trained on COVID-ChestXRay',
    ])
    expect(cells[1]).toMatchObject({ paperPretraining: 'ChestXRay', paperComposition: 'COVID-ChestXRay', pretrainingIndex: 1 })
    expect(cells[0].paperPretraining).toBeNull()
    // 4 cells × 3 seeds, every cell's first seed before any second seed.
    expect(slots).toHaveLength(12)
    expect(slots.map((slot) => slot.seed)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
    expect(slots.slice(0, 4).map((slot) => slot.cellKey)).toEqual(cells.map((cell) => cell.key))
    expect(new Set(slots.map((slot) => slot.key)).size).toBe(12)
    expect(new Set(slots.map((slot) => slot.config.name)).size).toBe(12)
    for (const slot of slots) {
      expect(RunConfigSchema.parse(slot.config)).toEqual(slot.config)
      expect(slot.config).toMatchObject({ seed: slot.seed, compositionId: 'comp-covid', epochs: 2, baseWidth: 4, input: { resize: 36, crop: 32 }, preprocessing: 'full' })
      expect(slot.runId).toBeNull()
    }
    expect(slots[1].config.pretraining).toEqual({ ...kermany, classes: 'three', validationFraction: 0.1 })
    expect(slots[0].config.pretraining).toEqual({ kind: 'none' })
    expect(slots[5].config.name).toBe('grid: ResNet-18, pre-trained on ChestXRay (train), trained on COVID-ChestXRay, seed 2')
    // The training composition's own test split first, then the listed ones; test-only ones flagged.
    expect(testSets).toEqual([
      { compositionId: 'comp-covid', name: 'COVID-ChestXRay', testOnly: false, trainedOn: true, paper: 'COVID-ChestXRay' },
      { compositionId: 'ext-ap', name: 'COVID-ChestXRay AP', testOnly: true, trainedOn: false, paper: null },
      { compositionId: 'ext-kermany', name: 'Kermany test', testOnly: true, trainedOn: false, paper: null },
    ])
  })

  it('names the preprocessing in labels when the grid varies it', () => {
    const { cells } = expandStudy(StudySpecSchema.parse({ ...grid, architectures: ['conv8'], pretraining: undefined, preprocessing: ['full', 'raw'], seeds: [1] }), context)
    expect(cells.map((cell) => cell.label)).toEqual(['Conv8, full preprocessing, no pre-training, trained on COVID-ChestXRay', 'Conv8, raw pixels, no pre-training, trained on COVID-ChestXRay'])
  })

  it('refuses a test-only composition to train on, and an unknown composition', () => {
    expect(() => expandStudy(StudySpecSchema.parse({ ...grid, compositions: [{ compositionId: 'ext-ap' }], testSets: [] }), context)).toThrow(
      /"COVID-ChestXRay AP" is an external test set \(every image is test\): nothing can be trained on it; list it under testSets/,
    )
    expect(() => expandStudy(StudySpecSchema.parse({ ...grid, testSets: [{ compositionId: 'nowhere' }] }), context)).toThrow(StudyError)
    expect(() => expandStudy(StudySpecSchema.parse({ ...grid, testSets: [{ compositionId: 'nowhere' }] }), context)).toThrow(/the test set "nowhere" is not a saved composition/)
  })
})

describe('StudySpecSchema', () => {
  const issues = (input: unknown) => {
    const parsed = StudySpecSchema.safeParse(input)
    return parsed.success ? [] : describeStudyIssues(parsed.error)
  }

  it('fills defaults: full preprocessing, no pre-training, the paper threshold and bootstrap', () => {
    const spec = StudySpecSchema.parse({ name: 'x', architectures: ['conv8'], compositions: [{ compositionId: 'c' }], seeds: [0] })
    expect(spec.preprocessing).toEqual(['full'])
    expect(spec.pretraining).toEqual([{ pretraining: { kind: 'none' } }])
    expect(spec.evaluation).toEqual({ threshold: 0.5, replicates: 1000, bootstrapSeed: 20200428, datasetProbe: true, comparisonMetrics: ['auc', 'balancedAccuracy'] })
    expect(spec.training).toMatchObject({ epochs: 20, batchSize: 16, learningRate: 0.01 })
  })

  it('says what is wrong, field by field', () => {
    expect(issues({ ...grid, seeds: [1, 2, 1] })).toEqual(['seeds: 1 is listed twice'])
    expect(issues({ ...grid, seed: [1] })).toEqual(['unknown setting "seed" (check the spelling; see the study file\'s documented settings)'])
    expect(issues({ ...grid, training: { epoch: 3 } })).toEqual(['unknown setting "training.epoch" (check the spelling; see the study file\'s documented settings)'])
    expect(issues({ ...grid, testSets: [{ compositionId: 'comp-covid' }] })).toEqual(['testSets.0: composition comp-covid is trained on: its test split is a test set already'])
    expect(issues({ ...grid, pretraining: [{ pretraining: { kind: 'run', runId: 'run-1' } }] })[0]).toMatch(/pretraining.0.pretraining: a study pre-trains each seed itself/)
    expect(issues({ ...grid, seeds: [] })[0]).toMatch(/^seeds: /)
    expect(issues({ ...grid, training: { architecture: 'conv8' } })[0]).toMatch(/unknown setting "training.architecture"/)
    expect(issues({ ...grid, training: { input: { resize: 16, crop: 32 } } })).toEqual(['training.input: input.crop must not exceed input.resize'])
  })
})
