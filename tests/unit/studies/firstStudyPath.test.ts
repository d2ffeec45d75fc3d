import { describe, expect, it } from 'vitest'
import type { EvaluationSummary } from '@shared/evaluation/types'
import type { CompositionSummary, DatasetSummary } from '@shared/library/summaries'
import { RunConfigSchema } from '@shared/runs/config'
import type { RunRecord } from '@shared/runs/record'
import { currentStep, runName, studySteps, type StudyState } from '../../../src-renderer/src/views/start/studySteps'

const dataset = (id: string, imageCount: number): DatasetSummary =>
  ({ id, name: id, imageCount, patientCount: imageCount, maskCount: 0, classCounts: {}, viewCounts: {} }) as unknown as DatasetSummary

/** A composition with `train` training and `test` test images (none in training: an external test set). */
function composition(id: string, datasetIds: string[], train: number, test: number): CompositionSummary {
  const row = (split: string, total: number) => ({ split, total: { positive: total / 2, negative: total / 2 } })
  return { id, name: id, datasetIds, counts: { rows: [row('train', train), row('validation', train / 4), row('test', test)] } } as unknown as CompositionSummary
}

function run(id: string, state: RunRecord['state'], name = ''): RunRecord {
  return {
    id,
    config: RunConfigSchema.parse({ name, architecture: 'resnet18', compositionId: 'c' }),
    state,
    progress: state === 'running' ? { phase: 'preparing', epoch: 0, epochs: 1, step: 10, stepsPerEpoch: 100, imagesPerSecond: 0, etaSeconds: null, loss: null } : null,
    timings: { createdAt: '2026-12-07T07:00:00Z', startedAt: null, finishedAt: state === 'completed' ? '2026-12-07T07:05:00Z' : null, prepareSeconds: 60, trainSeconds: 100, attempts: 1 },
  } as unknown as RunRecord
}

const empty: StudyState = { datasets: [], compositions: [], segmented: {}, lungModelName: 'lung-unet', runs: [], evaluations: [] }
const statuses = (state: StudyState) => studySteps(state).map((step) => `${step.id}:${step.status}`)

describe('the first-study path', () => {
  it('starts at the import, every later step waiting for it', () => {
    expect(statuses(empty)).toEqual(['import:next', 'segment:waiting', 'compose:waiting', 'train:waiting', 'results:waiting'])
    expect(currentStep(studySteps(empty))?.action).toEqual({ label: 'Import a dataset', path: '/datasets/import' })
  })

  it('asks for the lungs of the dataset and the sets next; segmenting is advised, never a gate', () => {
    const imported = { ...empty, datasets: [dataset('covid', 10)] }
    expect(statuses(imported)).toEqual(['import:done', 'segment:next', 'compose:next', 'train:waiting', 'results:waiting'])
    expect(currentStep(studySteps(imported))?.id).toBe('segment')
    expect(studySteps(imported)[1].next).toBe('Segment the lungs of covid (0 of 10 images so far), then look at the most unusual masks first.')
    // With a composition the path goes on to training; the lungs stay to do.
    const composed = { ...imported, compositions: [composition('split', ['covid'], 8, 2)] }
    expect(statuses(composed)).toEqual(['import:done', 'segment:next', 'compose:done', 'train:next', 'results:waiting'])
    expect(statuses({ ...composed, segmented: { covid: 10 } })).toEqual(['import:done', 'segment:done', 'compose:done', 'train:next', 'results:waiting'])
  })

  it('does not count an external test set as training sets, and offers one once there is a second dataset', () => {
    const state = { ...empty, datasets: [dataset('covid', 10), dataset('other', 6)], segmented: { covid: 10, other: 6 }, compositions: [composition('other only', ['other'], 0, 6)] }
    expect(studySteps(state)[2].status).toBe('next')
    const trained = { ...state, compositions: [composition('split', ['covid'], 8, 2)] }
    expect(studySteps(trained)[2].extra?.action).toEqual({ label: 'Make an external test set', path: '/datasets/compose', query: { external: '1' } })
  })

  it('shows a run under way, then asks to evaluate the newest model by name, never by id', () => {
    const base = { ...empty, datasets: [dataset('covid', 10)], segmented: { covid: 10 }, compositions: [composition('split', ['covid'], 8, 2)] }
    const training = studySteps({ ...base, runs: [run('run-1', 'running', 'Quick look')] })[3]
    expect(training.status).toBe('running')
    expect(training.done).toBe('Quick look is training (preparing its inputs).')
    const done = studySteps({ ...base, runs: [run('run-1', 'completed', 'Quick look')] })
    expect(done[3].done).toBe('1 trained model: Quick look (the last took 3 min).')
    expect(done[4].next).toBe('Test Quick look on every test set: its own and the external ones.')
    expect(done[4].action).toEqual({ label: 'Evaluate this model', path: '/results', query: { evaluate: 'run-1' } })
    const evaluated = { runId: 'run-1', variant: 'standard' } as unknown as EvaluationSummary
    expect(currentStep(studySteps({ ...base, runs: [run('run-1', 'completed')], evaluations: [evaluated] }))).toBeNull()
    // A run without a name is called by its network and date.
    expect(runName(run('run-2', 'completed'))).toBe('resnet18 run of 2026-12-07')
  })
})
