import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'
import {
  BACKEND_LADDER,
  type BackendAttempt,
  type BackendName,
  type BackendPreference,
  type EngineReport,
} from '@shared/system/engineTypes'
import { registeredWasmKernels } from './kernels'
import { initOneDnnBackend, type OneDnnInfo } from './onednn/backend'
import { initWasmBackend, type WasmInfo } from './wasm'

/** Environment variable capping the threads the onednn backend uses (default: one per core OpenMP sees). */
export const THREADS_ENV = 'CXR_THREADS'

function threadsFromEnvironment(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env[THREADS_ENV])
  return Number.isInteger(value) && value > 0 ? value : undefined
}

const requireFromHere = createRequire(import.meta.url)

/** Loads one rung; throws with a plain reason when the rung cannot run here. */
export type BackendLoader = () => Promise<{ kernels?: string[]; wasm?: WasmInfo; onednn?: OneDnnInfo }>

/** The default loaders, one per rung. Tests inject their own. */
export const defaultLoaders: Record<BackendName, BackendLoader> = {
  'tensorflow-gpu': () => loadNativeBinding('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => loadNativeBinding('@tensorflow/tfjs-node'),
  onednn: async () => {
    const onednn = await initOneDnnBackend({ threads: threadsFromEnvironment() })
    return { onednn, kernels: onednn.kernels }
  },
  wasm: async () => {
    const wasm = await initWasmBackend()
    return { wasm, kernels: registeredWasmKernels() }
  },
  cpu: async () => {
    await activate('cpu')
    return {}
  },
}

/**
 * Walks the ladder from the preferred rung down and activates the first backend that loads. Rungs above the
 * preference are reported as not tried; every failure keeps its reason so the System page can say why.
 */
export async function climbBackendLadder(
  preference: BackendPreference,
  preferenceSource: EngineReport['preferenceSource'],
  loaders: Record<BackendName, BackendLoader> = defaultLoaders,
): Promise<EngineReport> {
  const start = preference === 'auto' ? 0 : BACKEND_LADDER.indexOf(preference)
  const attempts: BackendAttempt[] = []
  let active: BackendName | undefined
  let wasm: WasmInfo | null = null
  let onednn: OneDnnInfo | null = null
  let projectKernels: string[] = []
  for (const [index, backend] of BACKEND_LADDER.entries()) {
    if (index < start) {
      attempts.push({ backend, status: 'not-tried', reason: `the ${preferenceSource} asks for ${preference}`, elapsedMs: 0 })
      continue
    }
    if (active) {
      attempts.push({ backend, status: 'not-tried', reason: `${active} is already running`, elapsedMs: 0 })
      continue
    }
    const began = performance.now()
    try {
      const loaded = await loaders[backend]()
      active = backend
      wasm = loaded.wasm ?? null
      onednn = loaded.onednn ?? null
      projectKernels = loaded.kernels ?? []
      attempts.push({ backend, status: 'active', reason: activeReason(backend, wasm, onednn), elapsedMs: performance.now() - began })
    } catch (error) {
      attempts.push({ backend, status: 'failed', reason: explainFailure(backend, error), elapsedMs: performance.now() - began })
    }
  }
  if (!active) throw new Error('No TensorFlow.js backend could start, not even cpu: ' + attempts.map((a) => a.reason).join('; '))
  return {
    active,
    preference,
    preferenceSource,
    attempts,
    wasm,
    onednn: onednn ? { version: onednn.onednn, threads: onednn.threads } : null,
    projectKernels,
    tfjsVersion: tf.version.tfjs,
  }
}

async function loadNativeBinding(packageName: string): Promise<{ kernels?: string[] }> {
  try {
    requireFromHere.resolve(packageName)
  } catch {
    throw new Error(`${packageName} is not installed (it needs internet at install time to fetch libtensorflow)`)
  }
  // The package registers the 'tensorflow' backend as a side effect; a half-installed package throws here
  // because its compiled binding (tfjs_binding.node) is missing.
  requireFromHere(packageName)
  await activate('tensorflow')
  return {}
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name)
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`)
  await tf.ready()
}

function activeReason(backend: BackendName, wasm: WasmInfo | null, onednn: OneDnnInfo | null): string {
  switch (backend) {
    case 'tensorflow-gpu':
      return 'native libtensorflow with CUDA'
    case 'tensorflow':
      return 'native libtensorflow on the CPU'
    case 'onednn':
      return `the project's oneDNN ${onednn?.onednn ?? ''} kernels on ${onednn?.threads ?? '?'} threads, tfjs's cpu code for the rest`
    case 'wasm':
      return `WebAssembly (SIMD ${wasm?.simd ? 'on' : 'off'}, threads ${wasm?.threads ? 'on' : 'off'})`
    case 'cpu':
      return 'plain JavaScript: correct but very slow for training'
  }
}

function explainFailure(backend: BackendName, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  if (/tfjs_binding\.node|napi-v\d|lib(tensorflow|cudnn|cudart|cublas)[\w.-]*\.so|\.dll\b/i.test(message)) {
    return `${backend}: the package is present but its native binding did not load (${firstLine(message)})`
  }
  return `${backend}: ${firstLine(message)}`
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 300)
}
