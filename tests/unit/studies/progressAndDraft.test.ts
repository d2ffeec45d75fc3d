import { describe, expect, it } from 'vitest'
import type { CompositionSummary, DatasetSummary } from '@shared/library/summaries'
import { StudySpecSchema, studyProgress, type StudyRunView } from '@shared/studies'
import { draftSpec, followLibrary, initialDraft } from '../../../src-renderer/src/views/runs/studyDraft'
import { study } from './studyFixture'

const run = (id: string, state: StudyRunView['state'], seconds = 0, eta: number | null = null): StudyRunView => ({
  id,
  state,
  progress: state === 'running' ? { phase: 'finetune', epoch: 0, epochs: 2, step: 1, stepsPerEpoch: 4, imagesPerSecond: 1, etaSeconds: eta, loss: null } : null,
  timings: { createdAt: '', startedAt: null, finishedAt: null, prepareSeconds: seconds / 4, trainSeconds: (3 * seconds) / 4, attempts: 1 },
})

describe('studyProgress', () => {
  it('counts runs, evaluations and probes, and adds the current run’s ETA to the waiting runs at their cell’s pace', () => {
    const { record } = study([1, 2], (_cell, _seed, set) => Array.from({ length: set === 'covid' ? 15 : 135 }, (_, index) => (index % 7) / 7))
    // Slots: cell 0 seed 1, cell 1 seed 1, cell 0 seed 2, cell 1 seed 2 (seed by seed).
    record.evaluations = record.evaluations.filter((link) => link.runId === 'run-0' || link.runId === 'run-1')
    record.slots[3].runId = null
    record.datasetProbe = true
    record.probes = [{ slotKey: record.slots[0].key, runId: 'run-0', separability: { method: 'logistic-cv', accuracy: 0.9, chance: 0.5, n: 10, classes: ['a', 'b'], warning: true, folds: 5 } }]
    const runs = new Map([
      ['run-0', run('run-0', 'completed', 100)],
      ['run-1', run('run-1', 'completed', 300)],
      ['run-2', run('run-2', 'running', 0, 40)],
    ])
    const progress = studyProgress(record, runs, null)
    expect(progress.runs).toEqual({ total: 4, completed: 2, failed: 0, active: 1, waiting: 1 })
    expect(progress.evaluations).toEqual({ total: 8, done: 4 })
    expect(progress.probes).toEqual({ total: 4, done: 1 })
    expect(progress.currentRunId).toBe('run-2')
    // 40 s left on the current run, plus cell 1's second seed at cell 1's pace (300 s).
    expect(progress.etaSeconds).toBe(340)
    expect(studyProgress({ ...record, state: 'cancelled' }, runs, null).etaSeconds).toBeNull()
    // A failed run is counted apart and owes no evaluation.
    const failed = studyProgress(record, new Map([...runs, ['run-2', { ...run('run-2', 'failed') }]]), null)
    expect(failed.runs).toMatchObject({ failed: 1, active: 0 })
    expect(failed.evaluations.total).toBe(6)
  })
})

const summary = (id: string, name: string, specName: string, train: number): CompositionSummary => ({
  id,
  name,
  specName,
  algorithm: 'cxr-composition/1',
  seed: 0,
  createdAt: '',
  datasetIds: [],
  assignedCount: train + 10,
  excludedCount: 0,
  warningCount: 0,
  counts: {
    datasetIds: [],
    rows: [
      { split: 'train', byDataset: {}, total: { positive: train, negative: 0 } },
      { split: 'validation', byDataset: {}, total: { positive: 0, negative: 0 } },
      { split: 'test', byDataset: {}, total: { positive: 5, negative: 5 } },
    ],
    total: { split: 'total', byDataset: {}, total: { positive: train + 5, negative: 5 } },
  },
})
const compositions = [summary('c-covid', 'my covid set', 'COVID-ChestXRay', 98), summary('c-ext', 'hospital B', 'external', 0)]
const datasets = [{ id: 'kermany', name: 'Kermany', classCounts: { normal: 3, bacteria: 2, virus: 1 } }] as unknown as DatasetSummary[]

