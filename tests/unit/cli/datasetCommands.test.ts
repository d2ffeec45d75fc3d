import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'

/**
 * `cxr datasets`, `cxr import` and `cxr compose` on a generated dataset: 16 tiny PNGs of 12 patients listed by a
 * CSV shaped like covid-chestxray's (filename, patientid, view, finding, covid).
 */

async function cxr(args: string[], options: { onStderr?: (text: string) => void } = {}) {
  let stdout = ''
  let stderr = ''
  const io = {
    stdout: (text: string) => void (stdout += text),
    stderr: (text: string) => {
      stderr += text
      options.onStderr?.(text)
    },
  }
  const code = await runCli(args, io, {})
  return { code, stdout, stderr }
}

let root: string
let source: string
const folders: string[] = []
const dataDir = () => {
  const folder = mkdtempSync(join(root, 'data-'))
  folders.push(folder)
  return folder
}

/** Patients p1–p8 COVID+ (p1, p2 with two images), p9–p12 COVID− (p9, p10 with two): 10 + 6 images. */
const ROWS: Array<[file: string, patient: string, view: string, finding: string, covid: string]> = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cxr-dataset-cli-'))
  source = join(root, 'source')
  mkdirSync(join(source, 'images'), { recursive: true })
  let n = 0
  for (let p = 1; p <= 12; p++) {
    const copies = [1, 2, 9, 10].includes(p) ? 2 : 1
    for (let c = 0; c < copies; c++) {
      n += 1
      const positive = p <= 8
      ROWS.push([`img${n}.png`, String(p), c === 0 ? 'PA' : 'AP', positive ? 'COVID-19' : 'SARS', positive ? '1' : '0'])
      const pixels = Buffer.alloc(12 * 10, 0)
      for (let i = 0; i < pixels.length; i++) pixels[i] = (n * 31 + i * 7) % 256
      await sharp(pixels, { raw: { width: 12, height: 10, channels: 1 } }).png().toFile(join(source, 'images', `img${n}.png`))
    }
  }
  writeFileSync(join(source, 'labels.csv'), ['filename,patientid,view,finding,covid', ...ROWS.map((row) => row.join(','))].join('\n') + '\n')
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

const csvImport = (data: string, ...extra: string[]) => [
  '--data-dir', data, 'import', 'csv', source, '--table', 'labels.csv', '--images', 'images',
  '--file-column', 'filename', '--label-column', 'covid', '--map', '1=COVID+', '--map', '0=COVID-',
  '--patient-column', 'patientid', '--view-column', 'view', '--id', 'fixture', '--name', 'Fixture set', ...extra,
]

