/**
 * Faster Mean for the wasm backend over leading axes, as in batch norm's
 * moments (wraps the native kernel; see leadingAxesReduction.ts).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import { leadingReducedAxes, reduceLeadingAxes } from './leadingAxesReduction'
import { kernelInput, type KernelArguments } from './wasmKernelUtils'

/** Wraps wasm's Mean; every other axis pattern or dtype goes to the native kernel. */
export function createMeanKernel(native: KernelConfig): KernelFunc {
  const mean = (args: KernelArguments): TensorInfo | TensorInfo[] => {
    const x = kernelInput(args.inputs, 'x')
    const axisCount = leadingReducedAxes(x, args.attrs)
    if (axisCount === undefined) return native.kernelFunc(args)
    return reduceLeadingAxes(args.backend, x, axisCount, args.attrs.keepDims === true, (count) => 1 / count)
  }
  return mean as unknown as KernelFunc
}
