/**
 * Decoding into lent arrays (an import's pool) gives the same stored and modality values as decoding into fresh
 * ones, whatever the pool lent before: real DICOMs of every encoding here, decoded one after another through one
 * pool so that each decode reuses arrays the previous ones filled, and generated native files of several layouts.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DecodedImage } from '@shared/imaging/types'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { writeDicom } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { createPixelBuffers } from '../../../src-main/services/imaging/pixelBuffers'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'

function expectSameValues(pooled: DecodedImage, fresh: DecodedImage, name: string): void {
  expect(pooled.stored.length, name).toBe(fresh.stored.length)
  expect(pooled.pixels.length, name).toBe(fresh.pixels.length)
  let storedDiffer = 0
  let pixelsDiffer = 0
  for (let i = 0; i < fresh.stored.length; i++) if (pooled.stored[i] !== fresh.stored[i]) storedDiffer++
  for (let i = 0; i < fresh.pixels.length; i++) if (!Object.is(pooled.pixels[i], fresh.pixels[i])) pixelsDiffer++
  expect(storedDiffer, `${name}: stored values that differ`).toBe(0)
  expect(pixelsDiffer, `${name}: modality values that differ`).toBe(0)
  expect(pooled.pixelRange, name).toEqual(fresh.pixelRange)
}

/** Decode each file through one pool, giving its arrays back before the next, and compare with a fresh decode. */
async function checkThroughOnePool(files: { name: string; bytes: Uint8Array }[]): Promise<number> {
  const pool = createPixelBuffers(2)
  let reused = 0
  const seen = new Set<ArrayBufferLike>()
  for (const { name, bytes } of files) {
    const fresh = await decodeImageBuffer(bytes, name)
    const pooled = await decodeImageBuffer(bytes, name, { pixelBuffers: pool })
    expectSameValues(pooled, fresh, name)
    if (seen.has(pooled.pixels.buffer)) reused++
    seen.add(pooled.stored.buffer).add(pooled.pixels.buffer)
    // Scribble over what goes back, as a later import file would.
    pooled.stored.fill(-12345)
    pooled.pixels.fill(Number.NaN)
    pool.release(pooled.stored, pooled.pixels)
  }
  return reused
}

describe('decoding into lent arrays', () => {
  it('generated native files (8, 12 and 16 bits, signed, rescaled, shrinking sizes): the same values as fresh arrays', async () => {
    const files: { name: string; bytes: Uint8Array }[] = []
    const layouts = [
      { side: 64, bitsAllocated: 16, bitsStored: 16, signed: false, slope: 1, intercept: 0 },
      { side: 60, bitsAllocated: 16, bitsStored: 12, signed: true, slope: 1, intercept: 0 },
      { side: 50, bitsAllocated: 16, bitsStored: 12, signed: false, slope: 2, intercept: -1024 },
      { side: 48, bitsAllocated: 8, bitsStored: 8, signed: false, slope: 1, intercept: 0 },
      { side: 46, bitsAllocated: 16, bitsStored: 14, signed: false, slope: 0.5, intercept: 3 },
    ]
    for (const layout of layouts) {
      const count = layout.side * layout.side
      const max = 2 ** layout.bitsStored
      const pixels = Array.from({ length: count }, (_, i) => ((i * 7919) % max) - (layout.signed ? max / 2 : 0))
      const bytes = writeDicom({ rows: layout.side, columns: layout.side, pixels, bitsAllocated: layout.bitsAllocated, bitsStored: layout.bitsStored, signed: layout.signed, rescale: { slope: layout.slope, intercept: layout.intercept } })
      files.push({ name: `${layout.side}² ${layout.bitsStored}-bit${layout.signed ? ' signed' : ''}`, bytes })
    }
    const reused = await checkThroughOnePool(files)
    // Each smaller image (down to half the size) fits the arrays the previous one gave back.
    expect(reused).toBeGreaterThanOrEqual(layouts.length - 1)
  })

  it('every real DICOM here: the same values as fresh arrays', async (context) => {
    if (!hasSharedData('dicom')) return context.skip(missingDataReason('dicom'))
    const folder = sharedPath('dicom')
    const names = readdirSync(folder).filter((name) => name.toLowerCase().endsWith('.dcm')).sort()
    expect(names.length).toBeGreaterThan(5)
    await checkThroughOnePool(names.map((name) => ({ name, bytes: readFileSync(join(folder, name)) })))
  })

  it('takes back only the arrays it lent', () => {
    const pool = createPixelBuffers()
    const foreign = new Int32Array(100)
    pool.release(foreign)
    expect(pool.int32(100).buffer).not.toBe(foreign.buffer)
    const lent = pool.float32(100)
    pool.release(lent, lent)
    const again = pool.int32(80)
    expect(again.buffer).toBe(lent.buffer)
    expect(again.length).toBe(80)
    // Once lent it is not lent twice.
    expect(pool.int32(80).buffer).not.toBe(lent.buffer)
  })
})
