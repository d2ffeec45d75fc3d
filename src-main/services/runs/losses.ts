import * as tf from '@tensorflow/tfjs'
import type { LossConfig } from '@shared/runs/config'

const EPSILON = 1e-7

/**
 * Mean loss of a batch. `predictions` are probabilities: [n, 1] sigmoid outputs (binary) or [n, k] softmax
 * outputs; `labels` are class indices. Binary cross-entropy or focal loss (Lin et al. 2017, FL = −(1−pₜ)^γ log pₜ),
 * each example weighted by its class weight. Call inside `tf.tidy` or `minimize`.
 */
export function classificationLoss(predictions: tf.Tensor, labels: tf.Tensor1D, classWeights: readonly number[], loss: LossConfig): tf.Scalar {
  return tf.tidy(() => {
    const units = predictions.shape[1] ?? 1
    // Probability given to the true class, pₜ, squeezed into [ε, 1 − ε] so log never sees 0. An affine squeeze
    // rather than clipping: clipping can turn NaN into a bound on some backends and hide a diverged network.
    const squeeze = (p: tf.Tensor) => p.mul(1 - 2 * EPSILON).add(EPSILON)
    const trueProbability =
      units === 1
        ? (() => {
            const p = squeeze(predictions.reshape([-1]))
            const y = labels.toFloat()
            return y.mul(p).add(tf.scalar(1).sub(y).mul(tf.scalar(1).sub(p)))
          })()
        : squeeze(predictions).mul(tf.oneHot(labels.toInt(), units).toFloat()).sum(1)
    let perExample = trueProbability.log().neg()
    if (loss.kind === 'focal') perExample = perExample.mul(tf.scalar(1).sub(trueProbability).pow(loss.gamma))
    const weights = tf.gather(tf.tensor1d(classWeights as number[]), labels.toInt())
    return perExample.mul(weights).sum().div(weights.sum()) as tf.Scalar
  })
}

/** Sum of squared kernel weights (biases, BN scales and offsets excluded), for weight decay. */
export function kernelL2(kernels: readonly tf.Variable[]): tf.Scalar {
  return tf.tidy(() => tf.addN(kernels.map((kernel) => kernel.square().sum())) as tf.Scalar)
}
