import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { createImagingSuite, resolveSharedData } from '../../../src-main/cli/bench/imagingSuite'
import { runCli } from '../../../src-main/cli/runCli'
import { writeDicom, type DicomFixtureSpec } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { projectRoot } from '../../e2e/support/browserMode'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'

async function cxr(args: string[]) {
  let stdout = ''
  let stderr = ''
  // A throwaway data folder, and no lung model: these tests check the chain on synthetic images.
  const env = { CXR_DATA_DIR: mkdtempSync(join(tmpdir(), 'cxr-imaging-cli-')), CXR_LUNG_MODEL_DIR: join(tmpdir(), 'no-lung-model-here') }
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, env)
  return { code, stdout, stderr }
}

const folder = mkdtempSync(join(tmpdir(), 'cxr-imaging-cli-'))
let fixtureCount = 0

/** Write a DICOM fixture to the temp folder and return its path. */
function fixture(spec: DicomFixtureSpec): string {
  const path = join(folder, `fixture-${++fixtureCount}.dcm`)
  writeFileSync(path, writeDicom(spec))
  return path
}

const out = (name: string) => join(folder, name)

/** A PNG's samples, asserting it is one-channel 8-bit grey. */
async function readGreyPng(path: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const metadata = await sharp(path).metadata()
  expect([metadata.format, metadata.channels, metadata.depth]).toEqual(['png', 1, 'uchar'])
  // sharp outputs sRGB unless told otherwise, even for a grey file.
  const { data, info } = await sharp(path).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data: new Uint8Array(data) }
}

/** A binary Netpbm file split into header fields, comment lines and sample bytes. */
function parseNetpbm(bytes: Buffer): { magic: string; width: number; height: number; maxval: number; comments: string[]; body: Buffer } {
  const fields: string[] = []
  const comments: string[] = []
  let position = 0
  while (fields.length < 4) {
    const end = bytes.indexOf(0x0a, position)
    const line = bytes.subarray(position, end).toString('latin1')
    position = end + 1
    if (line.startsWith('#')) comments.push(line)
    else fields.push(...line.split(/\s+/).filter(Boolean))
  }
  return { magic: fields[0], width: Number(fields[1]), height: Number(fields[2]), maxval: Number(fields[3]), comments, body: bytes.subarray(position) }
}

/**
 * 4 x 2, 12 bits stored, MONOCHROME1, modality value = 2 * stored - 1000, window 1000.5 / 1021.
 * LINEAR window (PS3.3 C.11.2.1.2.1): y = ((v - 1000) / 1020 + 0.5) * 255 = (v - 1000) / 4 + 127.5 between
 * v = 490 and v = 1510, 0 below, 255 above; then MONOCHROME1 inverts (255 - y).
 */
const STORED = [745, 1255, 1001, 1051, 901, 1151, 2000, 500]
// Modality values:         490, 1510, 1002, 1102, 802, 1302, 3000, 0
// Window output:             0,  255,  128,  153,  78,  203,  255, 0
const EXPECTED_FILE_WINDOW = [255, 0, 127, 102, 177, 52, 0, 255]
// --window 1000,256: y = (v - 999.5) / 255 * 255 + 127.5 = v - 872, clamped: 0, 255, 130, 230, 0, 255, 255, 0
const EXPECTED_OVERRIDE = [255, 0, 125, 25, 255, 0, 0, 255]

const monochrome1 = (): string =>
  fixture({
    rows: 2,
    columns: 4,
    pixels: STORED,
    bitsAllocated: 16,
    bitsStored: 12,
    photometric: 'MONOCHROME1',
    rescale: { slope: 2, intercept: -1000 },
    windows: [{ center: 1000.5, width: 1021 }],
  })

