/**
 * Conv2DBackpropFilter for the wasm backend, which ships without one (so
 * tfjs cannot train any conv layer on wasm).
 *
 * dW[kh, kw, ci, co] = sum over b, oh, ow of x[b, oh*s + kh - pad, ow*s + kw - pad, ci] * dy[b, oh, ow, co]
 *
 * Read with ci as the batch, b as the input channel and dy as a filter of size
 * outHeight x outWidth sampled every `stride` pixels, this is one forward
 * convolution with dilation = stride. It therefore runs on the XNNPACK
 * convolution behind wasm's Conv2D instead of a scalar loop.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs'
import {
  convolutionGeometry,
  kernelInput,
  explicitPadding,
  IntermediateTensors,
  runWasmKernel,
  WASM_BACKEND_NAME,
  type KernelArguments,
} from './wasmKernelUtils'

/** Kernel name used by tfjs-core's conv2d gradient. */
export const CONV2D_BACKPROP_FILTER = 'Conv2DBackpropFilter'

function conv2dBackpropFilter({ inputs, backend, attrs }: KernelArguments): TensorInfo {
  const x = kernelInput(inputs, 'x')
  const dy = kernelInput(inputs, 'dy')
  const geometry = convolutionGeometry(x.shape, attrs.filterShape as number[], attrs, false)
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, padInfo } = geometry
  const { filterHeight, filterWidth, strideHeight, strideWidth } = geometry

  // The dilated "filter" dy spans (out - 1) * stride + 1 input pixels; the
  // bottom/right padding must make exactly filterHeight x filterWidth positions.
  // It is negative when 'valid' (or an explicit pad) leaves input rows unused.
  const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - padInfo.top
  const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - padInfo.left
  const temporaries = new IntermediateTensors(backend)
  try {
    let input = x
    if (bottom < 0 || right < 0) {
      input = temporaries.hold(runWasmKernel('Slice', backend, { x }, {
        begin: [0, 0, 0, 0],
        size: [batchSize, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), inChannels],
      }))
    }
    const channelsAsBatch = temporaries.hold(runWasmKernel('Transpose', backend, { x: input }, { perm: [3, 1, 2, 0] }))
    const gradientAsFilter = temporaries.hold(runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }))
    const product = temporaries.hold(runWasmKernel('Conv2D', backend, { x: channelsAsBatch, filter: gradientAsFilter }, {
      strides: 1,
      dilations: [strideHeight, strideWidth],
      pad: explicitPadding(padInfo.top, Math.max(bottom, 0), padInfo.left, Math.max(right, 0)),
      dataFormat: 'NHWC',
    }))
    // [inChannels, filterHeight, filterWidth, outChannels] -> filter layout.
    return runWasmKernel('Transpose', backend, { x: product }, { perm: [1, 2, 0, 3] })
  } finally {
    temporaries.release()
  }
}

/** Kernel config registered by `registerWasmTrainingKernels`. */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: CONV2D_BACKPROP_FILTER,
  backendName: WASM_BACKEND_NAME,
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
}
