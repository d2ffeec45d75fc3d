import * as tf from '@tensorflow/tfjs'
import { batchNormalization } from '../layers/batchNormalization'
import { reLU } from '../layers/reLU'
import { initializerSeeds } from './initializerSeeds'

/** Options for a Conv8 encoder. */
export interface Conv8Options {
  /** [height, width, channels]; radiographs are single-channel. */
  inputShape: [number, number, number]
  /** Width of the first three convolutions (96 in ALL-CNN-C); the last five use twice as many. Tests use less. */
  baseWidth?: number
  /**
   * Also stride the first convolution. ALL-CNN-C was designed for 32×32 CIFAR images and downsamples twice; at
   * the paper's 224×224 that leaves 56×56×192 maps and ≈14 GMAC per image (8× ResNet-18). One more stride-2
   * conv brings it to ≈3.4 GMAC with the same parameter count. Default true; false is ALL-CNN-C's exact strides.
   */
  strideFirst?: boolean
  seed?: number
}

/**
 * The convolutions of Conv8, after ALL-CNN-C (Springenberg et al., 2015, Table 2 "C"): 3×3 convolutions with
 * stride-2 convolutions in place of max pooling, widths 96-96-96↓-192-192-192↓-192 then a 1×1 192. ALL-CNN-C's
 * last 1×1 convolution to the class count is replaced by the head's fully-connected layer (the paper: "8
 * convolutional layers and a final fully-connected layer"). Each convolution is followed by batch norm and ReLU
 * (so no bias), as in the project's ResNets.
 */
const LAYOUT: { kernel: number; widthFactor: 1 | 2; stride: 1 | 2 }[] = [
  { kernel: 3, widthFactor: 1, stride: 1 },
  { kernel: 3, widthFactor: 1, stride: 1 },
  { kernel: 3, widthFactor: 1, stride: 2 },
  { kernel: 3, widthFactor: 2, stride: 1 },
  { kernel: 3, widthFactor: 2, stride: 1 },
  { kernel: 3, widthFactor: 2, stride: 2 },
  { kernel: 3, widthFactor: 2, stride: 1 },
  { kernel: 1, widthFactor: 2, stride: 1 },
]

/** Builds the Conv8 feature extractor, ending in global average pooling (attach the FC with `attachHead`). */
export function buildConv8Encoder(options: Conv8Options): tf.LayersModel {
  const { inputShape, baseWidth = 96, strideFirst = true, seed } = options
  const nextSeed = initializerSeeds(seed, 'encoder')
  const input = tf.input({ shape: inputShape, name: 'image' })
  let x: tf.SymbolicTensor = input
  LAYOUT.forEach((layer, index) => {
    const name = `conv${index + 1}`
    const strides = index === 0 && strideFirst ? 2 : layer.stride
    x = tf.layers
      .conv2d({
        filters: baseWidth * layer.widthFactor,
        kernelSize: layer.kernel,
        strides,
        padding: 'same',
        useBias: false,
        // He initialisation for ReLU, one seed per layer so two builds with one seed are identical.
        kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
        name,
      })
      .apply(x) as tf.SymbolicTensor
    x = batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn` }).apply(x) as tf.SymbolicTensor
    x = reLU({ name: `${name}_relu` }).apply(x) as tf.SymbolicTensor
  })
  const features = tf.layers.globalAveragePooling2d({ name: 'features' }).apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: features, name: 'conv8_encoder' })
}
