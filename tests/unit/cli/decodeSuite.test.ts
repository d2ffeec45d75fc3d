import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createDecodeSuite } from '../../../src-main/cli/bench/decodeSuite'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'

const folder = mkdtempSync(join(tmpdir(), 'cxr-decode-bench-'))
const quick = { batch: 1, size: 224, runs: 1, warmup: 0, log: () => {} }
const haveDicom = hasSharedData('dicom')
/** The peer needs Debian's python3 with pydicom and GDCM; the side-by-side test runs only where they are. */
const havePeer = spawnSync('/usr/bin/python3', ['-c', 'import pydicom, gdcm, numpy'], { stdio: 'ignore' }).status === 0
const FIRST = 'CR-MONO1-10-chest_J2KR.dcm'

const savedPython = process.env.CXR_PYTHON
afterEach(() => {
  if (savedPython === undefined) delete process.env.CXR_PYTHON
  else process.env.CXR_PYTHON = savedPython
})

describe('decode bench suite', () => {
  it('without the shared data it returns a note, not figures', async () => {
    const figures = await createDecodeSuite({ dataFolder: join(folder, 'no-data') }).run(quick)
    expect(figures).toHaveLength(1)
    expect(figures[0].name).toBe('skipped')
    expect(figures[0].detail).toContain('absent')
    expect(figures[0].value).toBeNaN()
  })

  it.skipIf(!haveDicom)('times decoding and equalization of a real file without the peer', async () => {
    const figures = await createDecodeSuite({ dataFolder: sharedPath(), dicomLimit: 1 }).run({ ...quick, peer: false })
    expect(figures.map((f) => f.name)).toEqual([`decode ${FIRST}`, `equalize ${FIRST}`])
    expect(figures[0].detail).toContain('JPEG 2000 Lossless')
    for (const figure of figures) expect(figure.value).toBeGreaterThan(0)
  })

  it.skipIf(!haveDicom)('says once, in plain words, which Debian packages the missing peer needs', async () => {
    // A stand-in python3 that fails the way Python does without pydicom.
    const fake = join(folder, 'python3-without-pydicom')
    writeFileSync(fake, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'pydicom'\" >&2\nexit 1\n")
    chmodSync(fake, 0o755)
    process.env.CXR_PYTHON = fake
    const figures = await createDecodeSuite({ dataFolder: sharedPath(), dicomLimit: 2 }).run(quick)
    const notes = figures.filter((f) => f.name === 'skipped')
    expect(notes).toHaveLength(1)
    expect(notes[0].detail).toMatch(/pydicom\+GDCM peer not run: .*apt-get install python3-pydicom python3-gdcm/)
    expect(figures.filter((f) => f.name.startsWith('decode ')).map((f) => f.name)).toEqual([`decode ${FIRST}`, 'decode CR-MONO1-10-chest_JLSL.dcm'])
  })

  it.skipIf(!haveDicom || !havePeer)('prints pydicom+GDCM and numpy beside ours, with the ratios', async () => {
    const figures = await createDecodeSuite({ dataFolder: sharedPath(), dicomLimit: 1 }).run(quick)
    const byName = new Map(figures.map((f) => [f.name, f]))
    expect([...byName.keys()]).toEqual([
      `decode ${FIRST}`,
      `decode ${FIRST} pydicom+GDCM`,
      `decode ${FIRST} ratio`,
      `decode ${FIRST} CPU ratio`,
      `equalize ${FIRST}`,
      `equalize ${FIRST} numpy`,
      `equalize ${FIRST} ratio`,
      `equalize ${FIRST} CPU ratio`,
    ])
    const value = (name: string) => byName.get(name)!.value
    expect(value(`decode ${FIRST} pydicom+GDCM`)).toBeGreaterThan(0)
    expect(value(`decode ${FIRST} ratio`)).toBeCloseTo(value(`decode ${FIRST}`) / value(`decode ${FIRST} pydicom+GDCM`), 10)
    expect(value(`equalize ${FIRST} ratio`)).toBeCloseTo(value(`equalize ${FIRST}`) / value(`equalize ${FIRST} numpy`), 10)
    expect(byName.get(`decode ${FIRST} pydicom+GDCM`)!.detail).toMatch(/pydicom \d.*GDCM \d/)
    // The CPU ratio names both CPU times it divides.
    const cpu = byName.get(`decode ${FIRST} CPU ratio`)!
    const [ours, theirs] = [...cpu.detail.matchAll(/([\d.]+) \/ ([\d.]+) ms/g)][0].slice(1).map(Number)
    expect(theirs).toBeGreaterThan(0)
    expect(cpu.value).toBeCloseTo(ours / theirs, 1)
  })

  it.skipIf(haveDicom)('says why the real-file tests are skipped', () => console.warn(missingDataReason('dicom')))
})