describe('the study launcher’s draft', () => {
  it('starts from the preset on the library’s COVID-ChestXRay composition, Kermany and the external sets: a valid study', () => {
    const draft = initialDraft(compositions, datasets)
    expect(draft.preset).toEqual({ study: 'pretraining', training: 'c-covid', pretrainDataset: 'kermany', externals: ['c-ext'], size: 'reduced' })
    const spec = StudySpecSchema.parse(draftSpec(draft))
    expect(spec.compositions).toEqual([{ compositionId: 'c-covid', paper: 'COVID-ChestXRay' }])
    expect(spec.testSets).toEqual([{ compositionId: 'c-ext' }])
    expect(spec.seeds).toEqual([1, 2, 3])
    expect(spec.training).toMatchObject({ baseWidth: 16, input: { resize: 73, crop: 64 } })
  })

  it('offers the Table IV preset on the same choices, the paper’s names of the test sets taken from their recipes', () => {
    const draft = initialDraft(compositions, datasets)
    draft.preset = { ...draft.preset, study: 'table-iv', externals: ['c-ext', 'c-corda'] }
    const library = [...compositions, summary('c-corda', 'our CORDA', 'CORDA', 40)]
    const spec = StudySpecSchema.parse(draftSpec(draft, library))
    expect(spec.name).toBe('Table IV: COVID-Net vs ResNet-18 (reduced)')
    expect(spec.architectures).toEqual(['covidnet', 'resnet18'])
    expect(spec.pretraining.map((level) => [level.pretraining.kind, level.paper])).toEqual([['train', 'ChestXRay']])
    expect(spec.testSets).toEqual([{ compositionId: 'c-ext' }, { compositionId: 'c-corda', paper: 'CORDA' }])
  })

  it('builds a custom grid with the paper’s names as chosen, and says what is missing', () => {
    const draft = initialDraft(compositions, datasets)
    draft.mode = 'custom'
    draft.custom = { ...draft.custom, architectures: ['conv8', 'resnet18'], pretrainDataset: 'kermany', labelMap: { normal: 'normal', bacteria: 'bacteria', virus: 'virus' }, pretrainPaper: 'ChestXRay', seeds: 2, inputSize: 112 }
    const spec = StudySpecSchema.parse(draftSpec(draft))
    expect(spec.pretraining.map((level) => [level.pretraining.kind, level.paper])).toEqual([['none', 'none'], ['train', 'ChestXRay']])
    expect(spec.compositions).toEqual([{ compositionId: 'c-covid', paper: 'COVID-ChestXRay' }])
    expect(spec.seeds).toEqual([1, 2])
    expect(spec.training.input).toEqual({ resize: 128, crop: 112 })
    expect(draftSpec({ ...draft, custom: { ...draft.custom, architectures: [] } })).toBe('Choose at least one network.')
    expect(draftSpec({ ...draft, custom: { ...draft.custom, labelMap: { normal: 'normal', odd: '' } } })).toBe('Say which pre-training class “odd” is.')
    expect(draftSpec({ ...draft, custom: { ...draft.custom, withoutPretraining: false, pretrainDataset: '' } })).toBe('Choose “no pre-training”, a pre-training dataset, or both.')
  })

  it('follows the library when its lists arrive after the launcher opened, keeping what the user already chose', () => {
    // Opened before the library answered: nothing to default to.
    const empty = initialDraft([], [])
    const draft = structuredClone(empty)
    draft.mode = 'custom'
    draft.custom.seeds = 2
    draft.custom.name = 'tiny e2e study'
    const loaded = initialDraft(compositions, datasets)
    const followed = followLibrary(draft, empty, loaded)
    // The untouched defaults come from the library: the COVID composition, the external test set, Kermany.
    expect(followed.custom.compositions).toEqual(['c-covid'])
    expect(followed.custom.testSets).toEqual(['c-ext'])
    expect(followed.preset).toEqual(loaded.preset)
    // What the user set stays.
    expect(followed.mode).toBe('custom')
    expect(followed.custom.seeds).toBe(2)
    expect(followed.custom.name).toBe('tiny e2e study')
    // A choice the user made before a later change of the lists is kept too.
    followed.custom.testSets = []
    const again = followLibrary(followed, loaded, initialDraft([...compositions, summary('c-two', 'hospital C', 'external', 0)], datasets))
    expect(again.custom.testSets).toEqual([])
    expect(again.preset.externals).toEqual(['c-ext', 'c-two'])
  })
})
