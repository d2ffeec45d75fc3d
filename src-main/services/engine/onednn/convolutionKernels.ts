/** Convolutions on oneDNN: Conv2D, FusedConv2D (bias and ReLU fused) and both gradients. */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs'
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import type { OneDnnAddon } from './addon'
import { floatData, sizeOf, outputFloats, type NativeKernel } from './kernelUtils'

type ConvAttrs = {
  strides: number | [number, number]
  pad: backend_util.PadInfo['type'] | 'valid' | 'same' | number | backend_util.ExplicitPadding
  dataFormat?: 'NHWC' | 'NCHW'
  dilations?: number | [number, number]
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

/** The 17 numbers the addon's convolution functions take, in its ConvGeometry order. */
export function geometryOf(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left, info.padInfo.bottom, info.padInfo.right,
  ]
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs): backend_util.Conv2DInfo | undefined {
  if (attrs.dataFormat === 'NCHW') return undefined
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as 'same',
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  )
  // Empty tensors and groups (inChannels ≠ filter's) are left to the cpu kernel.
  if (info.outHeight <= 0 || info.outWidth <= 0 || info.batchSize <= 0 || info.inChannels !== filterShape[2]) return undefined
  return info
}

function output(backend: MathBackendCPU, shape: number[]): { values: Float32Array; info: () => TensorInfo } {
  const values = outputFloats(backend, sizeOf(shape))
  return { values, info: () => backend.makeTensorInfo(shape, 'float32', values) }
}

export const conv2d: NativeKernel = {
  kernelName: 'Conv2D',
  run(addon, { inputs, backend, attrs }) {
    const x = inputs.x!
    const filter = inputs.filter!
    const xs = floatData(backend, x)
    const ws = floatData(backend, filter)
    const info = xs && ws ? convInfo(x.shape, filter.shape, attrs as unknown as ConvAttrs) : undefined
    if (!xs || !ws || !info) return undefined
    const out = output(backend, info.outShape)
    addon.conv2d(xs, ws, null, out.values, geometryOf(info), 0)
    return out.info()
  },
}

export const fusedConv2d: NativeKernel = {
  kernelName: 'FusedConv2D',
  run(addon, { inputs, backend, attrs }) {
    const { activation } = attrs as { activation?: string }
    if (activation !== 'linear' && activation !== 'relu' && activation != null) return undefined
    const x = inputs.x!
    const filter = inputs.filter!
    const xs = floatData(backend, x)
    const ws = floatData(backend, filter)
    const info = xs && ws ? convInfo(x.shape, filter.shape, attrs as unknown as ConvAttrs) : undefined
    if (!xs || !ws || !info) return undefined
    let bias: Float32Array | null = null
    if (inputs.bias != null) {
      const values = floatData(backend, inputs.bias)
      // A bias broadcast from a single value is left to the cpu kernel; oneDNN wants one per output channel.
      if (!values || values.length !== info.outChannels) return undefined
      bias = values
    }
    const out = output(backend, info.outShape)
    addon.conv2d(xs, ws, bias, out.values, geometryOf(info), activation === 'relu' ? 1 : 0)
    return out.info()
  },
}

export const conv2dBackpropInput: NativeKernel = {
  kernelName: 'Conv2DBackpropInput',
  run(addon, { inputs, backend, attrs }) {
    const dy = inputs.dy!
    const filter = inputs.filter!
    const dys = floatData(backend, dy)
    const ws = floatData(backend, filter)
    const { inputShape } = attrs as { inputShape: number[] }
    const info = dys && ws ? convInfo(inputShape, filter.shape, { ...(attrs as unknown as ConvAttrs), dilations: 1 }) : undefined
    if (!dys || !ws || !info || sizeOf(dy.shape) !== sizeOf(info.outShape)) return undefined
    const out = output(backend, info.inShape)
    addon.conv2dBackpropInput(dys, ws, out.values, geometryOf(info))
    return out.info()
  },
}

export const conv2dBackpropFilter: NativeKernel = {
  kernelName: 'Conv2DBackpropFilter',
  run(addon, { inputs, backend, attrs }) {
    const x = inputs.x!
    const dy = inputs.dy!
    const xs = floatData(backend, x)
    const dys = floatData(backend, dy)
    const { filterShape } = attrs as { filterShape: number[] }
    const info = xs && dys ? convInfo(x.shape, filterShape, { ...(attrs as unknown as ConvAttrs), dilations: 1 }) : undefined
    if (!xs || !dys || !info || sizeOf(dy.shape) !== sizeOf(info.outShape)) return undefined
    const out = output(backend, filterShape)
    addon.conv2dBackpropFilter(xs, dys, out.values, geometryOf(info))
    return out.info()
  },
}

export const CONVOLUTION_KERNELS: NativeKernel[] = [conv2d, fusedConv2d, conv2dBackpropInput, conv2dBackpropFilter]
