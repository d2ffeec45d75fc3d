/**
 * Inputs prepared on helper workers beside the training (the app, with enough images for several lanes) are the
 * inputs one lane prepares on the training thread: the two runs end with the same weights, bit for bit.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { IMAGES_PER_LANE } from '../../../src-main/services/inputs/preparation'
import { createRunsService } from '../../../src-main/services/runs'
import { skipWithReason } from '../../helpers/skip'
import { fakeLibrary, tinyRunConfig, tsWorkerEntry, writeFixtureImages, type FixtureImage } from './support/fixtures'

let root: string
let images: FixtureImage[]
beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-lanes-'))
  // Enough missing inputs for two lanes once the composition's test split is set aside.
  images = await writeFixtureImages(join(root, 'images'), Math.ceil((2 * IMAGES_PER_LANE) / 0.6) + 8)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

async function train(folder: string, inWorker: boolean) {
  const service = createRunsService({
    dataFolder: join(root, folder),
    library: fakeLibrary(images),
    execution: inWorker ? { kind: 'worker' as const, entry: tsWorkerEntry() } : { kind: 'in-process' as const },
    backend: () => ({ preference: 'wasm' as const, source: 'setting' as const }),
  })
  try {
    const { runId } = await service.start(tinyRunConfig({ epochs: 1 }))
    const record = await service.waitForRun({ runId })
    expect(record.failureReason).toBeNull()
    const log = readFileSync(join(service.runFolder(runId), 'log.txt'), 'utf8')
    return { weights: createHash('sha256').update(readFileSync(join(record.modelFolder!, 'weights.bin'))).digest('hex'), log }
  } finally {
    await service.close()
  }
}

describe('input preparation lanes', () => {
  it('helper workers prepare the same inputs as the training thread', async (context) => {
    if (availableParallelism() < 2) return skipWithReason(context, 'one core here: a run prepares its inputs on one lane, so there are no helper workers to compare')
    const lanes = await train('lanes', true)
    const single = await train('single', false)
    expect(lanes.log).toMatch(/preparing \d+ inputs on 2 workers/)
    expect(single.log).toMatch(/preparing \d+ inputs on the training thread/)
    expect(lanes.log).toMatch(/inputs ready in [\d.]+ s: 0 from the cache, \d+ prepared/)
    expect(lanes.weights).toBe(single.weights)
  }, 240_000)
})
