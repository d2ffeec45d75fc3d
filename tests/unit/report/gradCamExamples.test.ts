/**
 * The report's Grad-CAM examples: which images are chosen from the stored predictions (deterministically), and how
 * the collector turns them into pictures through injected Grad-CAM, library and decoder, capping the models and
 * turning a missing or unreadable file into a warning line instead of a failed report.
 */
import { describe, expect, it } from 'vitest'
import type { EvaluationMatrix, EvaluationRecord, PredictionRow } from '@shared/evaluation/types'
import type { GradCamRequest, GradCamResult } from '../../../src-main/services/evaluation/gradCam'
import { chooseGradCamExamples, collectGradCamExamples, type GradCamExampleDeps } from '../../../src-main/services/report/gradCamExamples'

const row = (imageId: string, label: 0 | 1, score: number, datasetId = 'd1'): PredictionRow => ({ imageId, datasetId, patientId: imageId, contentHash: 'h', label, score })

describe('chooseGradCamExamples', () => {
  it('takes the surest true positive, false positive and false negative, ties to the smaller image id', () => {
    const rows = [row('tp-b', 1, 0.97), row('tp-a', 1, 0.97), row('tp-low', 1, 0.6), row('fp-1', 0, 0.55), row('fp-2', 0, 0.81), row('fn-1', 1, 0.2), row('fn-2', 1, 0.05), row('tn', 0, 0.01)]
    expect(chooseGradCamExamples(rows, 0.5).map(({ kind, row: chosen }) => [kind, chosen.imageId])).toEqual([
      ['true positive', 'tp-a'],
      ['false positive', 'fp-2'],
      ['false negative', 'fn-2'],
    ])
    // The order of the stored rows does not matter.
    expect(chooseGradCamExamples([...rows].reverse(), 0.5)).toEqual(chooseGradCamExamples(rows, 0.5))
  })

  it('counts a score at the threshold as COVID+, and skips a kind that has no image', () => {
    expect(chooseGradCamExamples([row('a', 0, 0.5), row('b', 1, 0.9)], 0.5).map((choice) => choice.kind)).toEqual(['true positive', 'false positive'])
    expect(chooseGradCamExamples([row('a', 0, 0.1), row('b', 0, 0.2)], 0.5)).toEqual([])
  })
})

function evaluation(id: string, runId: string, predictions: PredictionRow[]): EvaluationRecord {
  return {
    id,
    runId,
    compositionId: 'c1',
    split: 'test',
    variant: 'standard',
    createdAt: '2024-01-01T00:00:00Z',
    options: { threshold: 0.5, haldane: false, replicates: 0, seed: 1 },
    predictions,
    metrics: { threshold: 0.5, counts: { n: predictions.length, positives: 0, negatives: 0, patients: 0, patientIdsProvided: true }, confusion: { tp: 0, fp: 0, tn: 0, fn: 0 }, metrics: {} },
    notes: [],
  }
}

/** Three models; the first is evaluated only on the second test set, the third on none. */
const matrix: EvaluationMatrix = {
  split: 'test',
  variant: 'standard',
  rows: ['run-1', 'run-2', 'run-3'].map((runId) => ({ runId, name: `model ${runId}`, architecture: 'conv8', pretraining: 'none', trainingCompositionId: 'c1', trainingCompositionName: 'train' })),
  columns: [
    { compositionId: 'c1', name: 'Set one', split: 'test' },
    { compositionId: 'c2', name: 'Set two', split: 'test' },
  ],
  cells: [
    [{ runId: 'run-1', compositionId: 'c1', evaluationId: null, n: null, metrics: null }, { runId: 'run-1', compositionId: 'c2', evaluationId: 'e1', n: 3, metrics: {} }],
    [{ runId: 'run-2', compositionId: 'c1', evaluationId: 'e2', n: 2, metrics: {} }, { runId: 'run-2', compositionId: 'c2', evaluationId: 'e2b', n: 2, metrics: {} }],
    [{ runId: 'run-3', compositionId: 'c1', evaluationId: null, n: null, metrics: null }, { runId: 'run-3', compositionId: 'c2', evaluationId: null, n: null, metrics: null }],
  ],
}
const evaluations = [
  evaluation('e1', 'run-1', [row('tp', 1, 0.9), row('fp', 0, 0.7, 'd2'), row('gone', 1, 0.1)]),
  evaluation('e2', 'run-2', [row('tp', 1, 0.8), row('broken', 0, 0.6)]),
  evaluation('e2b', 'run-2', [row('other', 1, 0.99)]),
]

