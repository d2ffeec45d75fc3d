/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend, which lacks it
 * (needed to train separable / depthwise layers, e.g. MobileNet-style nets).
 *
 * dW[kh, kw, c, m] = sum over b, oh, ow of x[b, oh*s + kh - pad, ow*s + kw - pad, c] * dy[b, oh, ow, c*M + m]
 *
 * Folding the batch into the channels turns this into one depthwise
 * convolution over a single image: input x as [1, H, W, batch * C], filter dy
 * as [outHeight, outWidth, batch * C, M] with dilation = stride. Its output
 * [1, kh, kw, batch * C * M] is then summed over the batch.
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

/** Kernel name used by tfjs-core's depthwiseConv2d gradient. */
export const DEPTHWISE_BACKPROP_FILTER = 'DepthwiseConv2dNativeBackpropFilter'

function depthwiseConv2dBackpropFilter({ inputs, backend, attrs }: KernelArguments): TensorInfo {
  const x = kernelInput(inputs, 'x')
  const dy = kernelInput(inputs, 'dy')
  const filterShape = attrs.filterShape as number[]
  const geometry = convolutionGeometry(x.shape, filterShape, attrs, true)
  const { batchSize, inChannels, outHeight, outWidth, outChannels } = geometry
  const { filterHeight, filterWidth, strideHeight, strideWidth } = geometry
  const multiplier = filterShape[3]
  const temporaries = new IntermediateTensors(backend)
  try {
    const { input, pad } = filterGradientInput(backend, x, geometry, temporaries)
    const [, croppedHeight, croppedWidth] = input.shape
    const inputMoved = temporaries.hold(runWasmKernel('Transpose', backend, { x: input }, { perm: [1, 2, 0, 3] }))
    const batchInChannels = temporaries.hold(runWasmKernel('Reshape', backend, { x: inputMoved }, {
      shape: [1, croppedHeight, croppedWidth, batchSize * inChannels],
    }))
    const gradientMoved = temporaries.hold(runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }))
    const gradientAsFilter = temporaries.hold(runWasmKernel('Reshape', backend, { x: gradientMoved }, {
      shape: [outHeight, outWidth, batchSize * inChannels, multiplier],
    }))
    const product = temporaries.hold(runWasmKernel('DepthwiseConv2dNative', backend, {
      x: batchInChannels,
      filter: gradientAsFilter,
    }, {
      strides: 1,
      dilations: [strideHeight, strideWidth],
      pad,
      dataFormat: 'NHWC',
    }))
    const perImage = temporaries.hold(runWasmKernel('Reshape', backend, { x: product }, {
      shape: [filterHeight, filterWidth, batchSize, outChannels],
    }))
    const summed = temporaries.hold(runWasmKernel('Sum', backend, { x: perImage }, { axis: [2], keepDims: false }))
    return runWasmKernel('Reshape', backend, { x: summed }, { shape: filterShape })
  } finally {
    temporaries.release()
  }
}

/** Kernel config registered by `registerWasmTrainingKernels`. */
export const depthwiseConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: DEPTHWISE_BACKPROP_FILTER,
  backendName: WASM_BACKEND_NAME,
  kernelFunc: depthwiseConv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
}
