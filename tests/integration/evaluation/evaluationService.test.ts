/**
 * The evaluation service end to end on this thread's wasm backend: a tiny run (the runs fixtures) scored on its
 * composition's test split, the record stored, the matrix cell, `cxr metrics` on the exported CSV, the
 * lungs-removed variant, and encoder features → t-SNE / k-NN / probe.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePredictionsCsv } from '@shared/evaluation/csv'
import { evaluateBinary, toJsonSafe } from '@shared/metrics'
import { runCli } from '../../../src-main/cli/runCli'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { createEvaluationService, type EvaluationServiceImpl } from '../../../src-main/services/evaluation'
import { createRunsService, type RunsServiceImpl } from '../../../src-main/services/runs'
import type { LungMaskFunction, LungMaskers } from '../../../src-main/services/inputs'
import { createJobLauncher } from '../../../src-main/services/workers/launcher'
import { fakeLibrary, tinyRunConfig, writeFixtureImages, type FixtureImage } from '../runs/support/fixtures'

let root: string
let images: FixtureImage[]
let runs: RunsServiceImpl
let runId: string
const library = () => fakeLibrary(images)
/** Lung "models" that answer with a given mask function: what the service needs of real ones. */
const fakeMaskers = (lungMask: LungMaskFunction): LungMaskers => ({ for: (ref) => ({ ref, mask: lungMask, dispose: () => undefined }), dispose: () => undefined })
const evaluationService = (lungMask?: LungMaskFunction): EvaluationServiceImpl => {
  const lib = library()
  return createEvaluationService({
    dataFolder: join(root, 'data'),
    runs,
    compositions: { load: async (compositionId) => ({ composition: await lib.loadComposition({ compositionId }) }) },
    library: lib,
    activeLungModel: async () => (lungMask ? { modelId: 'lung-test', name: 'left half', folder: '/nowhere' } : null),
    // On this thread, with the lung "model" injected: the same job code the workers run.
    jobs: createJobLauncher({ kind: 'in-process', lungMaskers: fakeMaskers(lungMask ?? (async () => null)) }),
  })
}

beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-evaluation-'))
  // Slots 0–3 train, 4–5 validation, 6–7 test: every split has both classes (labels alternate).
  images = (await writeFixtureImages(join(root, 'images'), 24)).map((image, index) => {
    const slot = index % 8
    return { ...image, split: slot >= 6 ? 'test' : slot >= 4 ? 'validation' : 'train' }
  })
  runs = createRunsService({ dataFolder: join(root, 'data'), library: library(), execution: { kind: 'in-process' } })
  runId = (await runs.start(tinyRunConfig({ epochs: 1 }))).runId
  const record = await runs.waitForRun({ runId })
  expect(record.failureReason).toBeNull()
})
afterAll(async () => {
  await runs?.close()
  rmSync(root, { recursive: true, force: true })
})

async function cxr(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) }, {})
  return { code, stdout, stderr }
}

