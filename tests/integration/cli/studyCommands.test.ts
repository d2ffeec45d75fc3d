/**
 * `cxr study` and `cxr compare` end to end: two datasets imported and composed through the CLI (one as a test-only
 * external set), a tiny study (one cell, two seeds) estimated, run and shown, the two runs compared, and the usage
 * and failure exits.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'
import { blobPixels } from '../studies/support'


async function cxr(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['--data-dir', data, ...args], { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) }, { CXR_BACKEND: 'wasm' })
  return { code, stdout, stderr }
}

let root: string
let data: string

/** `count` patients, one 40×40 PNG each (COVID+ blob left, COVID− right), in a folder with a labels.csv. */
async function writeSource(folder: string, count: number, background: number): Promise<void> {
  mkdirSync(join(folder, 'images'), { recursive: true })
  const rows: string[] = []
  for (let n = 0; n < count; n++) {
    const positive = n % 2 === 0
    await sharp(blobPixels(n, { positive, background }), { raw: { width: 40, height: 40, channels: 1 } }).png().toFile(join(folder, 'images', `img${n}.png`))
    rows.push(`img${n}.png,p${n},${positive ? 1 : 0}`)
  }
  writeFileSync(join(folder, 'labels.csv'), ['filename,patientid,covid', ...rows].join('\n') + '\n')
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cxr-study-cli-'))
  data = join(root, 'data')
  for (const [name, count, background] of [['tiny', 24, 40], ['other', 12, 70]] as const) {
    await writeSource(join(root, name), count, background)
    const imported = await cxr(['import', 'csv', join(root, name), '--table', 'labels.csv', '--images', 'images', '--file-column', 'filename', '--label-column', 'covid', '--map', '1=COVID+', '--map', '0=COVID-', '--patient-column', 'patientid', '--id', name])
    expect(imported.code, imported.stderr).toBe(0)
  }
  const own = await cxr(['compose', '--primary', 'tiny', '--map', 'COVID+=positive', '--map', 'COVID-=negative', '--balance', 'none', '--save', 'tiny split'])
  expect(own.code, own.stderr).toBe(0)
  const external = await cxr(['compose', '--primary', 'other', '--map', 'COVID+=positive', '--map', 'COVID-=negative', '--balance', 'none', '--test-fraction', '1', '--save', 'external set'])
  expect(external.code, external.stderr).toBe(0)
  expect(external.stdout).toContain('test-only (an external test set: every image is test)')
}, 120_000)

afterAll(() => rmSync(root, { recursive: true, force: true }))

const study = {
  name: 'cli study',
  architectures: ['conv8'],
  preprocessing: ['equalize'],
  compositions: [{ compositionId: 'tiny split' }],
  seeds: [1, 2],
  testSets: [{ compositionId: 'external set' }],
  training: { baseWidth: 2, input: { resize: 20, crop: 16 }, headHidden: [4], optimizer: { kind: 'adam' }, learningRate: 0.01, batchSize: 4, epochs: 2 },
  evaluation: { replicates: 200 },
}

let studyId: string