function fakes() {
  const calls: GradCamRequest[] = []
  const files: Record<string, string> = { 'd1/tp': '/data/tp.png', 'd2/fp': '/data/fp.png', 'd1/broken': '/data/broken.png' }
  const deps: GradCamExampleDeps = {
    gradCam: {
      async gradCam(request): Promise<GradCamResult> {
        calls.push(request)
        if (request.imagePath === '/data/broken.png') throw new Error('could not read /data/broken.png: not a PNG file')
        return { width: 4, height: 2, heatmap: new Float32Array([0, 0, 0, 1, 0, 0, 0, 0]), probability: 0.875, insideLungShare: request.runId === 'run-1' ? 0.25 : null, shareUnknown: request.runId === 'run-1' ? null : 'no-lung-model' }
      },
    },
    library: {
      async listDatasets() {
        return [{ id: 'd1', name: 'First dataset' }, { id: 'd2', name: 'Second dataset' }] as Awaited<ReturnType<GradCamExampleDeps['library']['listDatasets']>>
      },
      async listImages({ datasetId, offset = 0 }) {
        const images = Object.entries(files)
          .filter(([key]) => key.startsWith(`${datasetId}/`))
          .map(([key, path]) => ({ imageId: key.slice(datasetId.length + 1), path }))
        return { total: images.length, offset, images: images.slice(offset) } as unknown as Awaited<ReturnType<GradCamExampleDeps['library']['listImages']>>
      },
    },
    decode: async () => ({ width: 4, height: 2, pixels: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]) }),
  }
  return { deps, calls }
}

describe('collectGradCamExamples', () => {
  it("explains each model's chosen images on its first evaluated test set, with names, and keeps going past a bad file", async () => {
    const { deps, calls } = fakes()
    const progress: [number, number][] = []
    const figures = await collectGradCamExamples(deps, { matrix, evaluations, onProgress: (done, total) => progress.push([done, total]) })
    // run-1: tp, fp, fn ("gone", not in the library: no Grad-CAM pass); run-2 on Set one (not Set two): tp, fp ("broken").
    expect(calls.map((call) => [call.runId, call.imagePath])).toEqual([
      ['run-1', '/data/tp.png'],
      ['run-1', '/data/fp.png'],
      ['run-2', '/data/tp.png'],
      ['run-2', '/data/broken.png'],
    ])
    expect(figures.examples.map((example) => [example.runName, example.testSetName, example.kind, example.datasetName, example.insideLungShare])).toEqual([
      ['model run-1', 'Set two', 'true positive', 'First dataset', 0.25],
      ['model run-1', 'Set two', 'false positive', 'Second dataset', 0.25],
      ['model run-2', 'Set one', 'true positive', 'First dataset', null],
    ])
    expect(figures.examples.every((example) => example.picture.startsWith('data:image/png;base64,') && example.probability === 0.875)).toBe(true)
    expect(figures.problems).toEqual([
      'Grad-CAM example of model run-1 (false negative, image gone of First dataset) left out: the image is no longer in the library.',
      'Grad-CAM example of model run-2 (false positive, image broken of First dataset) left out: could not read /data/broken.png: not a PNG file',
    ])
    expect(figures).toMatchObject({ runsShown: 2, runsWithEvaluations: 2 })
    expect(progress).toEqual([[0, 5], [1, 5], [2, 5], [3, 5], [4, 5], [5, 5]])
  })

  it('caps the models and says how many had evaluations', async () => {
    const { deps, calls } = fakes()
    const figures = await collectGradCamExamples(deps, { matrix, evaluations, maxRuns: 1 })
    expect(new Set(calls.map((call) => call.runId))).toEqual(new Set(['run-1']))
    expect(figures).toMatchObject({ runsShown: 1, runsWithEvaluations: 2 })
  })

  it('leaves out an image whose file no longer matches its heatmap', async () => {
    const { deps } = fakes()
    const figures = await collectGradCamExamples({ ...deps, decode: async () => ({ width: 2, height: 2, pixels: new Float32Array(4) }) }, { matrix, evaluations, maxRuns: 1 })
    expect(figures.examples).toEqual([])
    expect(figures.problems[0]).toMatch(/image tp of First dataset\) left out: the file changed size since/)
  })
})
