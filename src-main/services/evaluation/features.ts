import * as tf from '@tensorflow/tfjs'

/**
 * The encoder's output inside a saved classifier: the input of the first head layer (`head_*`, see
 * engine/models/classifier.ts). Global-average pooled already for the paper's encoders; pooled here otherwise,
 * so every architecture gives one vector per image.
 */
export function encoderOutput(model: tf.LayersModel): tf.SymbolicTensor {
  const head = model.layers.find((layer) => layer.name.startsWith('head_'))
  if (!head) throw new Error(`model ${model.name} has no head_* layer: not a classifier written by a run`)
  const input = head.input
  return Array.isArray(input) ? input[0] : input
}

/**
 * Encoder features of `count` images (crop × crop inputs), in batches, as one row per image. The feature model
 * shares the classifier's layers; only the classifier is disposed (by the caller), so weights are freed once.
 */
export async function extractFeatures(model: tf.LayersModel, images: Float32Array, count: number, size: number, batchSize = 8): Promise<number[][]> {
  const features = tf.model({ inputs: model.inputs, outputs: encoderOutput(model) })
  const area = size * size
  const rows: number[][] = []
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize)
    const output = tf.tidy(() => {
      const out = features.predict(tf.tensor4d(images.subarray(start * area, end * area), [end - start, size, size, 1])) as tf.Tensor
      return out.rank === 4 ? out.mean([1, 2]) : out.reshape([end - start, -1])
    })
    try {
      rows.push(...((await output.array()) as number[][]))
    } finally {
      output.dispose()
    }
  }
  return rows
}
