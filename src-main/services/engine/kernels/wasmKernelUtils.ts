/**
 * Helpers shared by the project's wasm training kernels.
 *
 * The kernels here are composites: they call other wasm kernels' kernelFuncs
 * directly with TensorInfo values instead of going through tfjs ops. That keeps
 * every intermediate out of the engine (no Tensor objects, no tape entries, no
 * tidy scopes), so a kernel can be invoked from inside a gradient without
 * leaking or being recorded; each intermediate must then be released by hand
 * with `backend.disposeData`.
 */
import { backend_util, getKernel, unregisterKernel, registerKernel } from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

/** Name under which tfjs-backend-wasm registers its backend and kernels. */
export const WASM_BACKEND_NAME = 'wasm'

/** Explicit NHWC padding as tfjs accepts it: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPadding = [[0, 0], [number, number], [number, number], [0, 0]]

/** Arguments every tfjs kernelFunc receives. */
export interface KernelArguments {
  inputs: NamedTensorInfoMap
  backend: BackendWasm
  attrs: NamedAttrMap
}

/** Returns the named kernel input, failing loudly if tfjs did not pass it. */
export function kernelInput(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const info = inputs[name]
  if (info == null) throw new Error(`kernel input '${name}' is missing`)
  return info
}

/**
 * Runs another kernel registered for the wasm backend on raw TensorInfos.
 * Throws if the kernel is missing, so a composite never silently falls back.
 */
export function runWasmKernel(
  kernelName: string,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap | TensorInfo[],
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = getKernel(kernelName, WASM_BACKEND_NAME)
  if (config == null) throw new Error(`wasm kernel '${kernelName}' is not registered`)
  const output = config.kernelFunc({ inputs: inputs as NamedTensorInfoMap, backend, attrs })
  if (Array.isArray(output)) throw new Error(`wasm kernel '${kernelName}' returned several outputs`)
  return output
}

/**
 * Collects the intermediates of one composite kernel so that all of them are
 * released even when a step throws halfway.
 */
export class IntermediateTensors {
  private readonly held: TensorInfo[] = []

  constructor(private readonly backend: BackendWasm) {}

  /** Remembers `info` for release and hands it back. */
  hold(info: TensorInfo): TensorInfo {
    this.held.push(info)
    return info
  }

  /** Releases every held intermediate except `keep` (usually the kernel output). */
  release(keep?: TensorInfo): void {
    for (const info of this.held) {
      if (info !== keep) this.backend.disposeData(info.dataId)
    }
    this.held.length = 0
  }
}

/** Geometry of a 2-D convolution, computed the way tfjs itself does. */
export function convolutionGeometry(
  inputShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
  depthwise: boolean,
): backend_util.Conv2DInfo {
  const dataFormat = (attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC'
  if (dataFormat !== 'NHWC') {
    throw new Error(`wasm training kernels support only NHWC data, got '${dataFormat}'`)
  }
  const dilations = (attrs.dilations as number | [number, number] | undefined) ?? 1
  const dilationValues = typeof dilations === 'number' ? [dilations, dilations] : dilations
  if (dilationValues.some((value) => value !== 1)) {
    // The gradients below rely on dilation 1, as does tfjs's own Conv2D gradient.
    throw new Error(`wasm training kernels support only dilation 1, got [${dilationValues}]`)
  }
  // A numeric pad goes in as explicit padding: tfjs-core sizes numeric-pad
  // outputs with the filter height for both dimensions, which is wrong for
  // non-square filters, and the forward wrappers (convolutionPadding.ts)
  // make wasm produce the correctly sized result that dy then has.
  const pad = typeof attrs.pad === 'number'
    ? explicitPadding(attrs.pad, attrs.pad, attrs.pad, attrs.pad)
    : attrs.pad as 'same' | 'valid' | backend_util.ExplicitPadding
  return backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    1,
    pad,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    depthwise,
    'channelsLast',
  )
}

/** Shorthand for an explicit NHWC padding value. */
export function explicitPadding(top: number, bottom: number, left: number, right: number): ExplicitPadding {
  return [[0, 0], [top, bottom], [left, right], [0, 0]]
}

