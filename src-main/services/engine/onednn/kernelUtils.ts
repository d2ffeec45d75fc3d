/**
 * Plumbing shared by the onednn kernels: the backend keeps tensors exactly as tfjs's cpu backend does (typed
 * arrays in JS memory), so a native kernel reads its inputs and writes a fresh output array in place, and any
 * case the addon does not cover runs the cpu kernel unchanged.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import type { OneDnnAddon } from './addon'

export const ONEDNN_BACKEND_NAME = 'onednn'

/** What a kernel function receives, with the backend typed. */
export interface OneDnnKernelArgs {
  inputs: Record<string, TensorInfo | undefined>
  backend: MathBackendCPU
  attrs: NamedAttrMap
}

/** Builds the replacement for one cpu kernel; return undefined from `run` to use the cpu kernel for this call. */
export interface NativeKernel {
  kernelName: string
  run(addon: OneDnnAddon, args: OneDnnKernelArgs): TensorInfo | TensorInfo[] | undefined
}

/** The float32 values of a tensor, or undefined when the tensor is not a plain float32 array on this backend. */
export function floatData(backend: MathBackendCPU, tensor: TensorInfo | undefined): Float32Array | undefined {
  if (tensor == null || tensor.dtype !== 'float32') return undefined
  const stored = backend.data.get(tensor.dataId)
  if (stored == null || stored.complexTensorInfos != null) return undefined
  const values = stored.values
  return values instanceof Float32Array ? values : undefined
}

/**
 * A float32 array for a kernel output, not zero-filled (each native kernel writes every element), recycled from
 * the backend's pool when it has one of that length.
 */
export function outputFloats(backend: MathBackendCPU, length: number): Float32Array {
  const pool = (backend as MathBackendCPU & { pool?: { take(length: number): Float32Array } }).pool
  if (pool) return pool.take(length)
  if (length === 0) return new Float32Array(0)
  const bytes = Buffer.allocUnsafeSlow(length * 4)
  return new Float32Array(bytes.buffer, bytes.byteOffset, length)
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1)
}

/** Calls that ran the cpu kernel because the addon refused them (by kernel name, with the last reason). */
export const nativeRefusals = new Map<string, { count: number; reason: string }>()

/**
 * Wraps a native kernel around the cpu one it replaces. A case the native kernel declines, or one the addon
 * rejects (say a geometry oneDNN has no implementation for), runs the cpu kernel: slower, never wrong.
 */
export function withFallback(cpu: KernelConfig, native: NativeKernel, addon: OneDnnAddon): KernelFunc {
  return (args) => {
    let result: TensorInfo | TensorInfo[] | undefined
    try {
      result = native.run(addon, args as unknown as OneDnnKernelArgs)
    } catch (error) {
      const refusal = nativeRefusals.get(native.kernelName) ?? { count: 0, reason: '' }
      refusal.count++
      refusal.reason = error instanceof Error ? error.message : String(error)
      nativeRefusals.set(native.kernelName, refusal)
    }
    return result ?? cpu.kernelFunc(args)
  }
}