describe('cxr decode', () => {
  it('--out writes the displayed image: modality LUT, file window, MONOCHROME1 inversion', async () => {
    const { code, stderr } = await cxr(['decode', monochrome1(), '--out', out('window.png')])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const png = await readGreyPng(out('window.png'))
    expect([png.width, png.height]).toEqual([4, 2])
    expect(Array.from(png.data)).toEqual(EXPECTED_FILE_WINDOW)
  })

  it('--window C,W overrides the file window', async () => {
    const { code } = await cxr(['decode', monochrome1(), '--out', out('override.png'), '--window', '1000,256'])
    expect(code).toBe(0)
    expect(Array.from((await readGreyPng(out('override.png'))).data)).toEqual(EXPECTED_OVERRIDE)
  })

  it('--raw writes the stored values as a 16-bit big-endian PGM with maxval 2^bitsStored - 1', async () => {
    const { code } = await cxr(['decode', monochrome1(), '--raw', out('stored.pgm')])
    expect(code).toBe(0)
    const pgm = parseNetpbm(readFileSync(out('stored.pgm')))
    expect([pgm.magic, pgm.width, pgm.height, pgm.maxval]).toEqual(['P5', 4, 2, 4095])
    expect(pgm.body.length).toBe(16)
    expect(Array.from({ length: 8 }, (_, i) => pgm.body.readUInt16BE(2 * i))).toEqual(STORED)
  })

  it('--raw offsets signed data by 2^(bitsStored-1) and says so in a comment', async () => {
    const file = fixture({ rows: 1, columns: 4, pixels: [-2048, -1, 0, 2047], bitsAllocated: 16, bitsStored: 12, signed: true })
    expect((await cxr(['decode', file, '--raw', out('signed.pgm')])).code).toBe(0)
    const pgm = parseNetpbm(readFileSync(out('signed.pgm')))
    expect(pgm.maxval).toBe(4095)
    expect(pgm.comments.join('\n')).toContain('stored = sample - 2048')
    expect(Array.from({ length: 4 }, (_, i) => pgm.body.readUInt16BE(2 * i))).toEqual([0, 2047, 2048, 4095])
  })

  it('--raw writes one byte per sample when maxval < 256, as Netpbm requires', async () => {
    const file = fixture({ rows: 1, columns: 3, pixels: [0, 17, 255], bitsAllocated: 8, bitsStored: 8 })
    expect((await cxr(['decode', file, '--raw', out('eight.pgm')])).code).toBe(0)
    const pgm = parseNetpbm(readFileSync(out('eight.pgm')))
    expect(pgm.maxval).toBe(255)
    expect(Array.from(pgm.body)).toEqual([0, 17, 255])
  })

  it('--json prints the metadata without PHI; --phi adds it', async () => {
    const file = monochrome1()
    const { code, stdout } = await cxr(['decode', file, '--json'])
    expect(code).toBe(0)
    const metadata = JSON.parse(stdout)
    expect(metadata).toMatchObject({
      file,
      width: 4,
      height: 2,
      bitsAllocated: 16,
      bitsStored: 12,
      signed: false,
      photometric: 'MONOCHROME1',
      transferSyntax: { uid: '1.2.840.10008.1.2.1', name: expect.stringMatching(/Explicit VR Little Endian/) },
      rescale: { slope: 2, intercept: -1000 },
      windows: [{ center: 1000.5, width: 1021 }],
      frames: 1,
      modality: 'CR',
      viewPosition: 'PA',
      display: { kind: 'window', center: 1000.5, width: 1021, fromFile: true },
    })
    expect(metadata.patient).toBeUndefined()
    expect(stdout).not.toContain('Fixture^Test')
    expect(stdout).not.toContain('FIXTURE-1')
    const withPhi = JSON.parse((await cxr(['decode', file, '--json', '--phi'])).stdout)
    expect(withPhi.patient).toMatchObject({ patientName: 'Fixture^Test', patientId: 'FIXTURE-1' })
  })

  it('combines --out, --raw and --json in one call, and --frame picks a frame (0-based)', async () => {
    const file = fixture({ rows: 1, columns: 2, frames: 3, pixels: [0, 1, 10, 11, 20, 21], bitsAllocated: 16, bitsStored: 8 })
    const { code, stdout } = await cxr(['decode', file, '--frame', '2', '--out', out('frame.png'), '--raw', out('frame.pgm'), '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ frames: 3, frameIndex: 2 })
    expect(Array.from(parseNetpbm(readFileSync(out('frame.pgm'))).body)).toEqual([20, 21])
    // No file window: the range 20..21 maps to 0..255.
    expect(Array.from((await readGreyPng(out('frame.png'))).data)).toEqual([0, 255])
  })

  it('a frame past the last exits 1 naming the file', async () => {
    const file = fixture({ rows: 1, columns: 2, frames: 2, pixels: [0, 1, 2, 3] })
    const { code, stderr } = await cxr(['decode', file, '--frame', '2', '--json'])
    expect(code).toBe(1)
    expect(stderr).toContain(file)
  })

  it('a truncated file exits 1 with the ImagingError message naming the file', async () => {
    const bytes = writeDicom({ rows: 64, columns: 64, pixels: new Array(64 * 64).fill(100) })
    const path = out('truncated.dcm')
    writeFileSync(path, bytes.subarray(0, 400))
    const { code, stderr } = await cxr(['decode', path, '--out', out('never.png')])
    expect(code).toBe(1)
    expect(stderr).toContain(`cxr decode: ${path}: `)
  })

  it('a missing file exits 1 naming it', async () => {
    const { code, stderr } = await cxr(['decode', out('absent.dcm'), '--json'])
    expect(code).toBe(1)
    expect(stderr).toContain(out('absent.dcm'))
  })

  it.each([
    [['decode', 'x.dcm', '--bogus'], '--bogus'],
    [['decode', 'x.dcm'], 'nothing to write'],
    [['decode', '--json'], 'give one FILE'],
    [['decode', 'x.dcm', '--out', 'o.png', '--window', '40'], '--window must be CENTER,WIDTH'],
    [['decode', 'x.dcm', '--out', 'o.png', '--window', '40,0'], '--window must be CENTER,WIDTH'],
    [['decode', 'x.dcm', '--json', '--frame', '-1'], '--frame'],
    [['decode', 'x.dcm', '--raw', 'o.pgm', '--phi'], '--phi only changes --json'],
  ])('usage error %j exits 2', async (args, message) => {
    const { code, stderr } = await cxr(args)
    expect(code).toBe(2)
    expect(stderr).toContain(message)
    expect(stderr).toContain('Usage: cxr decode')
  })

  it('is listed in --help', async () => {
    const { stdout } = await cxr(['--help'])
    expect(stdout).toMatch(/decode\s+decode a DICOM/)
    expect(stdout).toMatch(/preprocess\s+run the preprocessing chain/)
  })
})

/** 40 x 20, constant 1000 except a 0 in the top-left corner: after normalisation 1 everywhere but there. */
const wide = (): string => {
  const pixels = new Array(40 * 20).fill(1000)
  pixels[0] = 0
  return fixture({ rows: 20, columns: 40, pixels, bitsAllocated: 16, bitsStored: 12 })
}

function rowMeans(png: { width: number; height: number; data: Uint8Array }): number[] {
  return Array.from({ length: png.height }, (_, y) => png.data.subarray(y * png.width, (y + 1) * png.width).reduce((a, b) => a + b, 0) / png.width)
}

describe('cxr preprocess', () => {
  it('writes a --size square 8-bit PNG spanning 0..255, and says the mask step was skipped', async () => {
    const file = fixture({ rows: 30, columns: 50, pixels: Array.from({ length: 1500 }, (_, i) => (i * 37) % 4096), bitsAllocated: 16, bitsStored: 12 })
    const { code, stderr } = await cxr(['preprocess', file, '--out', out('pre.png'), '--size', '32'])
    expect(code).toBe(0)
    expect(stderr).toContain('mask step skipped: no lung segmentation model is installed')
    const png = await readGreyPng(out('pre.png'))
    expect([png.width, png.height]).toEqual([32, 32])
    expect(Math.min(...png.data)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...png.data)).toBeLessThanOrEqual(255)
    expect(new Set(png.data).size).toBeGreaterThan(20)
  })

  it('--resize pad keeps the aspect ratio: a 2:1 image fills the middle half, black bars above and below', async () => {
    const file = wide()
    expect((await cxr(['preprocess', file, '--out', out('pad.png'), '--size', '32', '--resize', 'pad', '--equalize', 'none'])).code).toBe(0)
    const means = rowMeans(await readGreyPng(out('pad.png')))
    // 40x20 scaled by 32/40 = 0.8 is 32x16, centred at rows 8..23.
    expect(means.slice(0, 8).every((m) => m === 0)).toBe(true)
    expect(means.slice(24).every((m) => m === 0)).toBe(true)
    expect(means.slice(8, 24).every((m) => m > 240)).toBe(true)
    expect((await cxr(['preprocess', file, '--out', out('stretch.png'), '--size', '32', '--equalize', 'none'])).code).toBe(0)
    expect(rowMeans(await readGreyPng(out('stretch.png'))).every((m) => m > 240)).toBe(true)
  })

  it('MONOCHROME1 is flipped before the chain: what displays white stays white', async () => {
    // Left half stored 100 (white under MONOCHROME1), right half 900 (black).
    const pixels = Array.from({ length: 8 * 8 }, (_, i) => (i % 8 < 4 ? 100 : 900))
    const file = fixture({ rows: 8, columns: 8, pixels, bitsAllocated: 16, bitsStored: 10, photometric: 'MONOCHROME1' })
    // CLAHE is left out: on two flat halves every tile is uniform and maps to one level, whatever the sign.
    for (const equalize of ['none', 'global']) {
      expect((await cxr(['preprocess', file, '--out', out(`mono1-${equalize}.png`), '--size', '8', '--equalize', equalize])).code).toBe(0)
      const png = await readGreyPng(out(`mono1-${equalize}.png`))
      expect(png.data[0], equalize).toBeGreaterThan(png.data[7])
    }
  })

  it('--mask multiplies by the (blurred) mask: outside the lungs goes to black, inside keeps its contrast', async () => {
    const file = fixture({ rows: 40, columns: 40, pixels: Array.from({ length: 1600 }, (_, i) => 200 + ((i * 13) % 700)), bitsAllocated: 16, bitsStored: 10 })
    // Mask: the left half at 0, the right half at 255; given at half resolution to exercise resampling.
    const mask = new Uint8Array(20 * 20).map((_, i) => (i % 20 < 10 ? 0 : 255))
    await sharp(Buffer.from(mask), { raw: { width: 20, height: 20, channels: 1 } }).toColourspace('b-w').png().toFile(out('mask.png'))
    const { code, stderr } = await cxr(['preprocess', file, '--out', out('masked.png'), '--size', '40', '--mask', out('mask.png')])
    expect(code).toBe(0)
    expect(stderr).not.toContain('skipped')
    expect(stderr).toContain('mask resampled from 20x20 to 40x40')
    const png = await readGreyPng(out('masked.png'))
    for (let y = 0; y < 40; y++) {
      // 3 px blur: 10 columns away from the edge the mask is 0 (or 1) to within a rounding step.
      expect(png.data[y * 40 + 5]).toBe(0)
    }
    expect(Math.max(...png.data.filter((_, i) => i % 40 >= 30))).toBeGreaterThan(200)
  })

  it('a mask of another aspect ratio exits 1 naming the mask', async () => {
    const file = wide()
    await sharp(Buffer.alloc(100, 255), { raw: { width: 10, height: 10, channels: 1 } }).png().toFile(out('square-mask.png'))
    const { code, stderr } = await cxr(['preprocess', file, '--out', out('never.png'), '--mask', out('square-mask.png')])
    expect(code).toBe(1)
    expect(stderr).toContain(out('square-mask.png'))
    expect(stderr).toContain('aspect ratios differ')
  })

  it.each([
    [['preprocess', 'x.dcm'], '--out OUT.png is required'],
    [['preprocess', 'x.dcm', '--out', 'o.png', '--size', '3'], '--size must be an integer'],
    [['preprocess', 'x.dcm', '--out', 'o.png', '--resize', 'crop'], '--resize must be stretch|pad'],
    [['preprocess', 'x.dcm', '--out', 'o.png', '--equalize', 'adaptive'], '--equalize must be global|clahe|none'],
    [['preprocess', 'x.dcm', '--out', 'o.png', '--colour'], '--colour'],
  ])('usage error %j exits 2', async (args, message) => {
    const { code, stderr } = await cxr(args)
    expect(code).toBe(2)
    expect(stderr).toContain(message)
  })
})

describe('imaging bench suite', () => {
  it('resolves the shared data from CXR_SHARED_DATA, else ../shared/data beside the project root', () => {
    expect(resolveSharedData({ CXR_SHARED_DATA: '/somewhere/data' })).toBe(resolve('/somewhere/data'))
    expect(resolveSharedData({})).toBe(resolve(projectRoot, '..', 'shared', 'data'))
  })

  it('without the shared data it returns notes, not figures', async () => {
    const figures = await createImagingSuite({ dataFolder: join(folder, 'no-data') }).run({ batch: 1, size: 224, runs: 1, warmup: 0, log: () => {} })
    expect(figures.map((f) => f.name)).toEqual(['skipped', 'skipped'])
    expect(figures[0].detail).toContain('absent')
    expect(figures.every((f) => Number.isNaN(f.value))).toBe(true)
  })

  it.skipIf(!hasSharedData('dicom') || !hasSharedData('covid-chestxray/images'))('runs on 2 real DICOM files and 2 covid images with runs=1', async () => {
    const log: string[] = []
    const suite = createImagingSuite({ dataFolder: sharedPath(), dicomLimit: 2, covidLimit: 2 })
    const figures = await suite.run({ batch: 1, size: 224, runs: 1, warmup: 0, log: (t) => log.push(t) })
    expect(figures.map((f) => f.name)).toEqual([
      'decode CR-MONO1-10-chest_J2KR.dcm',
      'decode+equalize CR-MONO1-10-chest_J2KR.dcm',
      'resize to 224 CR-MONO1-10-chest_J2KR.dcm',
      'decode CR-MONO1-10-chest_JLSL.dcm',
      'decode+equalize CR-MONO1-10-chest_JLSL.dcm',
      'resize to 224 CR-MONO1-10-chest_JLSL.dcm',
      'decode covid-chestxray ×2',
      'decode+equalize covid-chestxray ×2',
      'resize to 224 covid-chestxray ×2',
    ])
    for (const figure of figures) {
      expect(figure.value).toBeGreaterThan(0)
      expect(figure.unit).toBe('ms/image')
    }
    // decode+equalize includes the decode of the same pass.
    expect(figures[1].value).toBeGreaterThanOrEqual(figures[0].value)
    expect(log.length).toBeGreaterThan(0)
  })
  it.skipIf(hasSharedData('dicom'))('says why the real-file bench test is skipped', () => console.warn(missingDataReason('dicom')))
})
