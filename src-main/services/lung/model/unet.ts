import * as tf from '@tensorflow/tfjs'
import { batchNormalization } from '../../engine/layers/batchNormalization'
import { reLU } from '../../engine/layers/reLU'
import { initializerSeeds, type InitializerSeeds } from '../../engine/models/initializerSeeds'

/** How the decoder doubles the resolution. */
export type UpsamplingMode = 'transpose' | 'nearest'

/** Options of {@link buildUNet}. */
export interface UNetOptions {
  /** Side of the square single-channel input; must be divisible by 2^depth. */
  inputSize: number
  /** Number of 2× downsamplings (Ronneberger et al. use 4). */
  depth: number
  /** Filters of the first level; each level below doubles them (64 in the original paper). */
  baseFilters: number
  /** Seed for the initialisers, so two builds start from the same weights. */
  seed?: number
  /** Batch normalization after every 3×3 convolution (default true). */
  batchNorm?: boolean
  /**
   * `transpose`: a learned 2×2 stride-2 transposed convolution, as in the original U-Net (default).
   * `nearest`: nearest-neighbour upsampling followed by a 3×3 convolution, which avoids checkerboard artefacts.
   */
  upsampling?: UpsamplingMode
  /** Spatial dropout rate in the bottleneck, 0 disables it (default 0). */
  dropout?: number
  /**
   * The inference form (default false): every 3×3 convolution carries a bias and its ReLU fused, with no batch
   * norm or ReLU layers, to receive a trained model's weights with its batch norms folded in (`foldBatchNorm`):
   * one fused kernel per convolution instead of three passes over the feature map. Not for training.
   */
  fused?: boolean
}

/** The options actually used by a build, with defaults filled in: what a model card records. */
export type ResolvedUNetOptions = Required<Omit<UNetOptions, 'seed'>> & { seed: number | null }

/** Fills in the defaults of {@link UNetOptions} and validates them. */
export function resolveUNetOptions(options: UNetOptions): ResolvedUNetOptions {
  const { inputSize, depth, baseFilters } = options
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`buildUNet: depth must be an integer ≥ 1, got ${depth}`)
  if (!Number.isInteger(baseFilters) || baseFilters < 1) throw new RangeError(`buildUNet: baseFilters must be an integer ≥ 1, got ${baseFilters}`)
  if (!Number.isInteger(inputSize) || inputSize < 2 ** depth || inputSize % 2 ** depth !== 0) {
    // Odd sizes would make the skip and upsampled tensors differ by a pixel at some level.
    throw new RangeError(`buildUNet: inputSize must be a positive multiple of 2^depth = ${2 ** depth}, got ${inputSize}`)
  }
  const dropout = options.dropout ?? 0
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`buildUNet: dropout must be in [0, 1), got ${dropout}`)
  return {
    inputSize,
    depth,
    baseFilters,
    seed: options.seed ?? null,
    batchNorm: options.batchNorm ?? true,
    upsampling: options.upsampling ?? 'transpose',
    dropout,
    fused: options.fused ?? false,
  }
}

/**
 * Builds a U-Net (Ronneberger, Fischer & Brox, MICCAI 2015) for binary segmentation of a one-channel image:
 * `depth` encoder levels of two 3×3 convolutions then 2×2 max pooling, a bottleneck, and a decoder that
 * upsamples, concatenates the encoder's feature map of the same resolution (the skip connection that keeps
 * lung borders sharp) and applies two 3×3 convolutions; a 1×1 convolution with a sigmoid gives the per-pixel
 * probability of lung. 'same' padding keeps output and input the same size, unlike the original's valid
 * convolutions, so no tiling is needed at inference.
 *
 * The input is expected in [0, 1]: the classifier's chain (presentation grey → histogram equalization →
 * resize), see `prepareUNetInput`.
 */
export function buildUNet(options: UNetOptions): tf.LayersModel {
  const resolved = resolveUNetOptions(options)
  const { inputSize, depth, baseFilters, upsampling, dropout } = resolved
  const convolution: ConvolutionForm = resolved.fused ? 'fused' : resolved.batchNorm ? 'batchNorm' : 'plain'
  const nextSeed = initializerSeeds(options.seed ?? undefined, 'unet')
  const init = makeInitializer(nextSeed)
  const input = tf.input({ shape: [inputSize, inputSize, 1], name: 'image' })

  const skips: tf.SymbolicTensor[] = []
  let x: tf.SymbolicTensor = input
  for (let level = 0; level < depth; level++) {
    x = convBlock(x, baseFilters * 2 ** level, `down${level + 1}`, convolution, init)
    skips.push(x)
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `down${level + 1}_pool` }).apply(x) as tf.SymbolicTensor
  }
  x = convBlock(x, baseFilters * 2 ** depth, 'bottleneck', convolution, init)
  if (dropout > 0) {
    x = tf.layers.dropout({ rate: dropout, seed: nextSeed(), name: 'bottleneck_dropout' }).apply(x) as tf.SymbolicTensor
  }
  for (let level = depth - 1; level >= 0; level--) {
    const filters = baseFilters * 2 ** level
    const name = `up${level + 1}`
    x = upsample(x, filters, name, upsampling, init)
    x = tf.layers.concatenate({ axis: -1, name: `${name}_skip` }).apply([skips[level], x]) as tf.SymbolicTensor
    x = convBlock(x, filters, name, convolution, init)
  }
  const output = tf.layers
    .conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }), name: 'lung_probability' })
    .apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: output, name: `unet_d${depth}_f${baseFilters}_${inputSize}` })
}

/**
 * How a block's convolutions are built: `batchNorm` convolution → batch norm → ReLU; `plain` convolution with
 * bias → ReLU; `fused` convolution with bias and ReLU in one layer (the inference form of either).
 */
type ConvolutionForm = 'batchNorm' | 'plain' | 'fused'

/** Two 3×3 convolutions, each followed by (optional) batch norm and ReLU. */
function convBlock(x: tf.SymbolicTensor, filters: number, name: string, form: ConvolutionForm, init: Initializer): tf.SymbolicTensor {
  let y = x
  for (const index of [1, 2]) {
    // Without batch norm the convolution needs its bias; with it the bias is redundant (batch norm's beta).
    y = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: form !== 'batchNorm',
        activation: form === 'fused' ? 'relu' : undefined,
        kernelInitializer: init(),
        name: `${name}_conv${index}`,
      })
      .apply(y) as tf.SymbolicTensor
    if (form === 'fused') continue
    if (form === 'batchNorm') y = batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn${index}` }).apply(y) as tf.SymbolicTensor
    y = reLU({ name: `${name}_relu${index}` }).apply(y) as tf.SymbolicTensor
  }
  return y
}

function upsample(x: tf.SymbolicTensor, filters: number, name: string, mode: UpsamplingMode, init: Initializer): tf.SymbolicTensor {
  if (mode === 'transpose') {
    return tf.layers
      .conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'same', kernelInitializer: init(), name: `${name}_transpose` })
      .apply(x) as tf.SymbolicTensor
  }
  const doubled = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'nearest', name: `${name}_nearest` }).apply(x) as tf.SymbolicTensor
  return tf.layers
    .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name: `${name}_upconv` })
    .apply(doubled) as tf.SymbolicTensor
}

type Initializer = () => ReturnType<typeof tf.initializers.heNormal>

function makeInitializer(nextSeed: InitializerSeeds): Initializer {
  // He initialisation for ReLU networks, one seed per layer so layers do not start identical.
  return () => tf.initializers.heNormal({ seed: nextSeed() })
}
