/**
 * The kernels the project adds to tfjs-backend-wasm so that conv nets train on it.
 *
 * Found by running a full training step of a small ResNet-like tf.layers model
 * (conv2d, batchNormalization, relu, maxPooling2d, add, globalAveragePooling2d,
 * dense; SGD with momentum and Adam; binary cross-entropy) on wasm 4.22, then
 * profiling a ResNet-18 step (1x224x224, batch 8):
 * - Conv2DBackpropFilter is missing: no conv layer can train at all.
 * - Conv2DBackpropInput exists but is a scalar loop, 1.5-11x slower than the
 *   XNNPACK-based version here, so it is replaced.
 * - DepthwiseConv2dNativeBackpropFilter/Input are missing (depthwise and
 *   separable layers); added for completeness.
 * - The forward convolutions mishandle some paddings, returning wrong values
 *   and corrupting the wasm heap; they are wrapped (convolutionPadding.ts).
 * - Tile, Sum, Mean (batch norm's forward and gradient) and MaxPoolGrad took a
 *   quarter of the step; they are wrapped with faster paths for the shapes
 *   batch norm and pooling produce, and delegate everything else.
 * The rest of the step (FusedBatchNorm, Relu/Step, Sigmoid, the optimizers'
 * arithmetic) is already registered for wasm.
 */
import { getKernel, registerKernel } from '@tensorflow/tfjs'
// Importing the backend package registers its native kernels, which the
// wrappers below delegate to and the composites call.
import '@tensorflow/tfjs-backend-wasm'
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs'
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter'
import { conv2dBackpropInputConfig } from './conv2dBackpropInput'
import { PADDING_FIXED_KERNELS, withSaferPadding } from './convolutionPadding'
import { depthwiseConv2dBackpropFilterConfig } from './depthwiseConv2dBackpropFilter'
import { depthwiseConv2dBackpropInputConfig } from './depthwiseConv2dBackpropInput'
import { createMaxPoolGradKernel } from './maxPoolGrad'
import { createMeanKernel } from './mean'
import { createSumKernel } from './sum'
import { createTileKernel } from './tile'
import { replaceWasmKernel, WASM_BACKEND_NAME } from './wasmKernelUtils'

/**
 * Marks kernelFuncs installed by this module. The kernel registry lives on the
 * global object, so a second copy of this module (another bundle chunk, a test
 * runner re-import) must recognise the first one's kernels to stay idempotent.
 */
const PROJECT_KERNEL_MARK = Symbol.for('cxr-workstation.wasmTrainingKernel')

type MarkedKernelFunc = KernelFunc & { [PROJECT_KERNEL_MARK]?: true }

function mark(kernelFunc: KernelFunc): KernelFunc {
  const marked = ((...parameters: Parameters<KernelFunc>) => kernelFunc(...parameters)) as MarkedKernelFunc
  marked[PROJECT_KERNEL_MARK] = true
  return marked
}

function isProjectKernel(kernelName: string): boolean {
  const current = getKernel(kernelName, WASM_BACKEND_NAME)
  return current != null && (current.kernelFunc as MarkedKernelFunc)[PROJECT_KERNEL_MARK] === true
}

/** Kernels that wasm lacks (or has only in a slow form) and the project supplies. */
const GRADIENT_KERNELS: KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
]

/** Native kernels the project wraps, each wrapper delegating to the native one for cases it does not improve. */
const WRAPPED_KERNELS: ReadonlyArray<{ kernelName: string; wrap: (native: KernelConfig) => KernelFunc }> = [
  ...PADDING_FIXED_KERNELS.map(({ kernelName, depthwise }) => ({
    kernelName,
    wrap: (native: KernelConfig) => withSaferPadding(native, depthwise),
  })),
  { kernelName: 'Tile', wrap: createTileKernel },
  { kernelName: 'Sum', wrap: createSumKernel },
  { kernelName: 'Mean', wrap: createMeanKernel },
  { kernelName: 'MaxPoolGrad', wrap: createMaxPoolGradKernel },
]

/** Names of every kernel that `registerWasmTrainingKernels` puts in place. */
export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = [
  ...GRADIENT_KERNELS.map((config) => config.kernelName),
  ...WRAPPED_KERNELS.map((entry) => entry.kernelName),
]

/**
 * Registers the project's training kernels for the 'wasm' backend.
 *
 * Safe to call before or after the wasm backend is initialised (kernels are
 * looked up at each call) and any number of times: kernels already installed
 * by this module are left alone. A kernel that some other code registered for
 * wasm under one of the gradient names is replaced; the wrapped kernels wrap
 * whatever is registered.
 *
 * @returns the names of the kernels this module provides for wasm; the same
 *   list on every call, whether or not this call had anything left to do.
 */
export function registerWasmTrainingKernels(): string[] {
  for (const config of GRADIENT_KERNELS) {
    if (isProjectKernel(config.kernelName)) continue
    if (getKernel(config.kernelName, WASM_BACKEND_NAME) == null) {
      registerKernel({ ...config, kernelFunc: mark(config.kernelFunc) })
    } else {
      replaceWasmKernel(config.kernelName, mark(config.kernelFunc))
    }
  }
  for (const { kernelName, wrap } of WRAPPED_KERNELS) {
    if (isProjectKernel(kernelName)) continue
    const native = getKernel(kernelName, WASM_BACKEND_NAME)
    if (native == null) continue
    replaceWasmKernel(kernelName, mark(wrap(native)))
  }
  return [...WASM_TRAINING_KERNEL_NAMES]
}

/**
 * Names of the project's kernels currently installed for wasm (empty before
 * `registerWasmTrainingKernels` runs). For diagnostics: which training
 * kernels the active backend has.
 */
export function registeredWasmKernels(): string[] {
  return WASM_TRAINING_KERNEL_NAMES.filter(isProjectKernel)
}
