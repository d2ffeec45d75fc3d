/**
 * The native codec addon (native/codecs) against the decoders it replaces: every real JPEG 2000 and 12-bit JPEG
 * Extended file, and generated fixtures, decode to the same samples on both paths; damaged data gives the same
 * kind of ImagingError. Each decode says which decoder ran (DecodedImage.decoder), so a silent fall-back to the
 * wasm / TypeScript path cannot pass as native. Skips with its reason where the addon is not built.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isImagingError } from '@shared/imaging/errors'
import type { DecodedImage } from '@shared/imaging/types'
import { loadNativeCodecs } from '../../../src-main/services/imaging/dicom/codecs/nativeCodecs'
import { writeDicom } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { listFiles } from '../../../src-main/cli/bench/imagingSuite'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'
import { encodeFlatBlockJpeg, encodeJpeg2000, randomSamples, withBitFlips } from './fixtureHelpers'

const native = loadNativeCodecs({})
const skipReason = native.available ? '' : `skipped: ${native.reason} (install libopenjp2-7-dev and libgdcm-dev, then npm run build:native)`
if (skipReason) console.log(`native codecs: ${skipReason}`)

const J2K_SYNTAXES = ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91']
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51'

type Outcome = { image: DecodedImage } | { code: string; detail: string }

/** Decode with the addon on or off: a fresh module graph, so the once-per-thread addon status is read again. */
async function decodeOn(path: 'native' | 'fallback', bytes: Uint8Array, name: string): Promise<Outcome> {
  vi.resetModules()
  vi.stubEnv('CXR_SKIP_NATIVE', path === 'native' ? '0' : '1')
  const { decodeDicomBytes } = await import('../../../src-main/services/imaging/dicom/decodeDicom')
  try {
    return { image: await decodeDicomBytes(bytes, name) }
  } catch (error) {
    if (!isImagingError(error)) throw error
    return { code: error.code, detail: error.detail }
  }
}

/** Both paths, asserting which decoder ran on each. */
async function decodeBoth(bytes: Uint8Array, name: string): Promise<{ ours: Outcome; reference: Outcome }> {
  const ours = await decodeOn('native', bytes, name)
  const reference = await decodeOn('fallback', bytes, name)
  if ('image' in ours) expect(ours.image.decoder, name).toMatch(/native/)
  if ('image' in reference) expect(reference.image.decoder, name).not.toMatch(/native/)
  return { ours, reference }
}

function expectSameSamples({ ours, reference }: { ours: Outcome; reference: Outcome }, name: string): void {
  if (!('image' in ours) || !('image' in reference)) throw new Error(`${name}: ${JSON.stringify({ ours, reference })}`)
  expect(ours.image.width, name).toBe(reference.image.width)
  expect(ours.image.height, name).toBe(reference.image.height)
  const a = ours.image.stored
  const b = reference.image.stored
  expect(a.length, name).toBe(b.length)
  let differing = 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++
  expect(differing, `${name}: samples that differ`).toBe(0)
  expect(ours.image.warnings, name).toEqual(reference.image.warnings)
}

function code(outcome: Outcome): string {
  return 'image' in outcome ? 'image' : outcome.code
}

