import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cachedInputSet, startPreparation, type InputImage, type PrepareChunk } from '../../../src-main/services/inputs'
import { IMAGES_PER_LANE } from '../../../src-main/services/inputs/preparation'
import { dequantiseInput, quantiseInput, readCachedValues, writeCachedValues } from '../../../src-main/services/inputs/inputCache'

const images: InputImage[] = Array.from({ length: 7 }, (_, index) => ({ path: `/img/${index}.png`, contentHash: `h${index}`, description: `image ${index}` }))

/** A lane that records what it was given and reports each image after `delay` ms. */
function recordingLanes(delay = 1) {
  const calls: string[][] = []
  const prepare: PrepareChunk = async (chunk, onEach) => {
    calls.push(chunk.map((image) => image.contentHash))
    for (const [index] of chunk.entries()) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
      onEach(index, { cached: false, masked: index !== 0 })
    }
  }
  return { calls, prepare }
}

describe('startPreparation', () => {
  it('deals the missing images round-robin in priority order and counts them', async () => {
    const many: InputImage[] = Array.from({ length: 2 * IMAGES_PER_LANE + 2 }, (_, index) => ({ path: `/img/${index}.png`, contentHash: `h${index}`, description: `image ${index}` }))
    const missing = many.map((_, index) => index).filter((index) => index !== 0 && index !== 3)
    const { calls, prepare } = recordingLanes(0)
    const progress: number[] = []
    const running = startPreparation(many, missing, prepare, { parallelism: 4, onItem: (done) => progress.push(done) })
    const counts = await running.done
    // Enough images for two lanes, not four.
    expect(calls).toHaveLength(2)
    expect(calls[0]).toEqual(missing.filter((_, position) => position % 2 === 0).map((index) => `h${index}`))
    expect(calls[1]).toEqual(missing.filter((_, position) => position % 2 === 1).map((index) => `h${index}`))
    // 2 were cached already; the first image of each lane reported no lungs found.
    expect(counts).toEqual({ cached: 2, prepared: missing.length, unmasked: 2 })
    expect(progress).toEqual(missing.map((_, position) => position + 1))
  })

  it('prepares a few images on one lane, told it is alone', async () => {
    const lanesSeen: number[] = []
    const { calls, prepare } = recordingLanes()
    const running = startPreparation(images, [1, 2, 4, 5, 6], (chunk, onEach, lanes) => (lanesSeen.push(lanes), prepare(chunk, onEach, lanes)), { parallelism: 2 })
    expect(await running.done).toEqual({ cached: 2, prepared: 5, unmasked: 1 })
    expect(calls).toEqual([['h1', 'h2', 'h4', 'h5', 'h6']])
    expect(lanesSeen).toEqual([1])
  })

  it('lets a reader wait for one image only, and never for one already cached', async () => {
    const { prepare } = recordingLanes(5)
    const running = startPreparation(images, [3, 5], prepare, { parallelism: 1 })
    await running.ready(0) // cached: at once
    let fiveReady = false
    void running.ready(5).then(() => (fiveReady = true))
    await running.ready(3)
    expect(fiveReady).toBe(false)
    await running.done
    expect(fiveReady).toBe(true)
  })

  it('fails the waiting readers and the whole with the lane failure', async () => {
    const failing: PrepareChunk = async (chunk, onEach) => {
      onEach(0, { cached: false, masked: true })
      throw new Error(`cannot decode ${chunk[1].path}`)
    }
    const running = startPreparation(images, [0, 1, 2], failing, { parallelism: 1 })
    await expect(running.ready(1)).rejects.toThrow('cannot decode /img/1.png')
    await expect(running.done).rejects.toThrow('cannot decode /img/1.png')
    await expect(running.ready(0)).resolves.toBeUndefined()
  })

  it('says it was stopped when lanes end early after stop()', async () => {
    const partial: PrepareChunk = async (_chunk, onEach) => onEach(0, { cached: false, masked: true })
    const running = startPreparation(images, [0, 1], partial, { parallelism: 1 })
    running.stop()
    await expect(running.done).rejects.toThrow('stopped')
  })
})

describe('input cache values', () => {
  const folder = mkdtempSync(join(tmpdir(), 'cxr-input-cache-'))
  afterAll(() => rmSync(folder, { recursive: true, force: true }))

  it('stores [0, 1] as k / 65535, clamping outside values', () => {
    const stored = quantiseInput(Float32Array.from([-0.5, 0, 0.5, 1 / 65535, 1, 2]))
    expect([...stored]).toEqual([0, 0, 32768, 1, 65535, 65535])
    const back = dequantiseInput(stored)
    expect(back[2]).toBeCloseTo(32768 / 65535, 7)
    // Quantising what was read back changes nothing: a prepared run and a cached run see the same numbers.
    expect([...quantiseInput(back)]).toEqual([...stored])
  })

  it('reads back what was written and refuses a truncated file', async () => {
    const file = join(folder, 'ab', 'one.u16')
    const stored = Uint16Array.from([1, 2, 3, 4])
    await writeCachedValues(file, stored)
    expect([...(await readCachedValues(file, 4))!]).toEqual([1, 2, 3, 4])
    expect(await readCachedValues(file, 9)).toBeNull()
    writeFileSync(file, Buffer.from([1, 2, 3]))
    expect(await readCachedValues(file, 4)).toBeNull()
    expect(await readCachedValues(join(folder, 'none.u16'), 4)).toBeNull()
  })

  it('a cached set assembles a batch in the order asked, waiting for each item first', async () => {
    const files = [0, 1, 2].map((index) => join(folder, `set-${index}.u16`))
    for (const [index, file] of files.entries()) await writeCachedValues(file, Uint16Array.from({ length: 4 }, () => index * 1000))
    const waited: number[] = []
    const set = cachedInputSet(files, Int32Array.from([0, 1, 0]), 2, async (item) => void waited.push(item))
    const batch = await set.read([2, 0])
    expect([...batch.subarray(0, 4)].every((value) => value === Math.fround(2000 / 65535))).toBe(true)
    expect([...batch.subarray(4)].every((value) => value === 0)).toBe(true)
    expect(waited.sort()).toEqual([0, 2])
    rmSync(files[1])
    await expect(set.read([1])).rejects.toThrow('resume the run to prepare it again')
  })
})
