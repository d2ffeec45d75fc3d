/**
 * Depthwise convolutions (NHWC, one filter per channel) and their gradients, in TypeScript: the addon has no
 * grouped convolution, and tfjs's cpu kernels walk the gradients channel by channel (the filter gradient through
 * `TensorBuffer.get`), touching one float per cache line; in a COVID-Net training step they took most of the time
 * (measured: 10 of 15 s at 96 px). These walk the same sums position by position with the channels innermost,
 * contiguous in every tensor, and add each element's terms in the cpu kernel's order and precision (float32 for
 * the forward pass, double for the gradients), so they give the cpu kernels' values. Depth multipliers other
 * than 1 and dilations are left to the cpu kernels.
 */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs'
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import { floatData, outputFloats, sizeOf, type NativeKernel } from './kernelUtils'

type DepthwiseAttrs = {
  strides: number | [number, number]
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding
  dilations?: number | [number, number]
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

/**
 * The geometry of a depthwise convolution these kernels compute, or undefined for a case they leave to the cpu
 * kernel (a depth multiplier other than 1, a dilation, an empty tensor).
 */
export function depthwiseGeometry(xShape: number[], filterShape: number[], attrs: DepthwiseAttrs): backend_util.Conv2DInfo | undefined {
  if (xShape.length !== 4 || filterShape.length !== 4 || filterShape[3] !== 1 || filterShape[2] !== xShape[3]) return undefined
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as 'same',
    attrs.dimRoundingMode,
    true,
  )
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined
  if (info.outHeight <= 0 || info.outWidth <= 0 || info.batchSize <= 0 || info.inChannels <= 0) return undefined
  return info
}

/** The numbers the loops below run over: tfjs's geometry, with the one channel count and the leading paddings. */
function dimensions(info: backend_util.Conv2DInfo) {
  return { ...info, channels: info.inChannels, top: info.padInfo.top, left: info.padInfo.left }
}

/** y[b, yR, yC, c] = Σ over the window of x[b, yR·s + kR − top, yC·s + kC − left, c] · w[kR, kC, c]. */
function forward(x: Float32Array, filter: Float32Array, info: backend_util.Conv2DInfo, out: Float32Array): void {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, channels, top, left } = dimensions(info)
  // Float32 sums: the cpu kernel adds into its float32 output, rounding after every term.
  const sums = new Float32Array(channels)
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        sums.fill(0)
        for (let kR = 0; kR < filterHeight; kR++) {
          const xR = yR * strideHeight + kR - top
          if (xR < 0 || xR >= inHeight) continue
          for (let kC = 0; kC < filterWidth; kC++) {
            const xC = yC * strideWidth + kC - left
            if (xC < 0 || xC >= inWidth) continue
            const xOffset = ((b * inHeight + xR) * inWidth + xC) * channels
            const filterOffset = (kR * filterWidth + kC) * channels
            for (let c = 0; c < channels; c++) sums[c] += x[xOffset + c] * filter[filterOffset + c]
          }
        }
        out.set(sums, ((b * outHeight + yR) * outWidth + yC) * channels)
      }
    }
  }
}

/** dW[kR, kC, c] = Σ over images and output positions of x[b, yR·s + kR − top, yC·s + kC − left, c] · dy[b, yR, yC, c]. */
function filterGradient(x: Float32Array, dy: Float32Array, info: backend_util.Conv2DInfo): Float64Array {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, channels, top, left } = dimensions(info)
  const sums = new Float64Array(filterHeight * filterWidth * channels)
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let kR = 0; kR < filterHeight; kR++) {
        const xR = yR * strideHeight + kR - top
        if (xR < 0 || xR >= inHeight) continue
        for (let yC = 0; yC < outWidth; yC++) {
          const dyOffset = ((b * outHeight + yR) * outWidth + yC) * channels
          for (let kC = 0; kC < filterWidth; kC++) {
            const xC = yC * strideWidth + kC - left
            if (xC < 0 || xC >= inWidth) continue
            const xOffset = ((b * inHeight + xR) * inWidth + xC) * channels
            const sumOffset = (kR * filterWidth + kC) * channels
            for (let c = 0; c < channels; c++) sums[sumOffset + c] += x[xOffset + c] * dy[dyOffset + c]
          }
        }
      }
    }
  }
  return sums
}