describe('cxr import csv and cxr datasets', () => {
  it('imports the CSV, reports it, and datasets lists it with counts by class, patients and views', async () => {
    const data = dataDir()
    const imported = await cxr(csvImport(data))
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toMatch(/completed/)
    expect(imported.stdout).toContain('images: 16 planned, 16 imported, 0 unchanged, 0 skipped, 0 failed, 0 pending')
    expect(imported.stdout).toContain('imported by class: COVID+ 10, COVID- 6')
    expect(imported.stderr).toMatch(/job [0-9a-f-]{36}: 16 file\(s\) into "fixture"/)

    const listed = await cxr(['--data-dir', data, 'datasets'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/fixture\s+Fixture set\s+csv\s+16\s+12\s+0\s+COVID\+ 10, COVID- 6\s+PA 12, AP 4/)

    const json = JSON.parse((await cxr(['--data-dir', data, 'datasets', '--json'])).stdout)
    expect(json).toHaveLength(1)
    expect(json[0]).toMatchObject({ id: 'fixture', imageCount: 16, patientCount: 12, maskCount: 0, classCounts: { 'COVID+': 10, 'COVID-': 6 }, viewCounts: { PA: 12, AP: 4 } })
  })

  it('--dry-run prints the preview and writes nothing', async () => {
    const data = dataDir()
    const { code, stdout } = await cxr(csvImport(data, '--dry-run'))
    expect(code).toBe(0)
    expect(stdout).toContain('Dry run (nothing written): csv import into new dataset "fixture"')
    expect(stdout).toContain('images: 16, masks: 0, patients: 12')
    expect(stdout).toContain('classes: COVID+ 10, COVID- 6')
    expect(stdout).toContain('No blocking problems')
    expect(JSON.parse((await cxr(['--data-dir', data, 'datasets', '--json'])).stdout)).toEqual([])
  })

  it('a missing column blocks the import: exit 1 naming the column, nothing written', async () => {
    const data = dataDir()
    const args = csvImport(data).map((arg) => (arg === 'patientid' ? 'patient_id' : arg))
    const { code, stderr } = await cxr(args)
    expect(code).toBe(1)
    expect(stderr).toContain('nothing was imported')
    expect(stderr).toContain('patient column "patient_id" not found')
    expect(stderr).toMatch(/\[missing-column\].*labels\.csv.*field "patient_id"/)
    expect(JSON.parse((await cxr(['--data-dir', data, 'datasets', '--json'])).stdout)).toEqual([])
  })

  it('an unmapped patient choice is a usage error (exit 2), not a silent per-image default', async () => {
    const args = csvImport(dataDir()).filter((arg, i, all) => arg !== '--patient-column' && all[i - 1] !== '--patient-column')
    const { code, stderr } = await cxr(args)
    expect(code).toBe(2)
    expect(stderr).toContain('--patient-column C, --patient-pattern REGEX')
  })

  it('--spec FILE.json runs the same spec the wizard writes; a malformed one exits 1 naming the field', async () => {
    const data = dataDir()
    const specFile = join(root, 'spec.json')
    const spec = {
      kind: 'csv',
      dataset: { id: 'from-spec' },
      csvPath: join(source, 'labels.csv'),
      imageFolder: 'images',
      fileColumn: 'filename',
      label: { kind: 'column', column: 'finding' },
      patient: { kind: 'column', column: 'patientid' },
    }
    writeFileSync(specFile, JSON.stringify(spec))
    const preview = await cxr(['--data-dir', data, 'import', '--spec', specFile, '--dry-run', '--json'])
    expect(preview.code).toBe(0)
    expect(JSON.parse(preview.stdout).preview).toMatchObject({ datasetId: 'from-spec', imageCount: 16, classCounts: { 'COVID-19': 10, SARS: 6 }, blocking: [] })

    writeFileSync(specFile, JSON.stringify({ ...spec, patient: { kind: 'file-name', patterns: ['(no group)'] } }))
    const bad = await cxr(['--data-dir', data, 'import', '--spec', specFile])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('patient.patterns.0: patient pattern "(no group)" needs a named group (?<patient>…)')
  })

  it('folders takes the layout suggestion (Kermany rules and patient patterns); masks attach by file name', async () => {
    const data = dataDir()
    const tree = join(root, 'tree')
    const files = ['train/NORMAL/IM-0001-0001.png', 'train/PNEUMONIA/person1_bacteria_1.png', 'train/PNEUMONIA/person1_bacteria_2.png', 'test/PNEUMONIA/person2_virus_3.png']
    for (const [i, file] of files.entries()) {
      mkdirSync(join(tree, file, '..'), { recursive: true })
      await sharp(Buffer.alloc(8 * 8, 40 + i * 50), { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(join(tree, file))
    }
    const imported = await cxr(['--data-dir', data, 'import', 'folders', tree, '--id', 'kids', '--json'])
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stderr).toContain('classes from the folder layout: NORMAL → normal, PNEUMONIA:bacteria → bacteria, PNEUMONIA:virus → virus')
    expect(JSON.parse(imported.stdout).dataset).toMatchObject({ imageCount: 4, patientCount: 3, classCounts: { normal: 1, bacteria: 2, virus: 1 } })

    mkdirSync(join(root, 'masks'), { recursive: true })
    await sharp(Buffer.alloc(8 * 8, 255), { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(join(root, 'masks', 'person2_virus_3_mask.png'))
    const masks = await cxr(['--data-dir', data, 'import', 'masks', '--dataset', 'kids', '--folder', join(root, 'masks')])
    expect(masks.code, masks.stderr).toBe(0)
    expect(masks.stdout).toContain('masks:  1 planned, 1 imported')
    expect(JSON.parse((await cxr(['--data-dir', data, 'datasets', '--json'])).stdout)[0].maskCount).toBe(1)
  })

  it('Ctrl-C cancels cleanly and --resume finishes the job', async () => {
    const data = dataDir()
    let interrupted = false
    const first = await cxr(csvImport(data, '--no-thumbnails'), {
      onStderr: (text) => {
        // The job exists once this line is printed; SIGINT is what a terminal's Ctrl-C delivers.
        if (!interrupted && text.includes('Ctrl-C cancels')) {
          interrupted = true
          process.emit('SIGINT')
        }
      },
    })
    expect(first.code, first.stderr).toBe(130)
    expect(first.stdout).toMatch(/: cancelled/)
    const jobId = /cxr import --resume ([0-9a-f-]{36})/.exec(first.stdout)![1]
    const pending = Number(/(\d+) pending/.exec(first.stdout)![1])
    expect(pending).toBeGreaterThan(0)

    const listed = await cxr(['--data-dir', data, 'datasets'])
    expect(listed.stdout).toContain(`last import cancelled; continue it with: cxr import --resume ${jobId}`)

    const resumed = await cxr(['--data-dir', data, 'import', '--resume', jobId.slice(0, 8), '--json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    const report = JSON.parse(resumed.stdout)
    expect(report).toMatchObject({ status: 'completed', images: { planned: 16, pending: 0, failed: 0 }, dataset: { imageCount: 16 } })
  })
})

describe('cxr compose', () => {
  let data: string
  beforeAll(async () => {
    data = dataDir()
    expect((await cxr(csvImport(data, '--no-thumbnails'))).code).toBe(0)
  })

  const recipe = ['--primary', 'fixture', '--map', 'COVID+=positive', '--map', 'fixture:COVID-=negative', '--balance', 'none', '--seed', '3']

  it('a custom recipe prints Table I counts and passes the leakage check', async () => {
    const { code, stdout } = await cxr(['--data-dir', data, 'compose', ...recipe])
    expect(code).toBe(0)
    expect(stdout).toContain('Table I view (train = training + validation):')
    expect(stdout).toMatch(/fixture\s+total\n\s+split\s+COVID\+\s+COVID−\s+COVID\+\s+COVID−\n\s+train\s/)
    expect(stdout).toMatch(/\n\s+all\s+10\s+6\s+10\s+6\n/)
    expect(stdout).toContain('labels of fixture: COVID+ → COVID+, COVID- → COVID−')
    expect(stdout).toContain('leakage check passed: no patient and no identical image on two sides of a split (12 patients, 16 images)')
  })

  it('names the labels still to map', async () => {
    const { code, stderr } = await cxr(['--data-dir', data, 'compose', '--primary', 'fixture', '--map', 'COVID+=positive'])
    expect(code).toBe(1)
    expect(stderr).toContain(`--map 'fixture:COVID-=positive|negative|exclude'`)
  })

  it('--save, --export, then --import rebuilds the same counts', async () => {
    const file = join(root, 'composition.json')
    const built = await cxr(['--data-dir', data, 'compose', ...recipe, '--save', 'fixture split', '--export', file, '--json'])
    expect(built.code, built.stderr).toBe(0)
    const first = JSON.parse(built.stdout)
    expect(first.saved).toMatchObject({ name: 'fixture split', assignedCount: 16 })
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'cxr-workstation.composition', images: expect.any(Array) })

    const list = await cxr(['--data-dir', data, 'compose', '--list'])
    expect(list.stdout).toMatch(/fixture split\s+custom composition\s+3\s+16\s+0\s+fixture/)

    const rebuilt = await cxr(['--data-dir', data, 'compose', '--import', file, '--json'])
    expect(rebuilt.code, rebuilt.stderr).toBe(0)
    const second = JSON.parse(rebuilt.stdout)
    expect(second.composition.counts).toEqual(first.composition.counts)
    expect(second.leakage.ok).toBe(true)
    const text = await cxr(['--data-dir', data, 'compose', '--import', file])
    expect(text.stdout).toContain('counts match the exported counts')

    // Another library without those images: the rebuild fails and says which are missing.
    const empty = dataDir()
    const missing = await cxr(['--data-dir', empty, 'compose', '--import', file])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('the library has no datasets')
  })

  it('a composition that leaks (a hand-edited export) exits 1 naming the patient, and is not saved', async () => {
    const file = join(root, 'leaky.json')
    expect((await cxr(['--data-dir', data, 'compose', ...recipe, '--export', file])).code).toBe(0)
    const exported = JSON.parse(readFileSync(file, 'utf8'))
    // Patient 1 has img1 and img2: put them on two sides.
    const [one, two] = ['img1.png', 'img2.png'].map((id) => exported.images.find((image: { imageId: string }) => image.imageId === id))
    two.split = one.split === 'test' ? 'train' : 'test'
    writeFileSync(file, JSON.stringify(exported))
    const { code, stdout, stderr } = await cxr(['--data-dir', data, 'compose', '--import', file, '--save', 'leaky'])
    expect(code).toBe(1)
    expect(stdout).toContain('leakage check FAILED: 1 patient(s) and 0 identical image(s) on two sides of a split')
    // Patient ids from the table's column are stored as pseudonyms: the report names the pseudonym.
    expect(stdout).toMatch(/patient fixture\/P-[0-9a-f]{16} in (train|validation) and test|patient fixture\/P-[0-9a-f]{16} in train and validation/)
    expect(stderr).toContain('not saved or exported')
    expect((await cxr(['--data-dir', data, 'compose', '--list'])).stdout).not.toContain('leaky')
  })

  it('an unknown preset is a usage error (exit 2) listing the presets', async () => {
    const { code, stderr } = await cxr(['--data-dir', data, 'compose', '--preset', 'CORDA&Friends', '--role', 'CORDA=fixture'])
    expect(code).toBe(2)
    expect(stderr).toContain("unknown preset 'CORDA&Friends'")
    expect(stderr).toContain('COVID-ChestXRay')
  })
})
