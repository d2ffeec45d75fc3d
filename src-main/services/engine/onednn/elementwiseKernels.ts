/** Element-wise arithmetic with broadcasting, activations, and inference-mode batch norm. */
import { backend_util } from '@tensorflow/tfjs'
import { floatData, sizeOf, outputFloats, type NativeKernel } from './kernelUtils'

/** The addon's BinaryOp codes. */
const BINARY_OPS = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  SquaredDifference: 4,
  Maximum: 5,
  Minimum: 6,
} as const

/** The addon's UnaryOp codes; `alpha` names the attribute a kernel reads its parameter from. */
const UNARY_OPS: Record<string, { code: number; alpha?: string }> = {
  Relu: { code: 0 },
  Step: { code: 1, alpha: 'alpha' },
  Neg: { code: 2 },
  Sqrt: { code: 3 },
  Rsqrt: { code: 4 },
  Square: { code: 5 },
  Exp: { code: 6 },
  Log: { code: 7 },
  Sigmoid: { code: 8 },
  Abs: { code: 9 },
  Reciprocal: { code: 10 },
  Relu6: { code: 11 },
  LeakyRelu: { code: 12, alpha: 'alpha' },
  Elu: { code: 13 },
}

function binaryKernel(kernelName: keyof typeof BINARY_OPS): NativeKernel {
  const op = BINARY_OPS[kernelName]
  return {
    kernelName,
    run(addon, { inputs, backend }) {
      const { a, b } = inputs
      const av = floatData(backend, a)
      const bv = floatData(backend, b)
      if (!av || !bv || a!.shape.length > 6 || b!.shape.length > 6) return undefined
      const shape = backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape)
      const out = outputFloats(backend, sizeOf(shape))
      addon.binary(op, av, a!.shape, bv, b!.shape, out, shape)
      return backend.makeTensorInfo(shape, 'float32', out)
    },
  }
}

function unaryKernel(kernelName: string): NativeKernel {
  const { code, alpha } = UNARY_OPS[kernelName]
  return {
    kernelName,
    run(addon, { inputs, backend, attrs }) {
      const x = inputs.x
      const xv = floatData(backend, x)
      if (!xv) return undefined
      const out = outputFloats(backend, xv.length)
      addon.unary(code, xv, out, alpha ? Number(attrs[alpha] ?? 0) : 0)
      return backend.makeTensorInfo(x!.shape, 'float32', out)
    },
  }
}

/** FusedBatchNorm: `(x - mean) * scale / sqrt(variance + epsilon) + offset`, per channel (the last axis). */
export const fusedBatchNorm: NativeKernel = {
  kernelName: 'FusedBatchNorm',
  run(addon, { inputs, backend, attrs }) {
    const { x, mean, variance, offset, scale } = inputs
    const xv = floatData(backend, x)
    const meanValues = floatData(backend, mean)
    const varianceValues = floatData(backend, variance)
    const offsetValues = offset == null ? null : floatData(backend, offset)
    const scaleValues = scale == null ? null : floatData(backend, scale)
    if (!xv || !meanValues || !varianceValues || offsetValues === undefined || scaleValues === undefined) return undefined
    const channels = x!.shape.length === 0 ? 1 : x!.shape[x!.shape.length - 1]
    const perChannel = (values: Float32Array | null) => values == null || values.length === 1 || values.length === channels
    if (channels === 0 || ![meanValues, varianceValues, offsetValues, scaleValues].every(perChannel)) return undefined
    const out = outputFloats(backend, xv.length)
    const { varianceEpsilon } = attrs as { varianceEpsilon?: number }
    addon.batchNorm(xv, channels, meanValues, varianceValues, offsetValues, scaleValues, varianceEpsilon ?? 0.001, out)
    return backend.makeTensorInfo(x!.shape, 'float32', out)
  },
}

export const ELEMENTWISE_KERNELS: NativeKernel[] = [
  ...(Object.keys(BINARY_OPS) as (keyof typeof BINARY_OPS)[]).map(binaryKernel),
  ...Object.keys(UNARY_OPS).map(unaryKernel),
  fusedBatchNorm,
]
