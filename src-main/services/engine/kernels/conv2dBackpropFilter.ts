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
  filterGradientInput,
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
  const { strideHeight, strideWidth } = geometry
  const temporaries = new IntermediateTensors(backend)
  try {
    const { input, pad } = filterGradientInput(backend, x, geometry, temporaries)
    const channelsAsBatch = temporaries.hold(runWasmKernel('Transpose', backend, { x: input }, { perm: [3, 1, 2, 0] }))
    const gradientAsFilter = temporaries.hold(runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }))
    const product = temporaries.hold(runWasmKernel('Conv2D', backend, { x: channelsAsBatch, filter: gradientAsFilter }, {
      strides: 1,
      dilations: [strideHeight, strideWidth],
      pad,
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
