/** Tile, PadV2 and Slice on float32 tensors: row copies in the addon instead of per-element index maths in JS. */
import { slice_util } from '@tensorflow/tfjs'
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

export const LAYOUT_KERNELS: NativeKernel[] = [tile, padV2, slice]
