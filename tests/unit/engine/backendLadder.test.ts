import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { climbBackendLadder, type BackendLoader } from '../../../src-main/services/engine/backendLadder'
import { BACKEND_ENV, createEngineService } from '../../../src-main/services/engine/engineService'
import { createSettingsStore } from '../../../src-main/services/settings/settingsStore'

const fails = (message: string): BackendLoader => async () => {
  throw new Error(message)
}
const works = (extra: Awaited<ReturnType<BackendLoader>> = {}): BackendLoader => async () => extra

const offlineMachine = {
  'tensorflow-gpu': fails('@tensorflow/tfjs-node-gpu is not installed (it needs internet at install time to fetch libtensorflow)'),
  tensorflow: fails("Cannot find module '/x/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'"),
  onednn: fails('the oneDNN addon is not built (/x/native/onednn/build/Release/cxr_onednn.node is missing; install libdnnl-dev …)'),
  wasm: works({ wasm: { simd: true, threads: false }, kernels: ['Conv2DBackpropFilter'] }),
  cpu: works(),
}

describe('backend ladder', () => {
  it('takes the first rung that loads and keeps every reason', async () => {
    const report = await climbBackendLadder('auto', 'default', offlineMachine)
    expect(report.active).toBe('wasm')
    expect(report.attempts.map((a) => [a.backend, a.status])).toEqual([
      ['tensorflow-gpu', 'failed'],
      ['tensorflow', 'failed'],
      ['onednn', 'failed'],
      ['wasm', 'active'],
      ['cpu', 'not-tried'],
    ])
    expect(report.attempts[0].reason).toContain('not installed')
    expect(report.attempts[1].reason).toContain('native binding did not load')
    expect(report.attempts[2].reason).toContain('libdnnl-dev')
    expect(report.wasm).toEqual({ simd: true, threads: false })
    expect(report.projectKernels).toEqual(['Conv2DBackpropFilter'])
  })

  it('prefers the GPU when it loads', async () => {
    const report = await climbBackendLadder('auto', 'default', { ...offlineMachine, 'tensorflow-gpu': works() })
    expect(report.active).toBe('tensorflow-gpu')
    expect(report.attempts.slice(1).every((a) => a.status === 'not-tried')).toBe(true)
  })

  it('runs the oneDNN kernels where the addon is built, before wasm', async () => {
    const onednn = { onednn: '2.6.3', threads: 2, kernels: ['Conv2D', 'Conv2DBackpropFilter'] }
    const report = await climbBackendLadder('auto', 'default', { ...offlineMachine, onednn: works({ onednn, kernels: onednn.kernels }) })
    expect(report.active).toBe('onednn')
    expect(report.onednn).toEqual({ version: '2.6.3', threads: 2 })
    expect(report.attempts[2].reason).toMatch(/oneDNN 2\.6\.3 kernels on 2 threads/)
    expect(report.attempts.slice(3).map((a) => a.status)).toEqual(['not-tried', 'not-tried'])
    expect(report.projectKernels).toEqual(['Conv2D', 'Conv2DBackpropFilter'])
  })

  it('starts at a forced rung and falls further down when it fails', async () => {
    const report = await climbBackendLadder('wasm', 'environment', { ...offlineMachine, wasm: fails('no WebAssembly') })
    expect(report.active).toBe('cpu')
    expect(report.attempts[0]).toMatchObject({ status: 'not-tried', reason: 'the environment asks for wasm' })
    expect(report.attempts[3]).toMatchObject({ status: 'failed', reason: 'wasm: no WebAssembly' })
  })

  it('says so when nothing at all can run', async () => {
    await expect(climbBackendLadder('auto', 'default', { ...offlineMachine, wasm: fails('a'), cpu: fails('b') })).rejects.toThrow(/No TensorFlow.js backend/)
  })
})

describe('engine service preferences', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'cxr-engine-'))

  it('the environment variable wins over the saved setting', async () => {
    const settings = createSettingsStore(folder())
    settings.update({ backend: 'wasm' })
    const engine = createEngineService({ settings, env: { [BACKEND_ENV]: 'cpu' }, loaders: offlineMachine })
    const report = await engine.init()
    expect(report).toMatchObject({ active: 'cpu', preference: 'cpu', preferenceSource: 'environment' })
  })

  it('a saved setting is used and survives a restart', async () => {
    const dataFolder = folder()
    const first = createEngineService({ settings: createSettingsStore(dataFolder), env: {}, loaders: offlineMachine })
    expect((await first.init()).active).toBe('wasm')
    expect((await first.setPreference('cpu')).active).toBe('cpu')
    const restarted = createEngineService({ settings: createSettingsStore(dataFolder), env: {}, loaders: offlineMachine })
    expect(await restarted.init()).toMatchObject({ active: 'cpu', preferenceSource: 'setting' })
  })

  it('rejects a misspelt environment value with the allowed ones', async () => {
    const engine = createEngineService({ settings: createSettingsStore(folder()), env: { [BACKEND_ENV]: 'cuda' }, loaders: offlineMachine })
    await expect(engine.init()).rejects.toThrow(/CXR_BACKEND=cuda.*tensorflow-gpu, tensorflow, onednn, wasm, cpu/)
  })

  it('a corrupt settings file falls back to defaults', async () => {
    const dataFolder = folder()
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(dataFolder, 'settings.json'), '{"backend": "warp-drive"')
    expect(createSettingsStore(dataFolder).get().backend).toBe('auto')
  })
})
