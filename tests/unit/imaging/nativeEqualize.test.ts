/**
 * The codec addon's histogram equalization against the TypeScript fast path it stands in for: the same output to the
 * bit on integer levels of every range the fast path takes (cached network inputs depend on it), and the same refusal
 * (nothing written) for samples it does not take, so the general path still handles those. Skips with its reason
 * where the addon is not built.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { histogramEqualize, useEqualizeLevelsKernel } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import { loadNativeCodecs } from '../../../src-main/services/imaging/dicom/codecs/nativeCodecs'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'

const native = loadNativeCodecs({})
const skipReason = native.available ? '' : `skipped: ${native.reason} (install libopenjp2-7-dev and libgdcm-dev, then npm run build:native)`

afterEach(() => useEqualizeLevelsKernel(undefined))

/** Equalize through the TypeScript kernel and through the addon's; both results as bit patterns. */
function both(data: Float32Array): { typescript: Uint32Array; addon: Uint32Array } {
  const image = { width: data.length, height: 1, data }
  useEqualizeLevelsKernel(undefined)
  const typescript = histogramEqualize(image).data
  if (!native.available) throw new Error(skipReason)
  const addon = native.addon
  useEqualizeLevelsKernel((source) => addon.equalizedLevels(source))
  const fromAddon = histogramEqualize(image).data
  useEqualizeLevelsKernel(undefined)
  return { typescript: new Uint32Array(typescript.buffer), addon: new Uint32Array(fromAddon.buffer) }
}

function levels(count: number, low: number, high: number, seed: number): Float32Array {
  const out = new Float32Array(count)
  let state = seed
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    out[i] = low + (state % (high - low + 1))
  }
  return out
}

describe('native histogram equalization', () => {
  const cases: [string, Float32Array][] = [
    ['8-bit levels', levels(10_001, 0, 255, 1)],
    ['12-bit levels', levels(40_000, 0, 4095, 2)],
    ['signed CT-like levels', levels(30_000, -1024, 3071, 3)],
    ['the whole table, both ends', Float32Array.from([-32768, 65535, 0, 1, -32768, 65535, 7])],
    ['a few levels, odd length', Float32Array.from([3, 3, 3, 9, 9, 5, 3])],
    ['a constant image', new Float32Array(101).fill(42)],
    ['one sample', Float32Array.from([12])],
    ['negative zero among zeros and ones', Float32Array.from([-0, 0, 1, 1, -0, 2])],
  ]
  for (const [name, data] of cases) {
    it(`${name}: the same output to the bit`, (context) => {
      if (skipReason) return context.skip(skipReason)
      const { typescript, addon } = both(data)
      expect(Array.from(addon)).toEqual(Array.from(typescript))
    })
  }

  const refused: [string, number][] = [
    ['a fraction', 2.5],
    ['a level above the table', 65536],
    ['a level below the table', -32769],
    ['NaN', Number.NaN],
    ['infinity', Number.POSITIVE_INFINITY],
  ]
  for (const [name, value] of refused) {
    it(`${name} anywhere: refused, as the TypeScript kernel refuses it`, (context) => {
      if (skipReason || !native.available) return context.skip(skipReason)
      for (const position of [0, 1, 500, 999]) {
        const data = levels(1000, 0, 4095, 4)
        data[position] = value
        expect(native.addon.equalizedLevels(data)).toBeUndefined()
      }
      // Through histogramEqualize the general path takes over: the same bits, or the same error, as without the addon.
      const data = levels(1000, 0, 4095, 5)
      data[3] = value
      const outcome = (kernel: Parameters<typeof useEqualizeLevelsKernel>[0]) => {
        useEqualizeLevelsKernel(kernel)
        try {
          return Array.from(new Uint32Array(histogramEqualize({ width: 1000, height: 1, data }).data.buffer))
        } catch (error) {
          return (error as Error).message
        } finally {
          useEqualizeLevelsKernel(undefined)
        }
      }
      expect(outcome((source) => native.addon.equalizedLevels(source))).toEqual(outcome(undefined))
    })
  }

  it('leaves nothing behind between images: small and large, refused and constant ones in between', (context) => {
    if (skipReason || !native.available) return context.skip(skipReason)
    const small = levels(500, 100, 900, 6)
    const large = levels(120_000, -2000, 6000, 7)
    const first = native.addon.equalizedLevels(small)
    const broken = levels(2000, 0, 4095, 8)
    broken[1500] = 0.5
    for (const other of [large, broken, new Float32Array(300).fill(5), levels(70_000, 0, 65535, 9)]) native.addon.equalizedLevels(other)
    expect(native.addon.equalizedLevels(small)).toEqual(first)
    const { typescript, addon } = both(large)
    expect(Array.from(addon)).toEqual(Array.from(typescript))
  })

  it('takes an empty array', (context) => {
    if (skipReason || !native.available) return context.skip(skipReason)
    expect(native.addon.equalizedLevels(new Float32Array(0))).toEqual(new Float32Array(0))
  })

  it('rejects a source that is not a Float32Array, by name', (context) => {
    if (skipReason || !native.available) return context.skip(skipReason)
    expect(() => native.addon.equalizedLevels(new Float64Array(4) as unknown as Float32Array)).toThrow(/source must be a Float32Array/)
  })

  it('every real DICOM here, as preprocessing sees it: the same output to the bit', async (context) => {
    if (skipReason) return context.skip(skipReason)
    if (!hasSharedData('dicom')) return context.skip(missingDataReason('dicom'))
    const folder = sharedPath('dicom')
    const names = readdirSync(folder).filter((name) => name.toLowerCase().endsWith('.dcm'))
    let compared = 0
    for (const name of names) {
      const decoded = await decodeImageBuffer(readFileSync(join(folder, name)), name)
      if (decoded.samplesPerPixel !== 1) continue
      const { typescript, addon } = both(toPresentationGrey(decoded).data)
      let differing = 0
      for (let i = 0; i < typescript.length; i++) if (typescript[i] !== addon[i]) differing++
      expect(differing, `${name}: samples that differ`).toBe(0)
      compared++
    }
    expect(compared).toBeGreaterThan(5)
  })
})