/** dx[b, xR, xC, c] = Σ over the output positions that read it of dy[b, yR, yC, c] · w[xR + top − yR·s, xC + left − yC·s, c]. */
function inputGradient(dy: Float32Array, filter: Float32Array, info: backend_util.Conv2DInfo, out: Float32Array): void {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, channels, top, left } = dimensions(info)
  const sums = new Float64Array(channels)
  for (let b = 0; b < batchSize; b++) {
    for (let xR = 0; xR < inHeight; xR++) {
      // Output rows whose window covers row xR: 0 ≤ xR + top − yR·s < filterHeight, ascending as the cpu kernel adds them.
      const yRFirst = Math.max(0, Math.ceil((xR + top - filterHeight + 1) / strideHeight))
      const yREnd = Math.min(outHeight, Math.floor((xR + top) / strideHeight) + 1)
      for (let xC = 0; xC < inWidth; xC++) {
        const yCFirst = Math.max(0, Math.ceil((xC + left - filterWidth + 1) / strideWidth))
        const yCEnd = Math.min(outWidth, Math.floor((xC + left) / strideWidth) + 1)
        sums.fill(0)
        for (let yR = yRFirst; yR < yREnd; yR++) {
          const kR = xR + top - yR * strideHeight
          for (let yC = yCFirst; yC < yCEnd; yC++) {
            const kC = xC + left - yC * strideWidth
            const dyOffset = ((b * outHeight + yR) * outWidth + yC) * channels
            const filterOffset = (kR * filterWidth + kC) * channels
            for (let c = 0; c < channels; c++) sums[c] += dy[dyOffset + c] * filter[filterOffset + c]
          }
        }
        const outOffset = ((b * inHeight + xR) * inWidth + xC) * channels
        for (let c = 0; c < channels; c++) out[outOffset + c] = sums[c]
      }
    }
  }
}

function tensorOf(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values)
}

export const depthwiseConv2d: NativeKernel = {
  kernelName: 'DepthwiseConv2dNative',
  run(_addon, { inputs, backend, attrs }) {
    const xs = floatData(backend, inputs.x)
    const filter = floatData(backend, inputs.filter)
    const info = xs && filter ? depthwiseGeometry(inputs.x!.shape, inputs.filter!.shape, attrs as unknown as DepthwiseAttrs) : undefined
    if (!xs || !filter || !info) return undefined
    const out = outputFloats(backend, sizeOf(info.outShape))
    forward(xs, filter, info, out)
    return tensorOf(backend, info.outShape, out)
  },
}

export const depthwiseConv2dBackpropFilter: NativeKernel = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  run(_addon, { inputs, backend, attrs }) {
    const xs = floatData(backend, inputs.x)
    const dys = floatData(backend, inputs.dy)
    const { filterShape } = attrs as { filterShape: number[] }
    const info = xs && dys ? depthwiseGeometry(inputs.x!.shape, filterShape, attrs as unknown as DepthwiseAttrs) : undefined
    if (!xs || !dys || !info || sizeOf(inputs.dy!.shape) !== sizeOf(info.outShape)) return undefined
    const sums = filterGradient(xs, dys, info)
    const out = outputFloats(backend, sums.length)
    out.set(sums)
    return tensorOf(backend, filterShape, out)
  },
}

export const depthwiseConv2dBackpropInput: NativeKernel = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  run(_addon, { inputs, backend, attrs }) {
    const dys = floatData(backend, inputs.dy)
    const filter = floatData(backend, inputs.filter)
    const { inputShape } = attrs as { inputShape: number[] }
    const info = dys && filter ? depthwiseGeometry(inputShape, inputs.filter!.shape, attrs as unknown as DepthwiseAttrs) : undefined
    if (!dys || !filter || !info || sizeOf(inputs.dy!.shape) !== sizeOf(info.outShape)) return undefined
    const out = outputFloats(backend, sizeOf(inputShape))
    inputGradient(dys, filter, info, out)
    return tensorOf(backend, inputShape, out)
  },
}

export const DEPTHWISE_KERNELS: NativeKernel[] = [depthwiseConv2d, depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput]