describe('evaluation service', () => {
  it('scores the test split, stores predictions and metrics, fills the matrix, and cxr metrics agrees', async () => {
    const service = evaluationService()
    const before = tf.memory().numTensors
    const record = await service.evaluate({ runId, compositionId: 'comp-1', split: 'test', options: { replicates: 50 } })
    expect(tf.memory().numTensors).toBe(before)
    const test = images.filter((image) => image.split === 'test')
    expect(record.predictions.map((row) => row.imageId)).toEqual(test.map((image) => image.imageId))
    expect(record.predictions.map((row) => row.label)).toEqual(test.map((image) => (image.positive ? 1 : 0)))
    expect(record.predictions.every((row) => row.score >= 0 && row.score <= 1)).toBe(true)
    expect(record.metrics.counts.n).toBe(test.length)
    expect(record.metrics.metrics.auc.ci).toBeDefined()
    expect(existsSync(join(root, 'data', 'evaluations', `${record.id}.json`))).toBe(true)
    expect((await service.get({ evaluationId: record.id })).predictions).toEqual(record.predictions)
    expect((await service.list()).map((summary) => summary.id)).toContain(record.id)

    const matrix = await service.matrix({})
    expect(matrix.rows.map((row) => row.runId)).toEqual([runId])
    expect(matrix.rows[0]).toMatchObject({ architecture: 'conv8', pretraining: 'none', trainingCompositionId: 'comp-1' })
    expect(matrix.columns.map((column) => column.compositionId)).toEqual(['comp-1'])
    expect(matrix.cells[0][0].evaluationId).toBe(record.id)
    expect(await service.exportMatrixCsv({})).toContain(record.id)

    // The exported CSV through `cxr metrics`: the same metrics as evaluateBinary, and as the stored record
    // (same patients, replicates and seed).
    const csvPath = join(root, 'predictions.csv')
    writeFileSync(csvPath, await service.exportPredictionsCsv({ evaluationId: record.id }))
    const { code, stdout, stderr } = await cxr(['metrics', csvPath, '--replicates', '50'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const printed = JSON.parse(stdout)
    const parsed = parsePredictionsCsv(readFileSync(csvPath, 'utf8'))
    expect(printed).toEqual(JSON.parse(JSON.stringify(toJsonSafe(evaluateBinary({ ...parsed, bootstrap: { replicates: 50 } })))))
    expect(printed.metrics).toEqual(record.metrics.metrics)
  })

  it('lungs-removed: fails clearly without a lung model, blacks out the mask with one', async () => {
    await expect(evaluationService().evaluate({ runId, compositionId: 'comp-1', variant: 'lungs-removed', options: { replicates: 0 } })).rejects.toThrow(/lung segmentation model/)
    // A "lung" mask over the left half, where the COVID+ blobs of the fixtures are.
    const leftHalf: LungMaskFunction = async (decoded) => Float32Array.from({ length: decoded.width * decoded.height }, (_, i) => (i % decoded.width < decoded.width / 2 ? 1 : 0))
    const service = evaluationService(leftHalf)
    const standard = await service.evaluate({ runId, compositionId: 'comp-1', options: { replicates: 0 } })
    const removed = await service.evaluate({ runId, compositionId: 'comp-1', variant: 'lungs-removed', options: { replicates: 0 } })
    expect(removed.variant).toBe('lungs-removed')
    expect(removed.predictions.map((row) => row.score)).not.toEqual(standard.predictions.map((row) => row.score))
    const matrix = await service.matrix({ variant: 'lungs-removed' })
    expect(matrix.cells[0][0].evaluationId).toBe(removed.id)
  })

  it('encoder features → one t-SNE point per image, k-NN and probe scores', async () => {
    const service = evaluationService()
    const progress: string[] = []
    service.onDidProgress((event) => progress.push(`${event.task} ${event.stage} ${event.done}/${event.total}`))
    const before = tf.memory().numTensors
    const features = await service.encoderFeatures({ runId, compositionIds: ['comp-1'], split: 'train', limit: 10 })
    expect(tf.memory().numTensors).toBe(before)
    expect(features.values).toHaveLength(10)
    expect(features.dimension).toBeGreaterThan(0)
    const points = await service.tsne(features, { iterations: 100 })
    expect(points).toHaveLength(10)
    for (const point of points) expect(Number.isFinite(point.x) && Number.isFinite(point.y)).toBe(true)
    expect(points[0]).toMatchObject({ imageId: features.items[0].imageId, datasetId: 'synthetic' })
    // Each stage ends with its last event, whatever the throttling dropped before it.
    expect(progress).toEqual(expect.arrayContaining(['features predicting 10/10', 'tsne mapping 100/100']))
    const report = await service.bias({ runId, compositionIds: ['comp-1'], split: 'train', limit: 10, tsne: { iterations: 50 } })
    expect(report.points).toHaveLength(10)
    // One dataset only: chance is 1 and nothing to warn about.
    expect(report.knn).toMatchObject({ chance: 1, warning: false })
    expect(report.probe.accuracy).toBeNull()
  })
})

describe('cxr metrics errors', () => {
  it('exits 1 naming the column or line', async () => {
    const missing = join(root, 'missing.csv')
    writeFileSync(missing, 'label,prob\n1,0.5\n')
    const first = await cxr(['metrics', missing])
    expect(first.code).toBe(1)
    expect(first.stderr).toMatch(/no 'score' column/)
    const bad = join(root, 'bad.csv')
    writeFileSync(bad, 'label,score\n1,0.5\n0,x\n')
    const second = await cxr(['metrics', bad])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/line 3, column score/)
    expect((await cxr(['metrics', bad, '--threshold', '2'])).code).toBe(2)
  })
})
