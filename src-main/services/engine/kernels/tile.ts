/**
 * Faster Tile for the wasm backend (wraps the native kernel).
 *
 * tfjs-core's batch-norm gradient tiles the per-channel 1/sqrt(variance) to
 * the full activation shape, once per BN layer per step. wasm's Tile copies
 * element by element: 294 ms for [1,1,1,64] -> [8,112,112,64], 10% of a
 * ResNet-18 training step. Tiling is pure block replication, so here each
 * input row is placed once and then doubled in place with copyWithin
 * (memmove speed): ~5 ms for the same call.
 */
import { util } from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import { kernelInput, type KernelArguments } from './wasmKernelUtils'

type NumericArray = Float32Array | Int32Array | Uint8Array

/** Row-major strides, including the innermost stride of 1. */
function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length)
  let stride = 1
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride
    stride *= shape[axis]
  }
  return strides
}

/** Calls `visit` with the output offset of every index of `shape[0..axisCount)`, in row-major order. */
function forEachLeadingIndex(shape: number[], axisCount: number, strides: number[], visit: (offset: number) => void): void {
  const index = new Array<number>(axisCount).fill(0)
  let offset = 0
  const count = shape.slice(0, axisCount).reduce((product, dimension) => product * dimension, 1)
  for (let visited = 0; visited < count; visited++) {
    visit(offset)
    // Odometer increment, carrying into outer axes.
    for (let axis = axisCount - 1; axis >= 0; axis--) {
      index[axis]++
      offset += strides[axis]
      if (index[axis] < shape[axis]) break
      offset -= index[axis] * strides[axis]
      index[axis] = 0
    }
  }
}

/** Writes `source` (of `shape`) tiled `reps` times into `target`. */
export function tileInto(source: NumericArray, shape: number[], reps: number[], target: NumericArray): void {
  const rank = shape.length
  if (rank === 0) {
    target.set(source)
    return
  }
  const outputStrides = stridesOf(shape.map((dimension, axis) => dimension * reps[axis]))
  // 1. Each input row goes to where it lands with no repetition.
  const rowLength = shape[rank - 1]
  let row = 0
  forEachLeadingIndex(shape, rank - 1, outputStrides, (offset) => {
    target.set(source.subarray(row * rowLength, (row + 1) * rowLength), offset)
    row++
  })
  // 2. From the innermost axis outwards, the block spanning an axis's
  //    original extent is complete and contiguous; repeat it along that axis.
  for (let axis = rank - 1; axis >= 0; axis--) {
    if (reps[axis] === 1) continue
    const blockLength = shape[axis] * outputStrides[axis]
    const totalLength = blockLength * reps[axis]
    forEachLeadingIndex(shape, axis, outputStrides, (start) => {
      for (let filled = blockLength; filled < totalLength;) {
        const length = Math.min(filled, totalLength - filled)
        target.copyWithin(start + filled, start, start + length)
        filled += length
      }
    })
  }
}

/** Wraps wasm's Tile; strings and empty tensors stay with the native kernel. */
export function createTileKernel(native: KernelConfig): KernelFunc {
  const tile = (args: KernelArguments): TensorInfo | TensorInfo[] => {
    const { inputs, backend, attrs } = args
    const x = kernelInput(inputs, 'x')
    const reps = attrs.reps as number[]
    const outputShape = x.shape.map((dimension, axis) => dimension * reps[axis])
    if (x.dtype === 'string' || util.sizeFromShape(outputShape) === 0) return native.kernelFunc(args)
    const output = backend.makeOutput(outputShape, x.dtype)
    // Views after the allocation: heap growth detaches earlier ones.
    tileInto(
      backend.typedArrayFromHeap(x) as NumericArray,
      x.shape,
      reps,
      backend.typedArrayFromHeap(output) as NumericArray,
    )
    return output
  }
  return tile as unknown as KernelFunc
}