function fixture(frame: Uint8Array, uid: string, rows: number, columns: number, extra: { bitsStored?: number; signed?: boolean } = {}): Uint8Array {
  return writeDicom({ rows, columns, pixels: [], bitsAllocated: 16, bitsStored: extra.bitsStored ?? 16, signed: extra.signed, syntax: 'encapsulated', transferSyntaxUid: uid, encapsulatedFrames: [frame] })
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe.skipIf(!native.available)('native codecs decode what the wasm / TypeScript decoders decode', () => {
  it.skipIf(!hasSharedData('dicom'))(`every real JPEG 2000 and 12-bit JPEG Extended file, sample for sample ${hasSharedData('dicom') ? '' : missingDataReason('dicom')}`, async () => {
    const folder = sharedPath('dicom')
    let compared = 0
    for (const name of listFiles(folder)) {
      const bytes = new Uint8Array(readFileSync(`${folder}/${name}`))
      const reference = await decodeOn('fallback', bytes, name)
      if (!('image' in reference)) continue
      const uid = reference.image.transferSyntax.uid
      if (!J2K_SYNTAXES.includes(uid) && uid !== JPEG_EXTENDED) continue
      expectSameSamples(await decodeBoth(bytes, name), name)
      compared++
    }
    // RG3_J2KR, RG3_J2KI, CR-MONO1-10-chest_J2KR, RG2_JPLY_fixed at least.
    expect(compared).toBeGreaterThanOrEqual(4)
  }, 60_000)

  it('generated JPEG 2000 (lossless, 8/12/16-bit, signed, odd sizes)', async () => {
    const cases = [
      { bits: 8, signed: false, rows: 37, columns: 29 },
      { bits: 12, signed: false, rows: 130, columns: 97 },
      { bits: 16, signed: false, rows: 64, columns: 64 },
      { bits: 16, signed: true, rows: 33, columns: 70 },
    ]
    for (const { bits, signed, rows, columns } of cases) {
      const samples = signed ? randomSamples(rows * columns, -3000, 3000, 7) : randomSamples(rows * columns, 0, 2 ** bits - 1, bits)
      const frame = await encodeJpeg2000(samples, columns, rows, bits, signed)
      const name = `j2k-${bits}${signed ? 's' : ''}.dcm`
      const both = await decodeBoth(fixture(frame, '1.2.840.10008.1.2.4.90', rows, columns, { bitsStored: bits, signed }), name)
      expectSameSamples(both, name)
      expect(Array.from((both.ours as { image: DecodedImage }).image.stored), name).toEqual(samples)
    }
  })

  it('signed 8-bit JPEG 2000: native keeps the negative samples, which the wasm build clamps to 0', async () => {
    const rows = 16
    const columns = 24
    const samples = Array.from({ length: rows * columns }, (_, i) => ((i * 37) % 256) - 128)
    // The fixture encoder cannot take negative 8-bit samples: code v + 128 unsigned, then mark the component signed
    // (Ssiz, ISO/IEC 15444-1 A.5.1). The reversible path level-shifts unsigned data by 128 before coding, so the
    // codestream then holds exactly v as signed samples.
    const frame = await encodeJpeg2000(samples.map((v) => v + 128), columns, rows, 8, false)
    const ssiz = 42
    expect(frame[ssiz]).toBe(7)
    frame[ssiz] |= 0x80
    const bytes = writeDicom({ rows, columns, pixels: [], bitsAllocated: 8, bitsStored: 8, signed: true, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.90', encapsulatedFrames: [frame] })
    const { ours, reference } = await decodeBoth(bytes, 'j2k-s8.dcm')
    expect(Array.from((ours as { image: DecodedImage }).image.stored)).toEqual(samples)
    expect(Array.from((reference as { image: DecodedImage }).image.stored)).toEqual(samples.map((v) => Math.max(v, 0)))
  })

  it('generated 12-bit JPEG Extended, with and without restart intervals', async () => {
    const rows = 45
    const columns = 70
    const levels = randomSamples(Math.ceil(rows / 8) * Math.ceil(columns / 8), 0, 4095, 5)
    for (const restart of [0, 1, 7]) {
      const frame = encodeFlatBlockJpeg(levels, columns, rows, 12, restart)
      const name = `jply-${restart}.dcm`
      expectSameSamples(await decodeBoth(fixture(frame, JPEG_EXTENDED, rows, columns, { bitsStored: 12 }), name), name)
    }
  })
})

describe.skipIf(!native.available)('native codecs fail as the decoders they replace do', () => {
  const rows = 64
  const columns = 48

  it('a cut 12-bit JPEG gives the same error code on both paths: TRUNCATED when the scan runs out', async () => {
    const size = 256
    const levels = randomSamples((size / 8) ** 2, 0, 4095, 9)
    const whole = encodeFlatBlockJpeg(levels, size, size, 12, 4)
    for (const fraction of [0.02, 0.05, 0.3, 0.6, 0.9, 0.99]) {
      const cut = whole.slice(0, Math.floor(whole.length * fraction))
      const { ours, reference } = await decodeBoth(fixture(cut, JPEG_EXTENDED, size, size, { bitsStored: 12 }), 'cut.dcm')
      expect(code(ours), `cut at ${fraction}: ${JSON.stringify(ours)}`).toBe(code(reference))
      if (fraction >= 0.3) expect(code(ours), `cut at ${fraction}`).toBe('TRUNCATED')
    }
  })

  it('a JPEG 2000 codestream cut inside its packets but ending with EOC gives the same error code on both paths', async () => {
    const samples = randomSamples(rows * columns, 0, 4095, 3)
    const whole = await encodeJpeg2000(samples, columns, rows, 12)
    for (const fraction of [0.3, 0.6, 0.9]) {
      const cut = new Uint8Array([...whole.slice(0, Math.floor(whole.length * fraction)), 0xff, 0xd9])
      const { ours, reference } = await decodeBoth(fixture(cut, '1.2.840.10008.1.2.4.90', rows, columns, { bitsStored: 12 }), 'cut-eoc.dcm')
      expect(code(ours), `cut at ${fraction}: ${JSON.stringify(ours).slice(0, 300)}`).toBe(code(reference))
    }
  })

  it('seeded bit flips of both fixtures: an image or an ImagingError on the native path, never a crash or a hang', async () => {
    const j2k = fixture(await encodeJpeg2000(randomSamples(rows * columns, 0, 4095, 4), columns, rows, 12), '1.2.840.10008.1.2.4.90', rows, columns, { bitsStored: 12 })
    const levels = randomSamples(Math.ceil(rows / 8) * Math.ceil(columns / 8), 0, 4095, 11)
    const jply = fixture(encodeFlatBlockJpeg(levels, columns, rows, 12, 3), JPEG_EXTENDED, rows, columns, { bitsStored: 12 })
    const tally: Record<string, number> = {}
    for (const [index, file] of [j2k, jply].entries()) {
      for (let seed = 1; seed <= 40; seed++) {
        const started = performance.now()
        // The first 400 bytes (the DICOM header) are kept, so the flips land in the codestream.
        const outcome = await decodeOn('native', withBitFlips(file, 1 + (seed % 4), seed * 31 + index, 400), 'flipped.dcm')
        expect(performance.now() - started, `seed ${seed}`).toBeLessThan(5000)
        tally[code(outcome)] = (tally[code(outcome)] ?? 0) + 1
      }
    }
    console.log(`native codecs, bit-flip outcomes: ${JSON.stringify(tally)}`)
  }, 60_000)

  it('the addon refuses sizes beyond its ceiling before allocating, and bad arguments, with plain errors', async () => {
    if (!native.available) return
    const frame = await encodeJpeg2000(randomSamples(rows * columns, 0, 255, 1), columns, rows, 8)
    expect(() => native.addon.decodeJpeg2000(frame, rows * columns - 1, 2)).toThrow(/far larger than the DICOM header says/)
    const jpeg = encodeFlatBlockJpeg(randomSamples(48, 0, 4095, 2), columns, rows, 12)
    expect(() => native.addon.decodeJpeg12(jpeg, 100)).toThrow(/far larger than the DICOM header says/)
    expect(() => native.addon.decodeJpeg12(new Uint8Array([0xff, 0xd8]), 100)).toThrow()
    expect(() => native.addon.decodeJpeg2000(new Uint8Array(3), 100, 2)).toThrow()
    expect(() => native.addon.decodeJpeg2000('nope' as unknown as Uint8Array, 100, 2)).toThrow(/Uint8Array/)
  })
})
