import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { saveLayersModel } from '../../../../src-main/services/engine/modelFiles'
import { writeTestCard } from '../model/syntheticBlobs'

/**
 * A "chest" PNG: one or two bright ellipses ("lungs") on a flat dark background. `seed` shifts the ellipses a
 * pixel or two, so every seed has its own content hash.
 */
export async function writeChest(path: string, seed: number, lungs: 1 | 2 = 2, size = { width: 48, height: 40 }): Promise<void> {
  const pixels = Buffer.alloc(size.width * size.height, 40)
  const shift = seed
  const centres = lungs === 2 ? [0.3, 0.7] : [0.3]
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const inside = centres.some((c) => ((x + 0.5 - c * size.width - shift) / (0.13 * size.width)) ** 2 + ((y + 0.5 - 0.5 * size.height) / (0.3 * size.height)) ** 2 <= 1)
      if (inside) pixels[y * size.width + x] = 200
    }
  }
  mkdirSync(dirname(path), { recursive: true })
  await sharp(pixels, { raw: { width: size.width, height: size.height, channels: 1 } }).png().toFile(path)
}

/**
 * Saves a deterministic one-layer "segmenter" (a 1×1 convolution + sigmoid: lung where the equalized image is
 * bright) with a card. It has the U-Net's input and output shapes, so the real chain runs, while its masks are
 * predictable enough to plant a bad one. `bias` changes the weights, hence the model id.
 */
export async function saveBrightnessModel(folder: string, inputSize = 16, bias = -10): Promise<void> {
  const model = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [inputSize, inputSize, 1], filters: 1, kernelSize: 1, activation: 'sigmoid', weights: [tf.tensor4d([20], [1, 1, 1, 1]), tf.tensor1d([bias])] })],
  })
  await saveLayersModel(model, folder)
  model.dispose()
  writeTestCard(folder, inputSize)
}
