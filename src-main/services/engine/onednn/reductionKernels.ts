/** Sum and Mean over a contiguous run of axes (every reduction batch norm, pooling and the losses make). */
import { util, type TensorInfo } from '@tensorflow/tfjs'
import { floatData, sizeOf, outputFloats, type NativeKernel, type OneDnnKernelArgs } from './kernelUtils'
import type { OneDnnAddon } from './addon'

function reduce(addon: OneDnnAddon, { inputs, backend, attrs }: OneDnnKernelArgs, mean: boolean): TensorInfo | undefined {
  const x = inputs.x!
  const values = floatData(backend, x)
  if (!values) return undefined
  const { axis, keepDims } = attrs as { axis: number | number[]; keepDims?: boolean }
  const axes = [...new Set(util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q)
  if (axes.length === 0) return undefined
  // Axes that are not one contiguous run (say 0 and 2) would need a transpose first: the cpu kernel does that.
  if (axes.some((a, i) => i > 0 && a !== axes[i - 1] + 1)) return undefined
  const first = axes[0]
  const last = axes[axes.length - 1]
  const outer = sizeOf(x.shape.slice(0, first))
  const reduced = sizeOf(x.shape.slice(first, last + 1))
  const inner = sizeOf(x.shape.slice(last + 1))
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i))
  const out = outputFloats(backend, outer * inner)
  addon.sum(values, outer, reduced, inner, out, mean ? 1 / reduced : 1)
  return backend.makeTensorInfo(shape, 'float32', out)
}

export const REDUCTION_KERNELS: NativeKernel[] = [
  { kernelName: 'Sum', run: (addon, args) => reduce(addon, args, false) },
  { kernelName: 'Mean', run: (addon, args) => reduce(addon, args, true) },
]
