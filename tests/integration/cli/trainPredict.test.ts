/**
 * `cxr train CONFIG.json` and `cxr predict RUN_ID IMAGE…` end to end: a dataset imported and a composition saved
 * through the CLI from generated PNGs, a tiny Conv8 trained in the run worker (from TypeScript sources through
 * tsx: the bundled out/main/runWorker.js is for the built app), predictions, and the usage/failure exits.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'
import { tsWorkerEntry } from '../runs/support/fixtures'

vi.mock('../../../src-main/services/runs/workerHost', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src-main/services/runs/workerHost')>()),
  defaultWorkerEntry: () => tsWorkerEntry(),
}))

async function cxr(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) }, {})
  return { code, stdout, stderr }
}

let root: string
let data: string
let source: string
let compositionId: string
let runId: string

/** 20 patients, one 40×40 PNG each: COVID+ (even) with a bright blob on the left, COVID− on the right. */
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cxr-train-cli-'))
  data = join(root, 'data')
  source = join(root, 'source')
  mkdirSync(join(source, 'images'), { recursive: true })
  const rows: string[] = []
  for (let n = 0; n < 20; n++) {
    const positive = n % 2 === 0
    const size = 40
    const pixels = Buffer.alloc(size * size)
    const cx = positive ? 12 : 28
    const cy = 14 + (n % 5) * 3
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        pixels[row * size + column] = Math.round(40 + 200 * Math.exp(-((row - cy) ** 2 + (column - cx) ** 2) / 50) + ((n * 31 + row * 7 + column * 13) % 17))
      }
    }
    await sharp(pixels, { raw: { width: size, height: size, channels: 1 } }).png().toFile(join(source, 'images', `img${n}.png`))
    rows.push(`img${n}.png,p${n},PA,${positive ? 'COVID-19' : 'SARS'},${positive ? 1 : 0}`)
  }
  writeFileSync(join(source, 'labels.csv'), ['filename,patientid,view,finding,covid', ...rows].join('\n') + '\n')

  const imported = await cxr([
    '--data-dir', data, 'import', 'csv', source, '--table', 'labels.csv', '--images', 'images', '--file-column', 'filename',
    '--label-column', 'covid', '--map', '1=COVID+', '--map', '0=COVID-', '--patient-column', 'patientid', '--view-column', 'view', '--id', 'fixture',
  ])
  expect(imported.code, imported.stderr).toBe(0)
  const composed = await cxr([
    '--data-dir', data, 'compose', '--primary', 'fixture', '--map', 'COVID+=positive', '--map', 'fixture:COVID-=negative', '--balance', 'none', '--seed', '3',
    '--save', 'cli split', '--json',
  ])
  expect(composed.code, composed.stderr).toBe(0)
  compositionId = JSON.parse(composed.stdout).saved.id
}, 60_000)

afterAll(() => rmSync(root, { recursive: true, force: true }))

const tinyConfig = () => ({
  name: 'cli tiny',
  architecture: 'conv8',
  baseWidth: 2,
  compositionId,
  input: { resize: 20, crop: 16 },
  preprocessing: 'equalize',
  headHidden: [4],
  optimizer: { kind: 'adam' },
  learningRate: 0.01,
  batchSize: 4,
  epochs: 1,
  seed: 5,
})

describe('cxr train and cxr predict', () => {
  it('train CONFIG.json exits 0, prints progress on stderr and the record path on stdout', async () => {
    const file = join(root, 'config.json')
    writeFileSync(file, JSON.stringify(tinyConfig()))
    const { code, stdout, stderr } = await cxr(['--data-dir', data, 'train', file])
    expect(code, stderr).toBe(0)
    expect(stderr).toMatch(/run (\S+) started/)
    expect(stderr).toMatch(/finetune epoch 1\/1 step \d+\/\d+, loss/)
    expect(stderr).toMatch(/finetune epoch 1: train loss [\d.]+, val loss [\d.]+/)
    expect(stderr).toMatch(/: completed\n/)
    runId = /run (\S+) started/.exec(stderr)![1]
    expect(stdout.trim()).toBe(join(data, 'runs', runId, 'record.json'))
  }, 60_000)

  it('predict RUN_ID prints one probability in [0, 1] per image', async () => {
    expect(runId).toBeDefined()
    const images = [join(source, 'images', 'img0.png'), join(source, 'images', 'img1.png')]
    const { code, stdout, stderr } = await cxr(['--data-dir', data, 'predict', runId, ...images])
    expect(code, stderr).toBe(0)
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    lines.forEach((line, index) => {
      const [probability, path] = line.split('\t')
      expect(path).toBe(images[index])
      expect(Number(probability)).toBeGreaterThanOrEqual(0)
      expect(Number(probability)).toBeLessThanOrEqual(1)
    })
  }, 30_000)

  it('predict on a missing image exits 1 naming it', async () => {
    const missing = join(source, 'images', 'nope.png')
    const { code, stdout, stderr } = await cxr(['--data-dir', data, 'predict', runId, join(source, 'images', 'img0.png'), missing])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain(missing)
  })

  it('an invalid config exits 2 naming the field', async () => {
    const file = join(root, 'bad.json')
    writeFileSync(file, JSON.stringify({ ...tinyConfig(), architecture: 'vgg16', batchSize: 0 }))
    const { code, stderr } = await cxr(['--data-dir', data, 'train', file])
    expect(code).toBe(2)
    expect(stderr).toContain('architecture:')
    expect(stderr).toContain('batchSize:')
  })
})
