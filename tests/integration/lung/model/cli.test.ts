import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { histogramEqualize, resize } from '@shared/imaging/preprocess'
import { LungModelCardSchema } from '@shared/lung'
import { runCli } from '../../../../src-main/cli/runCli'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { encodeGreyPng } from '../../../../src-main/services/imaging/export/png'
import { saveLayersModel } from '../../../../src-main/services/engine/modelFiles'
import { trainSegmentationModel } from '../../../../src-main/services/lung/training/trainSegmentation'
import { buildUNet } from '../../../../src-main/services/lung/model/unet'
import { hasSharedData, missingDataReason, SHARED_DATA } from '../../../helpers/sharedData'
import { skipWithReason } from '../../../helpers/skip'
import { syntheticBlobs, writeTestCard } from './syntheticBlobs'

const folder = mkdtempSync(join(tmpdir(), 'cxr-segment-cli-'))
const dataDir = join(folder, 'app-data')
const modelDir = join(folder, 'model')
const imagePath = join(folder, 'chest.png')

async function cxr(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['--data-dir', dataDir, ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, { CXR_BACKEND: 'wasm' })
  return { code, stdout, stderr }
}

async function readGrey(path: string) {
  const { data, info } = await sharp(path).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data: new Uint8Array(data) }
}

beforeAll(async () => {
  await initWasmBackend()
  const equalized = (count: number, seed: number) => syntheticBlobs(count, 32, seed).map((example) => ({ ...example, image: histogramEqualize(example.image) }))
  const model = buildUNet({ inputSize: 32, depth: 2, baseFilters: 4, seed: 3 })
  await trainSegmentationModel(model, { train: equalized(16, 1), validation: equalized(4, 2) }, { epochs: 6, learningRate: 0.01, seed: 4 })
  await saveLayersModel(model, modelDir)
  model.dispose()
  writeTestCard(modelDir, 32)
  const [example] = syntheticBlobs(1, 32, 42)
  const large = resize(example.image, { width: 90, height: 70, mode: 'stretch', interpolation: 'bilinear' }).image
  writeFileSync(imagePath, await encodeGreyPng(Uint8Array.from(large.data, (value) => Math.round(value * 255)), 90, 70))
})

describe('cxr segment', () => {
  it('writes a 0/255 mask at the image size and prints QA numbers', async () => {
    const out = join(folder, 'mask.png')
    const result = await cxr(['segment', imagePath, '--out', out, '--model', modelDir])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/90x70, lungs \d+\.\d% of the image, [12] component\(s\)/)
    const mask = await readGrey(out)
    expect([mask.width, mask.height]).toEqual([90, 70])
    expect(mask.data.every((value) => value === 0 || value === 255)).toBe(true)
    expect(mask.data.some((value) => value === 255)).toBe(true)
  })

  it('--blurred writes the soft mask', async () => {
    const out = join(folder, 'blurred.png')
    expect((await cxr(['segment', imagePath, '--out', out, '--model', modelDir, '--blurred'])).code).toBe(0)
    const blurred = await readGrey(out)
    expect(blurred.data.some((value) => value > 0 && value < 255)).toBe(true)
  })

  it('says which file is missing when the model folder is empty, and checks its arguments', async () => {
    const empty = await cxr(['segment', imagePath, '--out', join(folder, 'x.png'), '--model', join(folder, 'nothing')])
    expect(empty.code).toBe(1)
    expect(empty.stderr).toMatch(/no lung model in .*nothing: model\.json and model-card\.json are missing \(build one with 'cxr train-lungs'\)/)
    expect((await cxr(['segment', imagePath])).code).toBe(2)
    expect((await cxr(['train-lungs', '--size', '100'])).stderr).toMatch(/--size must be a multiple of 2\^depth = 16/)
  })
})

describe('cxr train-lungs', () => {
  it('runs end to end on a few shared images and writes model, weights and a valid card', async (context) => {
    if (!hasSharedData('lungmask-radiologist') || !hasSharedData('covid-chestxray/lung-masks-v7')) return skipWithReason(context, missingDataReason('lungmask-radiologist'))
    const out = join(folder, 'trained')
    const result = await cxr(['train-lungs', '--data', SHARED_DATA, '--out', out, '--size', '32', '--depth', '1', '--filters', '2', '--epochs', '1', '--limit', '6', '--time-budget', '0'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/split by patient: \d+ train, \d+ validation, \d+ held-out test images/)
    expect(result.stdout).toMatch(/^held-out \((\d+) images\): Dice [01]\.\d{4} \(min [01]\.\d{4}\), IoU [01]\.\d{4}/)
    // Scores per mask set and per website the radiographs come from (covid-chestxray's metadata url).
    expect(result.stdout).toMatch(/^ {2}masks (lungmask-radiologist|covid-chestxray\/lung-masks-v7) \(\d+\): Dice /m)
    expect(result.stdout).toMatch(/^ {2}images from [a-z0-9.-]+\.[a-z]+ \(\d+\): Dice /m)
    expect(result.stdout).toMatch(/^training took \d+\.\d min \(1 epochs, stopped by epochs\); everything \d+\.\d min$/m)
    for (const file of ['model.json', 'weights.bin', 'model-card.json']) expect(existsSync(join(out, file))).toBe(true)
    const card = JSON.parse(readFileSync(join(out, 'model-card.json'), 'utf8'))
    expect(LungModelCardSchema.safeParse(card).success).toBe(true)
    expect(card.command).toContain('cxr train-lungs')
    const heldOut = card.evaluation.heldOut.images
    const sum = (groups: Record<string, { images: number }>) => Object.values(groups).reduce((total, group) => total + group.images, 0)
    expect(sum(card.evaluation.heldOutBySource)).toBe(heldOut)
    expect(sum(card.evaluation.heldOutByImageSource)).toBe(heldOut)
    expect(card.evaluation.perImage.every((score: { origin?: string }) => typeof score.origin === 'string')).toBe(true)
    const split = card.trainingData.images as Array<{ split: string; patientId: string; contentHash: string }>
    expect(split.every((image) => /^[0-9a-f]{64}$/.test(image.contentHash))).toBe(true)
    // No patient on two sides of the split.
    const sides = new Map<string, Set<string>>()
    for (const image of split) sides.set(image.patientId, (sides.get(image.patientId) ?? new Set()).add(image.split))
    expect([...sides.values()].every((set) => set.size === 1)).toBe(true)
  })
})