/**
 * The input and padding for computing a filter gradient as a convolution of x with dy dilated by the stride
 * (dense and depthwise alike): the padding that yields exactly filterHeight × filterWidth output positions. The
 * bottom/right amount is negative when 'valid' (or an explicit pad) leaves input rows unused; x is then cropped.
 */
export function filterGradientInput(
  backend: BackendWasm,
  x: TensorInfo,
  geometry: backend_util.Conv2DInfo,
  temporaries: IntermediateTensors,
): { input: TensorInfo; pad: ExplicitPadding } {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, padInfo } = geometry
  const { filterHeight, filterWidth, strideHeight, strideWidth } = geometry
  const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - padInfo.top
  const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - padInfo.left
  let input = x
  if (bottom < 0 || right < 0) {
    input = temporaries.hold(runWasmKernel('Slice', backend, { x }, {
      begin: [0, 0, 0, 0],
      size: [batchSize, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), inChannels],
    }))
  }
  return { input, pad: explicitPadding(padInfo.top, Math.max(bottom, 0), padInfo.left, Math.max(right, 0)) }
}

/**
 * Spreads `dy` [batch, height, width, channels] onto a grid `stride` times finer,
 * with the original values at multiples of the stride and zeros elsewhere
 * (the "fractionally strided" layout a transposed convolution needs). The result
 * is [batch, height * strideHeight, width * strideWidth, channels]; the trailing
 * zero rows and columns are harmless for the callers, which crop or pad anyway.
 */
export function insertZeros(
  backend: BackendWasm,
  dy: TensorInfo,
  strideHeight: number,
  strideWidth: number,
  temporaries: IntermediateTensors,
): TensorInfo {
  if (strideHeight === 1 && strideWidth === 1) return dy
  const [batch, height, width, channels] = dy.shape
  // Padding two inserted unit axes places each value in the corner of a
  // stride x stride cell in one native pass, with no scatter loop in JS.
  const expanded = temporaries.hold(
    runWasmKernel('Reshape', backend, { x: dy }, { shape: [batch, height, 1, width, 1, channels] }),
  )
  const padded = temporaries.hold(
    runWasmKernel('PadV2', backend, { x: expanded }, {
      paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]],
      constantValue: 0,
    }),
  )
  return temporaries.hold(
    runWasmKernel('Reshape', backend, { x: padded }, {
      shape: [batch, height * strideHeight, width * strideWidth, channels],
    }),
  )
}

/**
 * Copies a [height, width, a, b] filter into a new tensor rotated by 180 degrees
 * in the spatial plane. Each spatial tap is one contiguous block, so whole-block
 * copies in JS beat the wasm Reverse kernel, which measured ~70 ms on a
 * 3x3x512x512 filter against ~1 ms here.
 */
export function rotateFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [height, width] = filter.shape
  const blockSize = filter.shape[2] * filter.shape[3]
  const output = backend.makeOutput(filter.shape.slice(), 'float32')
  // Views are taken after the allocation: growing the wasm heap detaches older views.
  const source = backend.typedArrayFromHeap(filter) as Float32Array
  const target = backend.typedArrayFromHeap(output) as Float32Array
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const from = ((height - 1 - row) * width + (width - 1 - column)) * blockSize
      target.set(source.subarray(from, from + blockSize), (row * width + column) * blockSize)
    }
  }
  return output
}

/**
 * Registers `kernelFunc` for wasm under `kernelName`, replacing whatever is
 * registered there. Returns the replaced config so a wrapper can delegate to it.
 */
export function replaceWasmKernel(kernelName: string, kernelFunc: KernelFunc): KernelConfig | undefined {
  const previous = getKernel(kernelName, WASM_BACKEND_NAME)
  if (previous != null) unregisterKernel(kernelName, WASM_BACKEND_NAME)
  // Keeping the previous setupFunc lets a re-created wasm backend still bind
  // the native functions that a delegating wrapper calls.
  registerKernel({ kernelName, backendName: WASM_BACKEND_NAME, kernelFunc, setupFunc: previous?.setupFunc })
  return previous
}
