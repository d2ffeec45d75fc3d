/**
 * The project's fused kernels on the addon: training-mode batch norm (see layers/batchNormalization.ts) and the
 * one-pass relu gradient (layers/reLU.ts).
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs'
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../layers/batchNormalization'
import { RELU_GRAD } from '../layers/reLU'
import type { OneDnnAddon } from './addon'
import { floatData, ONEDNN_BACKEND_NAME, outputFloats } from './kernelUtils'

function required(backend: MathBackendCPU, tensor: TensorInfo | undefined, name: string): Float32Array {
  const values = floatData(backend, tensor)
  if (!values) throw new Error(`onednn fused kernel: ${name} must be a float32 tensor`)
  return values
}

function channelsOf(x: TensorInfo): number {
  const channels = x.shape[x.shape.length - 1]
  if (x.shape.length < 2 || !(channels > 0)) throw new Error(`${BATCH_NORM_TRAINING}: x must have a channel axis`)
  return channels
}

/** Names of the kernels below, for the engine report. */
export const FUSED_KERNEL_NAMES: readonly string[] = [RELU_GRAD, BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD]

/** Kernel configs for the onednn backend (they have no cpu counterpart: the layers only call them when present). */
export function fusedKernelConfigs(addon: OneDnnAddon): KernelConfig[] {
  return [
    {
      kernelName: RELU_GRAD,
      backendName: ONEDNN_BACKEND_NAME,
      kernelFunc: ({ inputs, backend }) => {
        const cpu = backend as MathBackendCPU
        const x = inputs.x as TensorInfo
        const xs = required(cpu, x, 'x')
        const dx = outputFloats(cpu, xs.length)
        addon.reluGrad(required(cpu, inputs.dy as TensorInfo, 'dy'), xs, dx)
        return cpu.makeTensorInfo(x.shape, 'float32', dx)
      },
    },
    {
      kernelName: BATCH_NORM_TRAINING,
      backendName: ONEDNN_BACKEND_NAME,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const cpu = backend as MathBackendCPU
        const x = inputs.x as TensorInfo
        const channels = channelsOf(x)
        const xs = required(cpu, x, 'x')
        const y = outputFloats(cpu, xs.length)
        const mean = new Float32Array(channels)
        const variance = new Float32Array(channels)
        addon.batchNormTraining(
          xs, channels, required(cpu, inputs.gamma as TensorInfo, 'gamma'), required(cpu, inputs.beta as TensorInfo, 'beta'),
          Number(attrs!.epsilon), y, mean, variance,
        )
        return [
          cpu.makeTensorInfo(x.shape, 'float32', y),
          cpu.makeTensorInfo([channels], 'float32', mean),
          cpu.makeTensorInfo([channels], 'float32', variance),
        ]
      },
    },
    {
      kernelName: BATCH_NORM_TRAINING_GRAD,
      backendName: ONEDNN_BACKEND_NAME,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const cpu = backend as MathBackendCPU
        const x = inputs.x as TensorInfo
        const channels = channelsOf(x)
        const xs = required(cpu, x, 'x')
        const dx = outputFloats(cpu, xs.length)
        const dGamma = new Float32Array(channels)
        const dBeta = new Float32Array(channels)
        addon.batchNormTrainingGrad(
          required(cpu, inputs.dy as TensorInfo, 'dy'), xs, channels, required(cpu, inputs.gamma as TensorInfo, 'gamma'),
          required(cpu, inputs.mean as TensorInfo, 'mean'), required(cpu, inputs.variance as TensorInfo, 'variance'),
          Number(attrs!.epsilon), dx, dGamma, dBeta,
        )
        return [
          cpu.makeTensorInfo(x.shape, 'float32', dx),
          cpu.makeTensorInfo([channels], 'float32', dGamma),
          cpu.makeTensorInfo([channels], 'float32', dBeta),
        ]
      },
    },
  ]
}