describe('cxr study', () => {
  it('estimate STUDY.json prints time and disk', async () => {
    const file = join(root, 'study.json')
    writeFileSync(file, JSON.stringify(study))
    const { code, stdout, stderr } = await cxr(['study', 'estimate', file])
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^estimate on wasm: about .+ \(training .+, preparing inputs .+, evaluating .+\); disk .+/)
    expect(stdout).toContain('Conv8, equalized only, no pre-training, trained on tiny split: 2 runs ×')
    expect(stdout).toMatch(/Inputs: 36 of 36 still to prepare/)
  }, 60_000)

  it('run STUDY.json trains both seeds, evaluates them on both test sets and prints the table', async () => {
    const { code, stdout, stderr } = await cxr(['study', 'run', join(root, 'study.json')])
    expect(code, stderr).toBe(0)
    studyId = /study (study-\S+) started/.exec(stderr)![1]
    expect(stderr).toMatch(/: completed: 2 of 2 runs done, 4 of 4 evaluations, 2 of 2 dataset probes/)
    expect(stdout).toContain('Conv8, equalized only, no pre-training, trained on tiny split (2 of 2 seeds)')
    expect(stdout).toMatch(/tiny split \(within\)\s+8\s+/)
    expect(stdout).toMatch(/external set \(external\)\s+12\s+/)
    expect(stdout).toMatch(/\d\.\d\d ± \d\.\d\d \[\d\.\d\d, \d\.\d\d\]/)
  }, 240_000)

  it('show ID --json, list, and the usage and failure exits', async () => {
    const shown = await cxr(['study', 'show', studyId.slice(0, 14), '--json'])
    expect(shown.code, shown.stderr).toBe(0)
    const { study: record, analysis } = JSON.parse(shown.stdout)
    expect(record.state).toBe('completed')
    expect(analysis.cells[0].map((cell: { seeds: number[] }) => cell.seeds)).toEqual([[1, 2], [1, 2]])
    expect(record.probes).toHaveLength(2)
    const listed = await cxr(['study', 'list'])
    expect(listed.stdout).toContain(`study "cli study" (${studyId}): completed: 2 of 2 runs done`)
    expect((await cxr(['study'])).code).toBe(2)
    expect((await cxr(['study', 'fly'])).stderr).toMatch(/unknown action 'fly'/)
    const missing = await cxr(['study', 'run', 'no-such-study'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('there is no study "no-such-study"')
    const bad = join(root, 'bad.json')
    writeFileSync(bad, JSON.stringify({ ...study, seed: [1] }))
    const refused = await cxr(['study', 'run', bad, '--no-estimate'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('unknown setting "seed"')
  }, 60_000)
})

describe('cxr study preset', () => {
  it('table-iv writes COVID-Net vs ResNet-18, tested on every other saved composition unless --external names some', async () => {
    const out = join(root, 'table-iv.json')
    const written = await cxr(['study', 'preset', 'table-iv', '--training', 'tiny split', '--pretrain', 'other', '--out', out])
    expect(written.code, written.stderr).toBe(0)
    expect(written.stderr).toContain(`${out}: the table-iv preset study at reduced size; run it with 'cxr study run ${out}'`)
    const spec = JSON.parse(readFileSync(out, 'utf8'))
    expect(spec).toMatchObject({ name: 'Table IV: COVID-Net vs ResNet-18 (reduced)', architectures: ['covidnet', 'resnet18'], seeds: [1, 2, 3] })
    expect(spec.compositions).toEqual([{ compositionId: 'tiny split', paper: 'COVID-ChestXRay' }])
    expect(spec.pretraining).toEqual([{ label: 'pre-trained on ChestXRay', pretraining: { kind: 'train', datasetIds: ['other'], classes: 'three', labelMap: { normal: 'normal', bacteria: 'bacteria', virus: 'virus' }, epochs: 3 }, paper: 'ChestXRay' }])
    expect(spec.testSets).toEqual([{ compositionId: 'external set' }])
    const full = await cxr(['study', 'preset', 'table-iv', '--training', 'tiny split', '--pretrain', 'other', '--external', 'external set', '--size', 'full'])
    expect(full.code, full.stderr).toBe(0)
    expect(JSON.parse(full.stdout)).toMatchObject({ name: 'Table IV: COVID-Net vs ResNet-18 (full)', testSets: [{ compositionId: 'external set' }], training: { input: { crop: 224 } } })
  }, 60_000)

  it('refuses an unknown preset, an unknown composition and a missing role, naming them', async () => {
    const unknown = await cxr(['study', 'preset', 'table-v', '--training', 'tiny split', '--pretrain', 'other'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('the preset studies are covid-chestxray-pretraining and table-iv')
    const missing = await cxr(['study', 'preset', 'table-iv', '--training', 'tiny split', '--pretrain', 'other', '--external', 'hospital C'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("no saved composition 'hospital C'")
    expect((await cxr(['study', 'preset', 'table-iv', '--training', 'tiny split'])).stderr).toContain('give --training COMPOSITION')
  }, 60_000)
})

describe('cxr compare', () => {
  it('compares the two seeds on the external set: DeLong, McNemar, the bootstrap, Holm, verdicts', async () => {
    const shown = JSON.parse((await cxr(['study', 'show', studyId, '--json'])).stdout)
    const [runA, runB] = shown.study.slots.map((slot: { runId: string }) => slot.runId)
    const text = await cxr(['compare', runA.slice(0, 22), runB, 'external set'])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain('test set: the test split of "external set", 12 images')
    expect(text.stdout).toMatch(/AUC \(delong\): A \d\.\d\d, B \d\.\d\d, A − B /)
    expect(text.stdout).toMatch(/sensitivity \(mcnemar\)/)
    expect(text.stdout).toMatch(/(No evidence of a difference|ranks the classes better|make the same call|rank the 12 test images identically|cannot be compared)/)
    const json = JSON.parse((await cxr(['compare', runA, runB, 'external set', '--json'])).stdout)
    expect(json.comparisons.map((comparison: { metric: string; method: string }) => `${comparison.metric}/${comparison.method}`)).toEqual([
      'auc/delong',
      'accuracy/mcnemar',
      'sensitivity/mcnemar',
      'specificity/mcnemar',
      'balancedAccuracy/paired-bootstrap',
    ])
    // No new evaluation: the study's are reused.
    expect(json.evaluations.every((id: string) => shown.study.evaluations.some((link: { evaluationId: string }) => link.evaluationId === id))).toBe(true)
    expect((await cxr(['compare', runA])).code).toBe(2)
    expect((await cxr(['compare', runA, runA, 'external set'])).code).toBe(2)
  }, 60_000)
})
