/**
 * The worker-thread path: runs train in a worker with its own tf (started from TypeScript through tsx here,
 * from out/main/jobWorker.js in the app). A killed worker leaves a failed, resumable run; resuming continues
 * from the last checkpoint with the batches the uninterrupted run would have used; cancel saves and stops.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRunsService } from '../../../src-main/services/runs'
import type { RunEvent } from '../../../src-main/services/runs/runExecutors'
import { batchIndices, epochOrder } from '../../../src-main/services/runs/random'
import { fakeLibrary, tinyRunConfig, tsWorkerEntry, writeFixtureImages, type FixtureImage } from './support/fixtures'

let root: string
let images: FixtureImage[]

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cxr-runs-worker-'))
  images = await writeFixtureImages(join(root, 'images'), 24)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

type Batch = Extract<RunEvent, { type: 'batch' }>

describe('runs in a worker thread', () => {
  it('reports a killed worker as failed and resumable, and resume replays the same batches', async () => {
    const batches: Batch[] = []
    const service = createRunsService({
      dataFolder: join(root, 'data'),
      library: fakeLibrary(images),
      execution: { kind: 'worker', entry: tsWorkerEntry() },
      backend: () => ({ preference: 'wasm', source: 'setting' }),
      onWorkerMessage: (_, message) => {
        if (message.type === 'batch') batches.push(message)
      },
    })
    // 15 training images, batch 4: 3 steps per epoch; a checkpoint after every step.
    const { runId } = await service.start(tinyRunConfig({ epochs: 2, checkpointEverySteps: 1 }))
    const killed = new Promise<void>((resolve) => {
      const stop = service.onDidProgress(({ progress }) => {
        if (progress.phase === 'finetune' && progress.epoch === 1 && progress.step === 2) {
          stop()
          void service.terminateActive().then(resolve)
        }
      })
    })
    await killed
    const failed = await service.waitForRun({ runId })
    expect(failed.state).toBe('failed')
    expect(failed.failureReason).toMatch(/training stopped unexpectedly.*resume continues from the last checkpoint/)
    expect(failed.resumable).toBe(true)
    expect(failed.provenance?.backend).toBe('wasm')
    const beforeKill = batches.length

    await service.resume({ runId })
    const completed = await service.waitForRun({ runId })
    expect(completed.failureReason).toBeNull()
    expect(completed.state).toBe('completed')
    expect(completed.timings.attempts).toBe(2)
    expect(completed.history.map((epoch) => epoch.epoch)).toEqual([0, 1])
    // The kill came after step 2 of epoch 2 was reported: step 1's checkpoint was written before step 2 began,
    // step 2's may or may not have been. The resumed attempt starts right after the checkpoint it found, and
    // every batch it trains is the one the epoch's seeded order puts there: the uninterrupted sequence.
    const resumed = batches.slice(beforeKill)
    expect(resumed[0].epoch).toBe(1)
    expect([1, 2]).toContain(resumed[0].step)
    expect(resumed).toHaveLength(3 - resumed[0].step)
    for (const batch of resumed) {
      expect(batch.indices).toEqual(batchIndices(epochOrder(15, 11, 'finetune', batch.epoch), batch.step, 4))
    }
    const before = batches.slice(0, beforeKill).filter((batch) => batch.epoch === 1 && batch.step === 1)
    if (resumed[0].step === 1) expect(resumed[0].indices).toEqual(before[0].indices)
    await service.close()
  })

  it('cancels a running run after saving a checkpoint', async () => {
    const service = createRunsService({
      dataFolder: join(root, 'data-cancel'),
      library: fakeLibrary(images),
      execution: { kind: 'worker', entry: tsWorkerEntry() },
      backend: () => ({ preference: 'wasm', source: 'setting' }),
    })
    const { runId } = await service.start(tinyRunConfig({ epochs: 3 }))
    const stop = service.onDidProgress(({ progress }) => {
      if (progress.phase === 'finetune' && progress.step === 1) {
        stop()
        void service.cancel({ runId })
      }
    })
    const record = await service.waitForRun({ runId })
    expect(record.state).toBe('cancelled')
    expect(record.resumable).toBe(true)
    expect(record.log.some((line) => line.includes('checkpoint saved'))).toBe(true)
    await service.close()
  })
})
