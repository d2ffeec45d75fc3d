import * as tf from '@tensorflow/tfjs'
import { initializerSeeds } from './initializerSeeds'

/** Options for the classification head put on an encoder. */
export interface HeadOptions {
  /** Hidden layer widths between the features and the output, e.g. [256] for the paper's 512→256→1. */
  hidden?: number[]
  /** 1 for a sigmoid COVID+ probability; k for a softmax over k classes (pre-training on normal/bacterial/viral). */
  units: number
  seed?: number
}

/** Puts a dense head on an encoder and returns the whole classifier (encoder layers shared, not copied). */
export function attachHead(encoder: tf.LayersModel, options: HeadOptions): tf.LayersModel {
  const { hidden = [], units, seed } = options
  // The stream names the output count, so a pre-training head (3 classes) and a fine-tuning head (1) differ.
  const nextSeed = initializerSeeds(seed, `head-${units}`)
  let x = encoder.outputs[0]
  hidden.forEach((width, index) => {
    x = tf.layers
      .dense({ units: width, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }), name: `head_dense${index + 1}` })
      .apply(x) as tf.SymbolicTensor
  })
  const output = tf.layers
    .dense({ units, activation: units === 1 ? 'sigmoid' : 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }), name: 'head_output' })
    .apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: encoder.inputs, outputs: output, name: `${encoder.name}_classifier` })
}

/** Number of trainable parameters: what PyTorch's `sum(p.numel() for p in model.parameters())` counts. */
export function countTrainableParameters(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, weight) => sum + weight.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0)
}
