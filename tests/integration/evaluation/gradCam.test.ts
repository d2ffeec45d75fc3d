/**
 * Grad-CAM end to end on this thread's wasm backend: a tiny run (the runs fixtures' library and configuration) on
 * a synthetic task whose only COVID+ signal is a bright blob in the top-left quadrant (COVID− images have none),
 * then the heatmap of a COVID+ image at the radiograph's size, with the share a top-left "lung mask" measures; and
 * the report of that run with its confusion matrix and Grad-CAM examples, one of them an image whose file is gone.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { createJobLauncher } from '../../../src-main/services/workers/launcher'
import { saliencyInsideLungs } from '@shared/evaluation/saliency'
import { createGradCamTool, gradCamOfInput } from '../../../src-main/services/evaluation/gradCam'
import { decodeImageFile } from '../../../src-main/services/imaging/index'
import { createRunsService, type RunsServiceImpl } from '../../../src-main/services/runs'
import { createEvaluationService } from '../../../src-main/services/evaluation'
import { assembleReport } from '../../../src-main/services/report/assembleReport'
import { chooseGradCamExamples } from '../../../src-main/services/report/gradCamExamples'
import { renderReport, reportWarnings } from '../../../src-main/services/report/htmlReport'
import type { GradCamExampleDeps } from '../../../src-main/services/report/gradCamExamples'
import { fakeLibrary, tinyRunConfig, type FixtureImage } from '../runs/support/fixtures'

let root: string
let images: FixtureImage[]
let runs: RunsServiceImpl
let runId: string
const SIZE = 40

/** 40×40 PNGs, labels alternating: COVID+ ones carry a blob near (10, 10), COVID− ones only the shared texture. */
async function writeQuadrantImages(folder: string, count: number): Promise<FixtureImage[]> {
  mkdirSync(folder, { recursive: true })
  const written: FixtureImage[] = []
  for (let index = 0; index < count; index++) {
    const positive = index % 2 === 0
    const pixels = Buffer.alloc(SIZE * SIZE)
    const cx = 9 + (index % 3)
    const cy = 9 + (index % 4)
    for (let row = 0; row < SIZE; row++) {
      for (let column = 0; column < SIZE; column++) {
        const blob = positive ? 200 * Math.exp(-((row - cy) ** 2 + (column - cx) ** 2) / 12) : 0
        pixels[row * SIZE + column] = Math.round(40 + blob + ((index * 31 + row * 7 + column * 13) % 17))
      }
    }
    const path = join(folder, `image-${index}.png`)
    await sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toFile(path)
    const slot = index % 8
    const split = slot >= 6 ? 'test' : slot >= 4 ? 'validation' : 'train'
    written.push({ imageId: `image-${index}`, path, contentHash: createHash('sha256').update(pixels).digest('hex'), positive, split })
  }
  return written
}

beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-gradcam-'))
  images = await writeQuadrantImages(join(root, 'images'), 24)
  runs = createRunsService({ dataFolder: join(root, 'data'), library: fakeLibrary(images), execution: { kind: 'in-process' } })
  runId = (await runs.start(tinyRunConfig({ epochs: 6, checkpointMetric: 'valLoss', input: { resize: 68, crop: 64 } }))).runId
  const record = await runs.waitForRun({ runId })
  expect(record.failureReason).toBeNull()
}, 40_000)
afterAll(async () => {
  await runs?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('gradCam', () => {
  it('gives a [0,1] heatmap at the radiograph size, 0 outside the crop, with its inside-lungs share, without leaking tensors', async () => {
    const topLeft = new Float32Array(SIZE * SIZE).map((_, i) => (i % SIZE < SIZE / 2 && i < (SIZE * SIZE) / 2 ? 1 : 0))
    const tool = createGradCamTool({
      dataFolder: join(root, 'data'),
      runs,
      activeLungModel: async () => ({ modelId: 'lung-test', name: 'top left', folder: '/nowhere' }),
      jobs: createJobLauncher({ kind: 'in-process', lungMaskers: { for: (ref) => ({ ref, mask: async () => topLeft, dispose: () => undefined }), dispose: () => undefined } }),
    })
    const positive = images.find((image) => image.positive && image.split === 'test')!
    await tool.gradCam({ runId, imagePath: positive.path }) // warm-up: kernels and backend caches allocate once
    const before = tf.memory().numTensors
    const result = await tool.gradCam({ runId, imagePath: positive.path })
    expect(tf.memory().numTensors).toBe(before)
    expect(result.width).toBe(SIZE)
    expect(result.height).toBe(SIZE)
    expect(result.heatmap).toHaveLength(SIZE * SIZE)
    expect(result.heatmap.every((value) => value >= 0 && value <= 1)).toBe(true)
    expect(Math.max(...result.heatmap)).toBeGreaterThan(0.5)
    expect(result.probability).toBeGreaterThan(0)
    expect(result.probability).toBeLessThan(1.0000001)
    expect(result.insideLungShare).not.toBeNull()
    // Where a net trained for seconds finds its evidence depends on its seed (it may rest its call on the plain
    // background as much as on the blob), so this test checks the plumbing; where the map lands is checked on a
    // hand-built model below. The share is the mask's share of this very heatmap, and the map is 0 where the
    // centre crop (64 of 68 px after resizing) left the radiograph out: its first and last rows and columns.
    expect(result.insideLungShare).toBe(saliencyInsideLungs(result.heatmap, topLeft))
    expect(result.shareUnknown).toBeNull()
    for (let i = 0; i < SIZE; i++) {
      for (const index of [i, (SIZE - 1) * SIZE + i, i * SIZE, i * SIZE + SIZE - 1]) expect(result.heatmap[index]).toBe(0)
    }
  })

  it('says why the lung share is unknown (no lung model, no lungs found), and refuses a run that does not exist', async () => {
    const tool = createGradCamTool({
      dataFolder: join(root, 'data'),
      runs,
      jobs: createJobLauncher({ kind: 'in-process', lungMaskers: { for: () => assert.fail('no lung model may be used'), dispose: () => undefined } }),
    })
    const result = await tool.gradCam({ runId, imagePath: images[0].path })
    expect(result.insideLungShare).toBeNull()
    expect(result.shareUnknown).toBe('no-lung-model')
    // A lung model that finds no lungs in the image says so, rather than "no lung model".
    const noLungs = createGradCamTool({
      dataFolder: join(root, 'data'),
      runs,
      activeLungModel: async () => ({ modelId: 'lung-test', name: 'finds nothing', folder: '/nowhere' }),
      jobs: createJobLauncher({ kind: 'in-process', lungMaskers: { for: (ref) => ({ ref, mask: async () => null, dispose: () => undefined }), dispose: () => undefined } }),
    })
    expect(await noLungs.gradCam({ runId, imagePath: images[0].path })).toMatchObject({ insideLungShare: null, shareUnknown: 'no-lungs-found' })
    await expect(tool.gradCam({ runId: 'no-such-run', imagePath: images[0].path })).rejects.toThrow()
  })

  it('puts the map exactly where a hand-built model looks (1×1 conv → pool → sigmoid)', async () => {
    const input = tf.input({ shape: [8, 8, 1] })
    const conv = tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false, kernelInitializer: 'ones', name: 'conv' }).apply(input) as tf.SymbolicTensor
    const pooled = tf.layers.globalAveragePooling2d({ name: 'features' }).apply(conv) as tf.SymbolicTensor
    const output = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'ones', name: 'head_output' }).apply(pooled) as tf.SymbolicTensor
    const model = tf.model({ inputs: input, outputs: output })
    const image = new Float32Array(64)
    image[2 * 8 + 5] = 1
    const before = tf.memory().numTensors
    const { map, probability } = await gradCamOfInput(model, image, 8)
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
    // Weights = mean gradient = 1/64 > 0, so the map is the (normalised) input itself; p = sigmoid(1/64).
    expect(Array.from(map)).toEqual(Array.from(image))
    expect(probability).toBeCloseTo(1 / (1 + Math.exp(-1 / 64)), 6)
  })

  it('cxr report writes a self-contained HTML report of the stored run (its cell not yet evaluated)', async () => {
    let stdout = ''
    const out = join(root, 'report.html')
    const code = await runCli(['--data-dir', join(root, 'data'), 'report', '--out', out, '--runs', runId], { stdout: (text) => void (stdout += text), stderr: () => undefined }, {})
    expect(code).toBe(0)
    expect(stdout).toContain('1 models × 1 test sets')
    const html = readFileSync(out, 'utf8')
    expect(html).toContain(runId)
    expect(html).toContain('not evaluated')
    expect(html).not.toMatch(/<script|http/i)
  })

  it("a report with Grad-CAM examples: the run's own calls explained, inline PNGs, the gone file a warning", async () => {
    const lungMaskers = { for: () => assert.fail('no lung model may be used'), dispose: () => undefined }
    const runsLibrary = fakeLibrary(images)
    const evaluation = createEvaluationService({
      dataFolder: join(root, 'data'),
      runs,
      compositions: { load: async (compositionId) => ({ composition: await runsLibrary.loadComposition({ compositionId }) }) },
      library: runsLibrary,
      activeLungModel: async () => null,
      jobs: createJobLauncher({ kind: 'in-process', lungMaskers }),
    })
    const record = await evaluation.evaluate({ runId, compositionId: 'comp-1', split: 'test', options: { replicates: 0 } })
    const chosen = chooseGradCamExamples(record.predictions, record.metrics.threshold)
    expect(chosen.length).toBeGreaterThan(0)
    // The file of the last chosen image disappears after the evaluation (when there are two or more to show).
    const gone = chosen.length > 1 ? chosen[chosen.length - 1].row.imageId : null
    const library: GradCamExampleDeps['library'] = {
      listDatasets: async () => [{ id: 'synthetic', name: 'Synthetic <b>set</b>' }] as Awaited<ReturnType<GradCamExampleDeps['library']['listDatasets']>>,
      listImages: async (request) => {
        const page = await runsLibrary.listImages(request)
        return { ...page, images: page.images.map((image) => (image.imageId === gone ? { ...image, path: join(root, 'gone.png') } : image)) }
      },
    }
    const tool = createGradCamTool({ dataFolder: join(root, 'data'), runs, jobs: createJobLauncher({ kind: 'in-process', lungMaskers }) })
    const log: string[] = []
    const input = await assembleReport(
      { evaluation, runs, reportFigures: { gradCam: tool, library, decode: (path) => decodeImageFile(path) } },
      { runIds: [runId], split: 'test', bias: false, gradCam: true, appVersion: 'test', log: (line) => log.push(line) },
    )
    const shown = chosen.filter((choice) => choice.row.imageId !== gone)
    expect(input.gradCam?.examples.map((example) => [example.kind, example.imageId, example.datasetName])).toEqual(shown.map((choice) => [choice.kind, choice.row.imageId, 'Synthetic <b>set</b>']))
    // The Grad-CAM pass runs the model the evaluation ran: its probability is the stored score.
    for (const [index, example] of input.gradCam!.examples.entries()) expect(example.probability).toBeCloseTo(shown[index].row.score, 4)
    expect(log).toContain(`Grad-CAM ${chosen.length} of ${chosen.length}…`)

    const html = renderReport(input)
    const pictures = [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/]+=*)" width="256" height="256" alt="([^"]*)"/g)]
    expect(pictures).toHaveLength(shown.length)
    for (const [, base64, alt] of pictures) {
      const { width, height } = await sharp(Buffer.from(base64, 'base64')).metadata()
      expect([width, height]).toEqual([SIZE, SIZE]) // small already: never enlarged, aspect kept
      expect(alt).toContain('Synthetic &lt;b&gt;set&lt;/b&gt;')
    }
    const { tp, fn, fp, tn } = record.metrics.confusion
    expect(tp + fn + fp + tn).toBe(images.filter((image) => image.split === 'test').length)
    expect(html).toContain(`<tr><th>true COVID+</th><td>${tp}</td><td>${fn}</td></tr><tr><th>true COVID−</th><td>${fp}</td><td>${tn}</td></tr>`)
    const warnings = reportWarnings(input)
    if (gone) expect(warnings.some((warning) => warning.includes(`image ${gone} of Synthetic <b>set</b>) left out: ${join(root, 'gone.png')}: cannot be read`))).toBe(true)
    expect(html).not.toMatch(/<script/i)
    expect(html.replace(/data:image\/png;base64,[A-Za-z0-9+/]+=*/g, '')).not.toMatch(/http/i)
  })
})
