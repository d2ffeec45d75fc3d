/**
 * A run's inputs are fixed when it first starts: `full` preprocessing takes the lung model the app uses then
 * (by content id), records it, and keeps it for every resume even if the user picks another model meanwhile;
 * a resume whose lung model is gone is refused, saying so. `full` with no lung model at all is refused at start.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LungModelRef } from '@shared/runs/record'
import { saveLayersModel } from '../../../src-main/services/engine/modelFiles'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { lungModelIdentity } from '../../../src-main/services/lung/model/lungModel'
import { buildUNet } from '../../../src-main/services/lung/model/unet'
import { createRunsService, type RunLungModels } from '../../../src-main/services/runs'
import { writeTestCard } from '../lung/model/syntheticBlobs'
import { fakeLibrary, tinyRunConfig, writeFixtureImages, type FixtureImage } from './support/fixtures'

let root: string
let images: FixtureImage[]
const models: LungModelRef[] = []

/** A tiny U-Net saved with a card: a real lung model folder, different weights per seed. */
async function lungModel(name: string, seed: number): Promise<LungModelRef> {
  const folder = join(root, name)
  const model = buildUNet({ inputSize: 16, depth: 2, baseFilters: 2, seed })
  await saveLayersModel(model, folder)
  model.dispose()
  writeTestCard(folder, 16)
  const identity = await lungModelIdentity(folder)
  return { modelId: identity.modelId, name, folder }
}

beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-run-inputs-'))
  images = await writeFixtureImages(join(root, 'images'), 24)
  models.push(await lungModel('model-a', 1), await lungModel('model-b', 2))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('a run keeps the inputs it started with', () => {
  it('records the lung model it started with and keeps it when another is chosen; refuses to resume without it', async () => {
    let active = models[0]
    let installed = [...models]
    const lungModels: RunLungModels = { active: async () => active, find: async (modelId) => installed.find((model) => model.modelId === modelId) ?? null }
    const service = createRunsService({ dataFolder: join(root, 'data'), library: fakeLibrary(images), execution: { kind: 'in-process' }, lungModels })
    const { runId } = await service.start(tinyRunConfig({ preprocessing: 'full', epochs: 3 }))
    const stop = service.onDidProgress(({ progress }) => {
      if (progress.phase === 'finetune' && progress.epoch === 1) {
        stop()
        void service.cancel({ runId })
      }
    })
    const cancelled = await service.waitForRun({ runId })
    expect(cancelled.state).toBe('cancelled')
    expect(cancelled.inputs?.lungModel).toEqual(models[0])
    expect(cancelled.provenance?.lungMask).toEqual({ applied: true, modelId: models[0].modelId, name: 'model-a' })

    // The user picks model B: the run still resumes on model A.
    active = models[1]
    await service.resume({ runId })
    const completed = await service.waitForRun({ runId })
    expect(completed.failureReason).toBeNull()
    expect(completed.provenance?.lungMask.modelId).toBe(models[0].modelId)
    expect(completed.inputs?.lungModel?.modelId).toBe(models[0].modelId)

    // A new run takes model B.
    const second = (await service.start(tinyRunConfig({ preprocessing: 'full', epochs: 2 }))).runId
    const stopSecond = service.onDidProgress(({ runId: id, progress }) => {
      if (id === second && progress.phase === 'finetune') {
        stopSecond()
        void service.cancel({ runId: second })
      }
    })
    expect((await service.waitForRun({ runId: second })).inputs?.lungModel?.modelId).toBe(models[1].modelId)
    // Model B is uninstalled: its run cannot continue on other masks.
    installed = [models[0]]
    await expect(service.resume({ runId: second })).rejects.toThrow(/lung model "model-b" \(lung-[0-9a-f]+\), which is no longer installed/)
    expect((await service.get({ runId: second })).state).toBe('cancelled')
    await service.close()
  }, 120_000)

  it('refuses full preprocessing when no lung model is installed', async () => {
    const service = createRunsService({ dataFolder: join(root, 'none'), library: fakeLibrary(images), execution: { kind: 'in-process' }, lungModels: { active: async () => null, find: async () => null } })
    const { runId } = await service.start(tinyRunConfig({ preprocessing: 'full' }))
    const record = await service.waitForRun({ runId })
    expect(record.state).toBe('failed')
    expect(record.failureReason).toMatch(/full preprocessing masks the lungs with a lung model, and none is installed/)
    await service.close()
  })
})
