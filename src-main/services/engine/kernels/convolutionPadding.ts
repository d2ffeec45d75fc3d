/**
 * Wrappers for wasm's forward convolutions that fix two padding bugs, both of
 * which make the native kernels write a differently sized result than the
 * output buffer tfjs allocated: wrong values, and wasm heap corruption
 * ("memory access out of bounds" in later, unrelated kernels).
 *
 * 1. pad 'same' where TensorFlow's padding comes out negative, i.e.
 *    (out - 1) * stride + filter < in (a filter smaller than the stride, e.g.
 *    2x2 stride 3 on 9 pixels, 3x3 stride 4 on 8). tfjs-backend-wasm 4.22 hands
 *    XNNPACK its TensorFlow-SAME flag, which mishandles that case. Seen in
 *    Conv2D, FusedConv2D, DepthwiseConv2dNative and FusedDepthwiseConv2D.
 * 2. A numeric pad with a non-square filter or strides: tfjs-core 4.22 sizes
 *    the output with the filter height and stride height for both dimensions
 *    (conv_util computeOutputShape2D), while XNNPACK uses the real width. The
 *    cpu backend shares the core bug but stays in bounds, returning a cropped
 *    result; here the output is sized correctly instead.
 *
 * In both cases the wrappers pass the equivalent explicit padding, which the
 * native kernels handle correctly. Every other call goes to the native kernel
 * unchanged.
 */
import { backend_util } from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'
import { explicitPadding, kernelInput, type ExplicitPadding, type KernelArguments } from './wasmKernelUtils'

/** Forward convolution kernels whose padding the wrappers correct. */
export const PADDING_FIXED_KERNELS: ReadonlyArray<{ kernelName: string; depthwise: boolean }> = [
  { kernelName: 'Conv2D', depthwise: false },
  { kernelName: 'FusedConv2D', depthwise: false },
  { kernelName: 'DepthwiseConv2dNative', depthwise: true },
  { kernelName: 'FusedDepthwiseConv2D', depthwise: true },
]

function pair(value: unknown, fallback: number): [number, number] {
  if (value == null) return [fallback, fallback]
  return typeof value === 'number' ? [value, value] : (value as [number, number])
}

/**
 * Returns the explicit padding to use instead of `attrs.pad` when the native
 * kernel would mishandle it, or undefined when the padding is safe as it is.
 */
export function saferPadding(
  inputShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
  depthwise: boolean,
): ExplicitPadding | undefined {
  const [strideHeight, strideWidth] = pair(attrs.strides, 1)
  const [dilationHeight, dilationWidth] = pair(attrs.dilations, 1)
  const effectiveFilterHeight = (filterShape[0] - 1) * dilationHeight + 1
  const effectiveFilterWidth = (filterShape[1] - 1) * dilationWidth + 1
  const pad = attrs.pad
  if (typeof pad === 'number') {
    if (effectiveFilterHeight === effectiveFilterWidth && strideHeight === strideWidth) return undefined
    return explicitPadding(pad, pad, pad, pad)
  }
  if (pad !== 'same' || attrs.dataFormat === 'NCHW') return undefined
  const geometry = backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    [strideHeight, strideWidth],
    [dilationHeight, dilationWidth],
    'same',
    undefined,
    depthwise,
  )
  const neededHeight = (geometry.outHeight - 1) * strideHeight + effectiveFilterHeight
  const neededWidth = (geometry.outWidth - 1) * strideWidth + effectiveFilterWidth
  if (neededHeight >= geometry.inHeight && neededWidth >= geometry.inWidth) return undefined
  // computeConv2DInfo clamps each side at zero, which is what TensorFlow means.
  const { top, bottom, left, right } = geometry.padInfo
  return explicitPadding(top, bottom, left, right)
}

/** Wraps a native forward convolution so that mishandled paddings become explicit. */
export function withSaferPadding(native: KernelConfig, depthwise: boolean): KernelFunc {
  const wrapped = ({ inputs, backend, attrs }: KernelArguments): TensorInfo | TensorInfo[] => {
    const x = kernelInput(inputs, 'x')
    const filter = kernelInput(inputs, 'filter')
    const padding = saferPadding(x.shape, filter.shape, attrs, depthwise)
    const effectiveAttrs = padding === undefined ? attrs : { ...attrs, pad: padding }
    return native.kernelFunc({ inputs, backend, attrs: effectiveAttrs })
  }
  return wrapped as unknown as KernelFunc
}
