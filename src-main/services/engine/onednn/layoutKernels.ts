/** Tile, PadV2 and Slice on float32 tensors: row copies in the addon instead of per-element index maths in JS. */
import { backend_util, slice_util, util, type TensorInfo } from '@tensorflow/tfjs'
import { floatData, sizeOf, outputFloats, type NativeKernel } from './kernelUtils'

export const tile: NativeKernel = {
  kernelName: 'Tile',
  run(addon, { inputs, backend, attrs }) {
    const x = inputs.x!
    const values = floatData(backend, x)
    const { reps } = attrs as { reps: number[] }
    if (!values || x.shape.length === 0 || x.shape.length > 6 || reps.length !== x.shape.length) return undefined
    const shape = x.shape.map((d, i) => d * reps[i])
    const out = outputFloats(backend, sizeOf(shape))
    addon.tile(values, x.shape, out, shape)
    return backend.makeTensorInfo(shape, 'float32', out)
  },
}

export const padV2: NativeKernel = {
  kernelName: 'PadV2',
  run(addon, { inputs, backend, attrs }) {
    const x = inputs.x!
    const values = floatData(backend, x)
    const { paddings, constantValue } = attrs as { paddings: Array<[number, number]>; constantValue: number }
    if (!values || x.shape.length === 0 || x.shape.length > 6 || paddings.length !== x.shape.length) return undefined
    if (paddings.some(([before, after]) => before < 0 || after < 0)) return undefined
    const shape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1])
    const out = outputFloats(backend, sizeOf(shape))
    if (values.length === 0) out.fill(constantValue)
    else addon.pad(values, x.shape, paddings.map(([before]) => before), out, shape, constantValue)
    return backend.makeTensorInfo(shape, 'float32', out)
  },
}

export const slice: NativeKernel = {
  kernelName: 'Slice',
  run(addon, { inputs, backend, attrs }) {
    const x = inputs.x!
    const values = floatData(backend, x)
    if (!values || x.shape.length === 0 || x.shape.length > 6) return undefined
    const { begin, size } = attrs as { begin: number | number[]; size: number | number[] }
    const [start, extent] = slice_util.parseSliceParams(x as never, begin, size)
    // A contiguous slice is a zero-copy view in the cpu kernel already.
    if (slice_util.isSliceContinous(x.shape, start, extent) || sizeOf(extent) === 0) return undefined
    const out = outputFloats(backend, sizeOf(extent))
    addon.slice(values, x.shape, start, out, extent)
    return backend.makeTensorInfo(extent, 'float32', out)
  },
}

/** Concat along any axis, as [rows, width_i] row copies (the cpu kernel loops per element in JS). */
export const concat: NativeKernel = {
  kernelName: 'Concat',
  run(addon, { inputs, backend, attrs }) {
    const tensors = Object.values(inputs).filter((t): t is TensorInfo => t != null)
    if (tensors.length < 2) return undefined
    const values = tensors.map((t) => floatData(backend, t))
    if (values.some((v) => v === undefined)) return undefined
    const axis = util.parseAxisParam(attrs.axis as number, tensors[0].shape)[0]
    backend_util.assertParamsConsistent(tensors.map((t) => t.shape), axis)
    const shape = backend_util.computeOutShape(tensors.map((t) => t.shape), axis)
    const rows = sizeOf(shape.slice(0, axis))
    if (sizeOf(shape) === 0 || rows === 0) return undefined
    const widths = tensors.map((t) => sizeOf(t.shape.slice(axis)))
    const out = outputFloats(backend, sizeOf(shape))
    addon.concat(values as Float32Array[], widths, rows, out)
    return backend.makeTensorInfo(shape, 'float32', out)
  },
}

/**
 * SplitV (the gradient of Concat, e.g. a U-Net's skip connections): the cpu kernel calls its own slice, whose
 * non-contiguous case is a per-element JS loop (seconds for a 256×256 feature map), so each part is sliced here.
 */
export const splitV: NativeKernel = {
  kernelName: 'SplitV',
  run(addon, { inputs, backend, attrs }) {
    const x = inputs.x!
    const values = floatData(backend, x)
    if (!values || x.shape.length === 0 || x.shape.length > 6) return undefined
    const { numOrSizeSplits, axis } = attrs as { numOrSizeSplits: number | number[]; axis: number }
    const $axis = util.parseAxisParam(axis, x.shape)[0]
    const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, $axis)
    const begin = new Array<number>(x.shape.length).fill(0)
    return sizes.map((partSize) => {
      const extent = [...x.shape]
      extent[$axis] = partSize
      const start = [...begin]
      begin[$axis] += partSize
      if (slice_util.isSliceContinous(x.shape, start, extent) || sizeOf(extent) === 0) {
        const offset = slice_util.computeFlatOffset(start, util.computeStrides(x.shape))
        return backend.makeTensorInfo(extent, 'float32', values.subarray(offset, offset + sizeOf(extent)))
      }
      const out = outputFloats(backend, sizeOf(extent))
      addon.slice(values, x.shape, start, out, extent)
      return backend.makeTensorInfo(extent, 'float32', out)
    })
  },
}

export const LAYOUT_KERNELS: NativeKernel[] = [tile, padV2, slice, concat, splitV]
