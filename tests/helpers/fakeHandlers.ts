import { vi, type Mock } from 'vitest'
import { CHANNELS, type CxrHandlers } from '@shared/ipc'
import type { EngineReport } from '@shared/system/engineTypes'
import type { SystemReport } from '@shared/system/systemTypes'

/** An engine report as the real ladder would produce on a machine without native TensorFlow. */
export const sampleEngineReport: EngineReport = {
  active: 'wasm',
  preference: 'auto',
  preferenceSource: 'default',
  attempts: [
    { backend: 'tensorflow-gpu', status: 'failed', reason: 'tensorflow-gpu: not installed', elapsedMs: 1 },
    { backend: 'tensorflow', status: 'failed', reason: 'tensorflow: not installed', elapsedMs: 1 },
    { backend: 'onednn', status: 'failed', reason: 'onednn: the oneDNN addon is not built', elapsedMs: 1 },
    { backend: 'wasm', status: 'active', reason: 'WebAssembly (SIMD on, threads off)', elapsedMs: 40 },
    { backend: 'cpu', status: 'not-tried', reason: 'wasm is already running', elapsedMs: 0 },
  ],
  wasm: { simd: true, threads: false },
  onednn: null,
  projectKernels: ['Conv2DBackpropFilter'],
  tfjsVersion: '4.22.0',
}

/** A full system report around the sample engine report. */
export const sampleSystemReport: SystemReport = {
  app: { name: 'CXR Workstation', version: '0.0.0-test', mode: 'browser' },
  engine: sampleEngineReport,
  machine: { platform: 'linux', arch: 'x64', cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, gpus: [], gpuProbe: 'test' },
  versions: { node: '20' },
  dataFolder: '/tmp/cxr-test',
}

/** Handlers whose every method is a spy, so tests can prove a rejected call never reached a service. */
export function createSpyHandlers() {
  const known = {
    system: { getReport: vi.fn(async () => sampleSystemReport) },
    engine: {
      getReport: vi.fn(async () => sampleEngineReport),
      setPreference: vi.fn(async ({ preference }: { preference: EngineReport['preference'] }) => ({ ...sampleEngineReport, preference })),
    },
  }
  // Every other channel of the contract gets a spy that fails loudly if a test reaches it by mistake.
  const handlers: Record<string, Record<string, Mock>> = { ...known }
  for (const channel of CHANNELS) {
    const [service, method] = channel.split('.')
    handlers[service] ??= {}
    handlers[service][method] ??= vi.fn(async () => {
      throw new Error(`${channel} is not faked in these tests`)
    })
  }
  const allSpies = () => Object.values(handlers).flatMap((methods) => Object.values(methods))
  return { handlers: handlers as unknown as CxrHandlers & typeof known, allSpies }
}
