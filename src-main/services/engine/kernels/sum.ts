/**
 * Faster Sum for the wasm backend over leading axes (wraps the native
 * kernel; see leadingAxesReduction.ts for why and by how much).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import { leadingReducedAxes, reduceLeadingAxes } from './leadingAxesReduction'
import { kernelInput, type KernelArguments } from './wasmKernelUtils'

/** Wraps wasm's Sum; every other axis pattern or dtype goes to the native kernel. */
export function createSumKernel(native: KernelConfig): KernelFunc {
  const sum = (args: KernelArguments): TensorInfo | TensorInfo[] => {
    const x = kernelInput(args.inputs, 'x')
    const axisCount = leadingReducedAxes(x, args.attrs)
    if (axisCount === undefined) return native.kernelFunc(args)
    return reduceLeadingAxes(args.backend, x, axisCount, args.attrs.keepDims === true, () => 1)
  }
  return sum as unknown as KernelFunc
}
