/** Max pooling and its gradient (NHWC), with tfjs's tie and padding rules. */
import { backend_util } from '@tensorflow/tfjs'
import { floatData, sizeOf, outputFloats, type NativeKernel } from './kernelUtils'

type PoolAttrs = {
  filterSize: number | [number, number]
  strides: number | [number, number]
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

function poolInfo(xShape: number[], attrs: PoolAttrs): backend_util.Conv2DInfo | undefined {
  if (xShape.length !== 4) return undefined
  const info = backend_util.computePool2DInfo(
    xShape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad as 'same', attrs.dimRoundingMode,
  )
  if (info.outHeight <= 0 || info.outWidth <= 0 || info.batchSize <= 0 || info.inChannels <= 0) return undefined
  return info
}

function geometryOf(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  ]
}

export const maxPool: NativeKernel = {
  kernelName: 'MaxPool',
  run(addon, { inputs, backend, attrs }) {
    const x = inputs.x!
    const values = floatData(backend, x)
    const info = values ? poolInfo(x.shape, attrs as unknown as PoolAttrs) : undefined
    if (!values || !info) return undefined
    const out = outputFloats(backend, sizeOf(info.outShape))
    addon.maxPool(values, out, geometryOf(info))
    return backend.makeTensorInfo(info.outShape, 'float32', out)
  },
}

export const maxPoolGrad: NativeKernel = {
  kernelName: 'MaxPoolGrad',
  run(addon, { inputs, backend, attrs }) {
    const { dy, input } = inputs
    const dyValues = floatData(backend, dy)
    const xValues = floatData(backend, input)
    const info = dyValues && xValues ? poolInfo(input!.shape, attrs as unknown as PoolAttrs) : undefined
    if (!dyValues || !xValues || !info || sizeOf(dy!.shape) !== sizeOf(info.outShape)) return undefined
    const out = outputFloats(backend, xValues.length)
    addon.maxPoolGrad(dyValues, xValues, out, geometryOf(info))
    return backend.makeTensorInfo(input!.shape, 'float32', out)
  },
}

export const POOLING_KERNELS: NativeKernel[] = [maxPool, maxPoolGrad]
