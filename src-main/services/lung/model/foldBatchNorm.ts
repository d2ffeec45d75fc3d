import * as tf from '@tensorflow/tfjs'
import { buildUNet, type ResolvedUNetOptions } from './unet'

/**
 * The inference form of a trained U-Net: the same function with every batch norm folded into the convolution
 * before it and every ReLU fused into it, so each 3×3 convolution is one kernel call (oneDNN's convolution with
 * bias and ReLU) instead of a convolution, a batch norm and a ReLU, each a pass over the feature map. With the
 * batch norm's moving statistics μ, σ² and its γ, β, a convolution y = W ∗ x becomes
 * y = (γ / √(σ² + ε)) · W ∗ x + (β − γ μ / √(σ² + ε)), per output channel. The result agrees with the trained
 * model up to float32 rounding (about 1e-6 of a probability); it is for inference only (no batch norm to train).
 * The trained model is left as it was; the caller owns (and disposes) the returned one.
 */
export function foldBatchNorm(trained: tf.LayersModel, options: ResolvedUNetOptions): tf.LayersModel {
  const folded = buildUNet({ ...options, seed: options.seed ?? undefined, fused: true })
  try {
    const trainedLayers = new Map(trained.layers.map((layer) => [layer.name, layer]))
    for (const layer of folded.layers) {
      if (layer.weights.length === 0) continue
      const source = trainedLayers.get(layer.name)
      if (!source) throw new Error(`foldBatchNorm: the trained model has no layer '${layer.name}' (not a U-Net of these options)`)
      // A block's convolution `<block>_conv<i>` is followed by the batch norm `<block>_bn<i>` when it has one.
      const norm = /_conv\d$/.test(layer.name) ? trainedLayers.get(layer.name.replace(/_conv(\d)$/, '_bn$1')) : undefined
      if (!norm) {
        layer.setWeights(source.getWeights())
        continue
      }
      const weights = foldedWeights(source, norm)
      layer.setWeights(weights)
      tf.dispose(weights)
    }
    return folded
  } catch (error) {
    folded.dispose()
    throw error
  }
}

/** Kernel and bias of a bias-free convolution followed by a batch norm, per the formula above. */
function foldedWeights(convolution: tf.layers.Layer, norm: tf.layers.Layer): tf.Tensor[] {
  const byName = (layer: tf.layers.Layer, suffix: string) => {
    const index = layer.weights.findIndex((weight) => weight.originalName.endsWith(`/${suffix}`))
    if (index < 0) throw new Error(`foldBatchNorm: layer '${layer.name}' has no ${suffix}`)
    return layer.getWeights()[index]
  }
  return tf.tidy(() => {
    const kernel = byName(convolution, 'kernel')
    const gamma = byName(norm, 'gamma')
    const beta = byName(norm, 'beta')
    const mean = byName(norm, 'moving_mean')
    const variance = byName(norm, 'moving_variance')
    const { epsilon } = norm.getConfig() as { epsilon: number }
    const factor = tf.div(gamma, tf.sqrt(tf.add(variance, epsilon)))
    // The kernel is [height, width, in, out]: the factor broadcasts over its last axis, the output channel.
    return [tf.mul(kernel, factor), tf.sub(beta, tf.mul(mean, factor))]
  })
}
