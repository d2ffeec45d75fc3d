/**
 * Batch normalisation that trains through two fused kernels where the active backend has them.
 *
 * tfjs's BatchNormalization trains through `moments` and `batchNorm`, about a dozen element-wise ops forward and
 * twice that backward, each a pass over the activations: on ResNet-18 they cost more than the convolutions. On a
 * backend that registers the fused kernels below (the onednn backend), this layer computes the same thing (batch
 * mean and biased variance, the normalised output, the moving averages tfjs keeps, and the exact gradients of
 * that composition) in one pass forward and two backward. Everywhere else, in inference and for any
 * configuration the kernels do not cover, it is tfjs's layer unchanged, and it serialises as that layer, so saved
 * models load either way.
 */
import * as tf from '@tensorflow/tfjs'

/** Kernel: inputs {x, gamma, beta}, attrs {epsilon} → [y, mean, variance] (per channel, last axis). */
export const BATCH_NORM_TRAINING = 'CxrBatchNormTraining'
/** Kernel: inputs {dy, x, gamma, mean, variance}, attrs {epsilon} → [dx, dGamma, dBeta]. */
export const BATCH_NORM_TRAINING_GRAD = 'CxrBatchNormTrainingGrad'

type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>
type LayerVariable = { read(): tf.Tensor; write(value: tf.Tensor): unknown }
type TfBatchNormFields = {
  axis: number
  momentum: number
  epsilon: number
  center: boolean
  scale: boolean
  gamma: LayerVariable
  beta: LayerVariable
  movingMean: LayerVariable
  movingVariance: LayerVariable
}

// tfjs does not export the class, only its factory.
const TfBatchNormalization = tf.layers.batchNormalization({}).constructor as new (args?: BatchNormArgs) => tf.layers.Layer

/** True when the active backend runs the fused training kernels. */
export function fusedBatchNormAvailable(): boolean {
  const backend = tf.getBackend()
  return tf.getKernel(BATCH_NORM_TRAINING, backend) != null && tf.getKernel(BATCH_NORM_TRAINING_GRAD, backend) != null
}

/** The training-mode computation as one differentiable op, plus the batch statistics (kept; caller disposes). */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  let statistics: tf.Tensor[] = []
  const op = tf.customGrad((input, scale, offset, save) => {
    const [y, mean, variance] = tf.engine().runKernel(
      BATCH_NORM_TRAINING,
      { x: input as tf.Tensor, gamma: scale as tf.Tensor, beta: offset as tf.Tensor },
      { epsilon },
    ) as tf.Tensor[]
    ;(save as tf.GradSaveFunc)([input as tf.Tensor, scale as tf.Tensor, mean, variance])
    statistics = [tf.keep(mean), tf.keep(variance)]
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedGamma, savedMean, savedVariance] = saved
        return tf.engine().runKernel(
          BATCH_NORM_TRAINING_GRAD,
          { dy, x: savedX, gamma: savedGamma, mean: savedMean, variance: savedVariance },
          { epsilon },
        ) as tf.Tensor[]
      },
    }
  })
  const y = op(x, gamma, beta)
  return { y, mean: statistics[0], variance: statistics[1] }
}

export class BatchNormalization extends TfBatchNormalization {
  /** Serialised under tfjs's name: the saved topology does not depend on which backend trained it. */
  static className = 'BatchNormalization'

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs
    const self = this as unknown as TfBatchNormFields
    const training = kwargs['training'] === true
    const lastAxis = self.axis === -1 || self.axis === input.rank - 1
    if (!training || !lastAxis || !self.center || !self.scale || input.rank < 2 || input.dtype !== 'float32' || !fusedBatchNormAvailable()) {
      return super.call(inputs, kwargs)
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(input, self.gamma.read(), self.beta.read(), self.epsilon)
      // The moving averages exactly as tfjs updates them: v ← v − (v − batch value)·(1 − momentum).
      for (const [variable, value] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const current = variable.read()
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - self.momentum)))
        })
        value.dispose()
      }
      return y
    })
  }
}

// Inherits tfjs's static fromConfig, which the cast to the constructor type above hides from TypeScript.
tf.serialization.registerClass(BatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>)

/** Drop-in for `tf.layers.batchNormalization`. */
export function batchNormalization(args?: BatchNormArgs): tf.layers.Layer {
  return new BatchNormalization(args)
}
