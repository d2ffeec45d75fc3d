/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend, which lacks it.
 *
 * As for dense convolutions, the input gradient is a stride-1 convolution of
 * the zero-spread, padded dy with the spatially rotated filter; being
 * depthwise, each of the C * M gradient channels only meets its own filter
 * slice, so a depthwise convolution with multiplier 1 does it, followed by a
 * sum over the M channels that came from the same input channel.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs'
import {
  convolutionGeometry,
  kernelInput,
  explicitPadding,
  insertZeros,
  IntermediateTensors,
  rotateFilter,
  runWasmKernel,
  WASM_BACKEND_NAME,
  type KernelArguments,
} from './wasmKernelUtils'

/** Kernel name used by tfjs-core's depthwiseConv2d gradient. */
export const DEPTHWISE_BACKPROP_INPUT = 'DepthwiseConv2dNativeBackpropInput'

function depthwiseConv2dBackpropInput({ inputs, backend, attrs }: KernelArguments): TensorInfo {
  const dy = kernelInput(inputs, 'dy')
  const filter = kernelInput(inputs, 'filter')
  const geometry = convolutionGeometry(attrs.inputShape as number[], filter.shape, attrs, true)
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, padInfo } = geometry
  const { filterHeight, filterWidth, strideHeight, strideWidth } = geometry
  const multiplier = filter.shape[3]

  const temporaries = new IntermediateTensors(backend)
  try {
    const spread = insertZeros(backend, dy, strideHeight, strideWidth, temporaries)
    const rotated = temporaries.hold(rotateFilter(backend, filter))
    const perChannel = temporaries.hold(runWasmKernel('Reshape', backend, { x: rotated }, {
      shape: [filterHeight, filterWidth, outChannels, 1],
    }))
    const top = filterHeight - 1 - padInfo.top
    const left = filterWidth - 1 - padInfo.left
    const bottom = inHeight + padInfo.top - outHeight * strideHeight
    const right = inWidth + padInfo.left - outWidth * strideWidth
    let result = temporaries.hold(runWasmKernel('DepthwiseConv2dNative', backend, { x: spread, filter: perChannel }, {
      strides: 1,
      dilations: 1,
      pad: explicitPadding(Math.max(top, 0), Math.max(bottom, 0), Math.max(left, 0), Math.max(right, 0)),
      dataFormat: 'NHWC',
    }))
    const [, convolvedHeight, convolvedWidth] = result.shape
    if (multiplier > 1) {
      const grouped = temporaries.hold(runWasmKernel('Reshape', backend, { x: result }, {
        shape: [batchSize, convolvedHeight, convolvedWidth, inChannels, multiplier],
      }))
      result = temporaries.hold(runWasmKernel('Sum', backend, { x: grouped }, { axis: [4], keepDims: false }))
    }
    if (convolvedHeight === inHeight && convolvedWidth === inWidth) {
      // Reshape only adds a reference, so the caller gets its own handle on the data.
      return runWasmKernel('Reshape', backend, { x: result }, { shape: [batchSize, inHeight, inWidth, inChannels] })
    }
    return runWasmKernel('Slice', backend, { x: result }, {
      begin: [0, Math.max(top, 0) - top, Math.max(left, 0) - left, 0],
      size: [batchSize, inHeight, inWidth, inChannels],
    })
  } finally {
    temporaries.release()
  }
}

/** Kernel config registered by `registerWasmTrainingKernels`. */
export const depthwiseConv2dBackpropInputConfig: KernelConfig = {
  kernelName: DEPTHWISE_BACKPROP_INPUT,
  backendName: WASM_BACKEND_NAME,
  kernelFunc: depthwiseConv2dBackpropInput as unknown as KernelConfig['kernelFunc'],
}
