import * as tf from '@tensorflow/tfjs'
import { batchNormalization } from '../layers/batchNormalization'
import { reLU } from '../layers/reLU'
import { initializerSeeds } from './initializerSeeds'

/** The two ResNet depths the paper's grid uses (He et al., 2016, Table 1). */
export type ResNetDepth = 18 | 50

/** Options for a ResNet encoder. */
export interface ResNetOptions {
  depth: ResNetDepth
  /** [height, width, channels]; radiographs are single-channel. */
  inputShape: [number, number, number]
  /** Width of the first stage (64 in the standard networks); tests use smaller widths to stay fast. */
  baseWidth?: number
  /** Seed for the initialisers, so two builds start from the same weights. */
  seed?: number
}

const STAGES: Record<ResNetDepth, { blocks: number[]; bottleneck: boolean }> = {
  18: { blocks: [2, 2, 2, 2], bottleneck: false },
  50: { blocks: [3, 4, 6, 3], bottleneck: true },
}

/**
 * Builds a ResNet feature extractor ending in global average pooling, laid out as torchvision's resnet18/resnet50
 * (convolutions without bias, batch norm after each, 1×1 projection shortcuts when the shape changes, stride on the
 * 3×3 convolution of bottlenecks as in "ResNet v1.5"), so parameter counts match the published networks.
 */
export function buildResNetEncoder(options: ResNetOptions): tf.LayersModel {
  const { depth, inputShape, baseWidth = 64, seed } = options
  const init = makeInitializer(seed)
  const input = tf.input({ shape: inputShape, name: 'image' })
  let x = conv(input, baseWidth, 7, 2, 'stem_conv', init)
  x = batchNorm(x, 'stem_bn')
  x = reLU({ name: 'stem_relu' }).apply(x) as tf.SymbolicTensor
  x = tf.layers.zeroPadding2d({ padding: 1, name: 'stem_pool_pad' }).apply(x) as tf.SymbolicTensor
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'stem_pool' }).apply(x) as tf.SymbolicTensor
  const layout = STAGES[depth]
  layout.blocks.forEach((blocks, stage) => {
    const width = baseWidth * 2 ** stage
    for (let block = 0; block < blocks; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1
      const name = `stage${stage + 1}_block${block + 1}`
      x = layout.bottleneck ? bottleneckBlock(x, width, stride, name, init) : basicBlock(x, width, stride, name, init)
    }
  })
  const features = tf.layers.globalAveragePooling2d({ name: 'features' }).apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: features, name: `resnet${depth}_encoder` })
}

/** Two 3×3 convolutions with an identity (or projected) shortcut: ResNet-18/34's block. */
function basicBlock(x: tf.SymbolicTensor, width: number, stride: number, name: string, init: Initializer): tf.SymbolicTensor {
  let y = conv(x, width, 3, stride, `${name}_conv1`, init)
  y = batchNorm(y, `${name}_bn1`)
  y = reLU({ name: `${name}_relu1` }).apply(y) as tf.SymbolicTensor
  y = conv(y, width, 3, 1, `${name}_conv2`, init)
  y = batchNorm(y, `${name}_bn2`)
  return merge(x, y, width, stride, name, init)
}

/** 1×1 reduce, 3×3, 1×1 expand (×4): ResNet-50's block. */
function bottleneckBlock(x: tf.SymbolicTensor, width: number, stride: number, name: string, init: Initializer): tf.SymbolicTensor {
  let y = conv(x, width, 1, 1, `${name}_conv1`, init)
  y = batchNorm(y, `${name}_bn1`)
  y = reLU({ name: `${name}_relu1` }).apply(y) as tf.SymbolicTensor
  y = conv(y, width, 3, stride, `${name}_conv2`, init)
  y = batchNorm(y, `${name}_bn2`)
  y = reLU({ name: `${name}_relu2` }).apply(y) as tf.SymbolicTensor
  y = conv(y, width * 4, 1, 1, `${name}_conv3`, init)
  y = batchNorm(y, `${name}_bn3`)
  return merge(x, y, width * 4, stride, name, init)
}

function merge(x: tf.SymbolicTensor, y: tf.SymbolicTensor, outWidth: number, stride: number, name: string, init: Initializer): tf.SymbolicTensor {
  let shortcut = x
  const inWidth = x.shape[x.shape.length - 1]
  if (stride !== 1 || inWidth !== outWidth) {
    shortcut = conv(x, outWidth, 1, stride, `${name}_proj`, init)
    shortcut = batchNorm(shortcut, `${name}_proj_bn`)
  }
  const sum = tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as tf.SymbolicTensor
  return reLU({ name: `${name}_out` }).apply(sum) as tf.SymbolicTensor
}

type Initializer = () => ReturnType<typeof tf.initializers.varianceScaling>

function makeInitializer(seed?: number): Initializer {
  const nextSeed = initializerSeeds(seed, 'encoder')
  // He initialisation (fan-out, as torchvision) for ReLU networks; each layer gets its own seed.
  return () => tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: nextSeed() })
}

function conv(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string, init: Initializer): tf.SymbolicTensor {
  return tf.layers
    .conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: init(), name })
    .apply(x) as tf.SymbolicTensor
}

function batchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  // PyTorch's defaults (momentum 0.1 there = 0.9 here, eps 1e-5), so results compare with the paper's code.
  return batchNormalization({ momentum: 0.9, epsilon: 1e-5, name }).apply(x) as tf.SymbolicTensor
}
