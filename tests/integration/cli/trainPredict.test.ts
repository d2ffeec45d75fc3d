/**
 * `cxr train CONFIG.json` and `cxr predict RUN_ID IMAGE…` end to end: a dataset imported and a composition saved
 * through the CLI from generated PNGs, a tiny Conv8 trained in the run worker (from TypeScript sources through
 * tsx: the bundled out/main/jobWorker.js is for the built app), predictions, and the usage/failure exits.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunRecord } from '@shared/runs/record'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'
import { lungModelIdentity } from '../../../src-main/services/lung/model/lungModel'
import { defaultLungModelDir } from '../../../src-main/services/lung/model/shippedModel'
import { createRunsService } from '../../../src-main/services/runs'
import { tsWorkerEntry } from '../runs/support/fixtures'

vi.mock('../../../src-main/services/workers/host', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src-main/services/workers/host')>()),
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

  it('full preprocessing masks with the installed lung model, whatever folder cxr is started from', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'cxr-elsewhere-'))
    const file = join(elsewhere, 'full.json')
    // The composition by the first 8 characters of its id, as `cxr compose --list` shows it.
    writeFileSync(file, JSON.stringify({ ...tinyConfig(), name: 'cli full', preprocessing: 'full', compositionId: compositionId.slice(0, 8) }))
    const cwd = process.cwd()
    process.chdir(elsewhere)
    let result
    try {
      result = await cxr(['--data-dir', data, 'train', file])
    } finally {
      process.chdir(cwd)
    }
    expect(result.code, result.stderr).toBe(0)
    const record = JSON.parse(readFileSync(result.stdout.trim(), 'utf8')) as RunRecord
    const shipped = await lungModelIdentity(defaultLungModelDir())
    expect(record.config.compositionId).toBe(compositionId)
    expect(record.provenance?.lungMask).toMatchObject({ applied: true, modelId: shipped.modelId, name: shipped.card.name })
    expect(record.inputs?.lungModel?.modelId).toBe(shipped.modelId)
    expect(record.log.join('\n')).not.toMatch(/skipped/)
    expect(record.log.join('\n')).toContain(`lungs masked by "${shipped.card.name}"`)
  }, 120_000)

  it('refuses a configuration with an unknown setting, naming it', async () => {
    const file = join(root, 'typo.json')
    writeFileSync(file, JSON.stringify({ ...tinyConfig(), learningrate: 0.1, optimizer: { kind: 'adam', beta: 0.8 } }))
    const { code, stderr } = await cxr(['--data-dir', data, 'train', file])
    expect(code).toBe(2)
    expect(stderr).toContain('unknown setting "learningrate"')
    expect(stderr).toContain('unknown setting "optimizer.beta"')
  })

  it('cxr runs lists the runs; a run cancelled from another program resumes with cxr train --resume and a short id', async () => {
    const file = join(root, 'long.json')
    writeFileSync(file, JSON.stringify({ ...tinyConfig(), name: 'cli long', epochs: 40, checkpointEverySteps: 1 }))
    const training = cxr(['--data-dir', data, 'train', file])
    // Another program on the same data folder (the app) asks the run to stop.
    const other = createRunsService({ dataFolder: data, library: { loadComposition: async () => { throw new Error('unused') }, listImages: async () => { throw new Error('unused') }, imageRecords: async () => [] }, ownerKind: 'app', pollIntervalMs: 100 })
    let longId: string | undefined
    await expect.poll(async () => {
      longId = (await other.list()).find((run) => run.config.name === 'cli long' && run.progress?.phase === 'finetune')?.id
      return longId
    }, { timeout: 60_000 }).toBeDefined()
    await other.cancel({ runId: longId! })
    const stopped = await training
    expect(stopped.code).toBe(1)
    expect(stopped.stderr).toMatch(/: cancelled\n/)
    await other.close()

    const listed = await cxr(['--data-dir', data, 'runs', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    const runs = JSON.parse(listed.stdout) as RunRecord[]
    expect(runs.find((run) => run.id === longId)).toMatchObject({ state: 'cancelled', resumable: true })
    const table = await cxr(['--data-dir', data, 'runs'])
    expect(table.stdout).toMatch(/cli long\s+cancelled/)

    const resumed = await cxr(['--data-dir', data, 'train', '--resume', longId!.replace(/^run-/, '').slice(0, 15)])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toContain(`run ${longId} resumed`)
    const record = JSON.parse(readFileSync(resumed.stdout.trim(), 'utf8')) as RunRecord
    expect(record.state).toBe('completed')
    expect(record.timings.attempts).toBe(2)
    expect(readdirSync(join(data, 'runs', longId!)).filter((name) => name.startsWith('owner'))).toEqual([])
    expect(existsSync(join(data, 'runs', longId!, 'cancel-request.json'))).toBe(false)
  }, 180_000)
})
