/**
 * The `onednn` TensorFlow.js backend: tfjs's cpu backend (same tensor storage, every kernel available) with the
 * operations that dominate training and inference of conv nets replaced by the project's oneDNN addon, threaded
 * across the machine's cores. Any call the addon does not cover (another dtype, NCHW, a grouped convolution…)
 * runs the cpu kernel, so the backend is never less complete than cpu.
 */
import * as tf from '@tensorflow/tfjs'
import type { backend_util, DataId, DataType } from '@tensorflow/tfjs'
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import { loadOneDnnAddon, type OneDnnAddon } from './addon'
import { FUSED_KERNEL_NAMES, fusedKernelConfigs } from './fusedKernels'
import { FloatPool } from './floatPool'
import { CONVOLUTION_KERNELS } from './convolutionKernels'
import { DEPTHWISE_KERNELS } from './depthwiseKernels'
import { ELEMENTWISE_KERNELS } from './elementwiseKernels'
import { LAYOUT_KERNELS } from './layoutKernels'
import { POOLING_KERNELS } from './poolingKernels'
import { REDUCTION_KERNELS } from './reductionKernels'
import { ONEDNN_BACKEND_NAME, withFallback, type NativeKernel } from './kernelUtils'
import { setFreedMemoryRelease } from './freedMemory'

export { ONEDNN_BACKEND_NAME } from './kernelUtils'

/** Every kernel the backend serves instead of tfjs's cpu code: the addon's, and the depthwise gradients (TypeScript). */
export const NATIVE_KERNELS: readonly NativeKernel[] = [
  ...CONVOLUTION_KERNELS,
  ...DEPTHWISE_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...REDUCTION_KERNELS,
  ...LAYOUT_KERNELS,
  ...POOLING_KERNELS,
]

/** What the running onednn backend uses. */
export interface OneDnnInfo {
  /** oneDNN's version, e.g. "2.6.3". */
  onednn: string
  threads: number
  /** Kernels served by the addon or the project's own code (the rest run tfjs's cpu code). */
  kernels: string[]
}

/** The cpu backend with pooled output memory for the native kernels (see FloatPool). */
export class OneDnnBackend extends MathBackendCPU {
  readonly pool = new FloatPool()

  constructor() {
    super()
    // The cpu backend greets Node users with advice to install tfjs-node on first use; this backend is the
    // answer to that advice where tfjs-node cannot install.
    ;(this as unknown as { firstUse: boolean }).firstUse = false
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = super.write(values, shape, dtype)
    this.pool.retain(values)
    return dataId
  }

  override move(dataId: DataId, values: backend_util.BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    super.move(dataId, values, shape, dtype, refCount)
    this.pool.retain(values)
  }

  override readSync(dataId: DataId): backend_util.BackendValues {
    const values = super.readSync(dataId)
    this.pool.escape(values)
    return values
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values
    const disposed = super.disposeData(dataId, force)
    if (values !== undefined && !this.data.has(dataId)) this.pool.release(values)
    return disposed
  }

  override dispose(): void {
    this.pool.drain()
    super.dispose()
  }
}

function registerKernels(addon: OneDnnAddon): void {
  const natives = new Map(NATIVE_KERNELS.map((kernel) => [kernel.kernelName, kernel]))
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(config.kernelName, ONEDNN_BACKEND_NAME) != null) continue
    const native = natives.get(config.kernelName)
    tf.registerKernel({
      ...config,
      backendName: ONEDNN_BACKEND_NAME,
      kernelFunc: native ? withFallback(config, native, addon) : config.kernelFunc,
    })
  }
  for (const config of fusedKernelConfigs(addon)) tf.registerKernel(config)
}

/**
 * Registers the backend (once per thread) and makes it the active one.
 * @param threads the OpenMP team size for oneDNN and the element-wise kernels (default: what OpenMP chose, i.e.
 *   the cores it sees, or OMP_NUM_THREADS).
 * @throws when the addon is not built or does not load, or tfjs cannot switch to the backend.
 */
export async function initOneDnnBackend(options: { threads?: number } = {}): Promise<OneDnnInfo> {
  const addon = loadOneDnnAddon()
  if (tf.engine().registryFactory[ONEDNN_BACKEND_NAME] == null) {
    addon.keepFreedMemory()
    setFreedMemoryRelease(() => addon.releaseFreedMemory())
    registerKernels(addon)
    tf.registerBackend(ONEDNN_BACKEND_NAME, () => new OneDnnBackend(), 0)
  }
  if (options.threads != null) addon.setThreads(options.threads)
  const ok = await tf.setBackend(ONEDNN_BACKEND_NAME)
  if (!ok) throw new Error(`tf.setBackend('${ONEDNN_BACKEND_NAME}') returned false`)
  await tf.ready()
  const { onednn, threads } = addon.info()
  const served = new Set(tf.getKernelsForBackend('cpu').map((config) => config.kernelName))
  const replaced = NATIVE_KERNELS.map((k) => k.kernelName).filter((name) => served.has(name))
  return { onednn, threads, kernels: [...replaced, ...FUSED_KERNEL_NAMES] }
}
