/**
 * Conv2DBackpropInput for the wasm backend, replacing the native one.
 *
 * wasm ships this kernel, but as a scalar C++ loop; measured on ResNet-18
 * layer shapes (batch 8) it took 0.1-1.6 s per call where the forward
 * convolution takes 35-130 ms. Two faster formulations on XNNPACK, picked by
 * shape (see viaConvolution and viaColumns), bring it to about the forward
 * convolution's time.
 */
import type { backend_util, KernelConfig, TensorInfo } from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
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

/** Kernel name used by tfjs-core's conv2d gradient and conv2dTranspose. */
export const CONV2D_BACKPROP_INPUT = 'Conv2DBackpropInput'

function conv2dBackpropInput({ inputs, backend, attrs }: KernelArguments): TensorInfo {
  const dy = kernelInput(inputs, 'dy')
  const filter = kernelInput(inputs, 'filter')
  const geometry = convolutionGeometry(attrs.inputShape as number[], filter.shape, attrs, false)
  if (geometry.strideHeight > 1 || geometry.strideWidth > 1 || geometry.inChannels < MIN_CHANNELS_FOR_CONVOLUTION) {
    return viaColumns(backend, dy, filter, geometry)
  }
  return viaConvolution(backend, dy, filter, geometry)
}

/**
 * Below this many input channels the transposed convolution has too few
 * output channels for XNNPACK's GEMM tiles (a 1-channel X-ray input measured
 * 740 ms for the first layer of ResNet-18), and the column path wins.
 */
const MIN_CHANNELS_FOR_CONVOLUTION = 8

/**
 * One XNNPACK convolution of the zero-spread, padded dy with the rotated,
 * channel-swapped filter. Correct for any stride, but only chosen at stride 1
 * (no spread zeros to multiply), where it is about as fast as the forward
 * convolution and beat viaColumns by up to 2x on ResNet-18's 56x56 layers.
 */
function viaConvolution(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, geometry: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, padInfo } = geometry
  const { filterHeight, filterWidth, strideHeight, strideWidth } = geometry
  const temporaries = new IntermediateTensors(backend)
  try {
    const spread = insertZeros(backend, dy, strideHeight, strideWidth, temporaries)
    const swapped = temporaries.hold(runWasmKernel('Transpose', backend, { x: filter }, { perm: [0, 1, 3, 2] }))
    const rotated = temporaries.hold(rotateFilter(backend, swapped))

    // Padding of the spread gradient for a 'valid' stride-1 convolution whose
    // output is exactly the input size. Either side can come out negative
    // (explicit pads larger than the filter, or the spread's trailing zeros
    // overshooting): such rows are computed and cropped afterwards.
    const top = filterHeight - 1 - padInfo.top
    const left = filterWidth - 1 - padInfo.left
    const bottom = inHeight + padInfo.top - outHeight * strideHeight
    const right = inWidth + padInfo.left - outWidth * strideWidth
    const convolved = runWasmKernel('Conv2D', backend, { x: spread, filter: rotated }, {
      strides: 1,
      dilations: 1,
      pad: explicitPadding(Math.max(top, 0), Math.max(bottom, 0), Math.max(left, 0), Math.max(right, 0)),
      dataFormat: 'NHWC',
    })
    if (convolved.shape[1] === inHeight && convolved.shape[2] === inWidth) return convolved
    temporaries.hold(convolved)
    return runWasmKernel('Slice', backend, { x: convolved }, {
      begin: [0, Math.max(top, 0) - top, Math.max(left, 0) - left, 0],
      size: [batchSize, inHeight, inWidth, inChannels],
    })
  } finally {
    temporaries.release()
  }
}

/**
 * Strided or few-channel layers: one matrix product gives, for every dy
 * pixel, its contribution to each input pixel under the filter
 * ([pixels, outChannels] x [outChannels, kh * kw * inChannels]), and a JS
 * loop adds those columns into place ("col2im"). Unlike the spread
 * convolution it never multiplies the inserted zeros, which cost 4x at
 * stride 2; measured 3-4x faster on ResNet-18's strided layers.
 */
function viaColumns(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, geometry: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, padInfo } = geometry
  const { filterHeight, filterWidth, strideHeight, strideWidth } = geometry
  const tapSize = filterHeight * filterWidth * inChannels
  const pixels = batchSize * outHeight * outWidth
  const temporaries = new IntermediateTensors(backend)
  try {
    const gradientMatrix = temporaries.hold(runWasmKernel('Reshape', backend, { x: dy }, { shape: [1, pixels, outChannels] }))
    const filterMatrix = temporaries.hold(runWasmKernel('Reshape', backend, { x: filter }, { shape: [tapSize, outChannels] }))
    // BatchMatMul only reaches XNNPACK without transpose flags, so the filter is transposed here.
    const filterTransposed = temporaries.hold(runWasmKernel('Transpose', backend, { x: filterMatrix }, { perm: [1, 0] }))
    const weights = temporaries.hold(runWasmKernel('Reshape', backend, { x: filterTransposed }, { shape: [1, outChannels, tapSize] }))
    const columns = temporaries.hold(runWasmKernel('BatchMatMul', backend, { a: gradientMatrix, b: weights }, {
      transposeA: false,
      transposeB: false,
    }))

    const dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32')
    // Views after the last allocation: heap growth detaches earlier ones.
    const target = backend.typedArrayFromHeap(dx) as Float32Array
    const source = backend.typedArrayFromHeap(columns) as Float32Array
    target.fill(0)
    let sourceRow = 0
    for (let image = 0; image < batchSize; image++) {
      for (let outRow = 0; outRow < outHeight; outRow++) {
        const firstRow = outRow * strideHeight - padInfo.top
        for (let outColumn = 0; outColumn < outWidth; outColumn++, sourceRow += tapSize) {
          const firstColumn = outColumn * strideWidth - padInfo.left
          for (let tapRow = 0; tapRow < filterHeight; tapRow++) {
            const row = firstRow + tapRow
            if (row < 0 || row >= inHeight) continue
            const rowStart = (image * inHeight + row) * inWidth
            for (let tapColumn = 0; tapColumn < filterWidth; tapColumn++) {
              const column = firstColumn + tapColumn
              if (column < 0 || column >= inWidth) continue
              const to = (rowStart + column) * inChannels
              const from = sourceRow + (tapRow * filterWidth + tapColumn) * inChannels
              for (let channel = 0; channel < inChannels; channel++) target[to + channel] += source[from + channel]
            }
          }
        }
      }
    }
    return dx
  } finally {
    temporaries.release()
  }
}

/** Kernel config registered by `registerWasmTrainingKernels` (replaces the native kernel). */
export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: CONV2D_BACKPROP_INPUT,
  backendName: WASM_BACKEND_NAME,
  kernelFunc: conv2dBackpropInput as unknown as KernelConfig['kernelFunc'],
}
