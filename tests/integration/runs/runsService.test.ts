/**
 * The runs service end to end on this thread's wasm backend (the worker path has its own test): a completed
 * run's record, provenance, model and predictions; the input cache; faults (one class, a deleted file);
 * records of runs that were running when the app stopped become interrupted.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { createRunsService } from '../../../src-main/services/runs'
import { createRunStore } from '../../../src-main/services/runs/runStore'
import { fakeLibrary, tinyRunConfig, writeFixtureImages, type FixtureImage } from './support/fixtures'

let root: string
let images: FixtureImage[]

beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-runs-'))
  images = await writeFixtureImages(join(root, 'images'), 24)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('runs service (in-process)', () => {
  it('completes a run with a full record, a model, cached inputs and predictions', async () => {
    const dataFolder = join(root, 'data-complete')
    const service = createRunsService({ dataFolder, library: fakeLibrary(images), execution: { kind: 'in-process' }, appVersion: '9.9.9' })
    const events: string[] = []
    let steps = 0
    service.onDidChange((event) => events.push(`${event.kind}:${event.state}`))
    service.onDidProgress(() => steps++)
    const { runId } = await service.start(tinyRunConfig(), { estimatedSeconds: 42 })
    const record = await service.waitForRun({ runId })
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    // The launcher's estimate is kept beside the wall time the attempts took, so the two can be compared.
    expect(record.timings.estimatedSeconds).toBe(42)
    expect(record.timings.wallSeconds).toBeGreaterThan(0)
    expect(record.history.map((epoch) => epoch.epoch)).toEqual([0, 1])
    expect(record.history.every((epoch) => Number.isFinite(epoch.trainLoss) && Number.isFinite(epoch.valLoss))).toBe(true)
    expect(record.best?.phase).toBe('finetune')
    expect(steps).toBeGreaterThan(0)
    expect(events).toEqual(expect.arrayContaining(['created:queued', 'state:running', 'epoch:running', 'state:completed']))

    // Provenance: every train/validation image by hash, never a test image; composition hash; versions; backend.
    const provenance = record.provenance!
    const used = images.filter((image) => image.split !== 'test')
    expect(provenance.images).toHaveLength(used.length)
    expect(new Set(provenance.images.map((image) => image.contentHash))).toEqual(new Set(used.map((image) => image.contentHash)))
    expect(provenance.compositionHash).toMatch(/^[0-9a-f]{64}$/)
    expect(provenance.backend).toBe('wasm')
    expect(provenance.versions).toEqual({ app: '9.9.9', tfjs: tf.version.tfjs, node: process.versions.node })
    expect(provenance.seed).toBe(11)
    expect(provenance.lungMask).toEqual({ applied: false, modelId: null, name: null })
    expect(provenance.parameters).toBeGreaterThan(0)
    expect(record.timings.attempts).toBe(1)
    expect(record.timings.startedAt).not.toBeNull()

    // The model folder and the record on disk.
    expect(existsSync(join(record.modelFolder!, 'model.json'))).toBe(true)
    expect(existsSync(join(record.modelFolder!, 'card.json'))).toBe(true)
    expect(existsSync(join(service.runFolder(runId), 'record.json'))).toBe(true)
    expect(existsSync(join(service.runFolder(runId), 'log.txt'))).toBe(true)
    const cacheEntries = readdirSync(join(dataFolder, 'cache', 'inputs'), { recursive: true }).filter((name) => String(name).endsWith('.u16'))
    expect(cacheEntries).toHaveLength(used.length)

    // Predictions: probabilities for any image, tensors freed.
    const before = tf.memory().numTensors
    const predictions = await service.predict({ runId, imagePaths: [images[0].path, images[1].path] })
    expect(predictions.map((prediction) => prediction.path)).toEqual([images[0].path, images[1].path])
    for (const { probability } of predictions) expect(probability).toBeGreaterThanOrEqual(0)
    expect(tf.memory().numTensors).toBe(before)

    // A second run reads every input from the cache.
    const second = await service.start(tinyRunConfig({ epochs: 1 }))
    const secondRecord = await service.waitForRun(second)
    expect(secondRecord.log.some((line) => line.includes(`${used.length} from the cache, 0 prepared`))).toBe(true)
    // Newest first by creation time (ids alone do not order runs made within the same second).
    expect((await service.list()).map((run) => run.id)).toEqual([second.runId, runId])
    await service.close()
  })

  it('fails a one-class composition with the reason', async () => {
    const oneClass = await writeFixtureImages(join(root, 'one-class'), 16, { oneClass: true })
    const service = createRunsService({ dataFolder: join(root, 'data-one'), library: fakeLibrary(oneClass), execution: { kind: 'in-process' } })
    const record = await service.waitForRun(await service.start(tinyRunConfig()))
    expect(record.state).toBe('failed')
    expect(record.failureReason).toMatch(/training split has only one class \(0 COVID−, 10 COVID\+\)/)
    expect(record.resumable).toBe(true)
    await service.close()
  })

  it('fails naming a deleted image file', async () => {
    const copy = await writeFixtureImages(join(root, 'deleted'), 16)
    unlinkSync(copy[3].path)
    const service = createRunsService({ dataFolder: join(root, 'data-deleted'), library: fakeLibrary(copy), execution: { kind: 'in-process' } })
    const record = await service.waitForRun(await service.start(tinyRunConfig()))
    expect(record.state).toBe('failed')
    expect(record.failureReason).toContain(`the file of image image-3 of dataset "synthetic" is missing: ${copy[3].path}`)
    await service.close()
  })

  it('marks runs that were running when the app stopped as interrupted', async () => {
    const dataFolder = join(root, 'data-restart')
    const store = createRunStore(dataFolder)
    const first = createRunsService({ dataFolder, library: fakeLibrary(images), execution: { kind: 'in-process' } })
    const { runId } = await first.start(tinyRunConfig({ compositionId: 'missing' }))
    await first.waitForRun({ runId })
    await first.close()
    // Rewrite it as a crashed app would have left it.
    const [record] = (await store.readAll()).records
    await store.write({ ...record, state: 'running' })
    const second = createRunsService({ dataFolder, library: fakeLibrary(images), execution: { kind: 'in-process' } })
    const reloaded = await second.get({ runId })
    expect(reloaded.state).toBe('interrupted')
    expect(reloaded.resumable).toBe(true)
    await second.close()
  })

  it('a deleted run can be brought back as it was within the hour, and is gone after that', async () => {
    const dataFolder = join(root, 'data-undo')
    const service = createRunsService({ dataFolder, library: fakeLibrary(images), execution: { kind: 'in-process' } })
    const done = await service.waitForRun(await service.start(tinyRunConfig({ epochs: 1 })))
    expect(done.state).toBe('completed')
    await service.delete({ runId: done.id })
    expect((await service.list()).map((run) => run.id)).not.toContain(done.id)
    expect(existsSync(service.runFolder(done.id))).toBe(false)
    await service.restore({ runId: done.id })
    const back = await service.get({ runId: done.id })
    expect(back).toMatchObject({ state: 'completed', modelFolder: done.modelFolder })
    expect(existsSync(join(done.modelFolder!, 'model.json'))).toBe(true)
    await service.delete({ runId: done.id })
    await service.close()

    // An hour later (the mark rewritten), the next start deletes it for good.
    writeFileSync(join(dataFolder, 'runs-deleted', done.id, 'deleted-at.txt'), new Date(Date.now() - 2 * 60 * 60 * 1000).toISOString())
    const later = createRunsService({ dataFolder, library: fakeLibrary(images), execution: { kind: 'in-process' } })
    await expect(later.restore({ runId: done.id })).rejects.toThrow('can no longer be restored')
    expect(existsSync(join(dataFolder, 'runs-deleted', done.id))).toBe(false)
    await later.close()
  })
})
