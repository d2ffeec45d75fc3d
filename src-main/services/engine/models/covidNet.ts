import * as tf from '@tensorflow/tfjs'
import { batchNormalization } from '../layers/batchNormalization'
import { reLU } from '../layers/reLU'
import { initializerSeeds, type InitializerSeeds } from './initializerSeeds'

/**
 * COVID-Net (L. Wang, Z. Q. Lin, A. Wong, "COVID-Net: a tailored deep convolutional neural network design for
 * detection of COVID-19 cases from chest X-ray images", Sci. Rep. 10, 19549 (2020), arXiv:2003.09871; the
 * Tartaglione et al. paper's reference [20]) as a feature extractor for the runs.
 *
 * What the paper fixes (its Fig. 2 and "COVID-Net architecture design" section), and this builder follows:
 * - a 480×480×3 input, a 7×7 convolution, then four stages of PEPX modules, 3, 4, 6 and 3 of them;
 * - PEPX = first-stage projection (1×1) → expansion (1×1) → 3×3 depthwise → second-stage projection (1×1) →
 *   extension (1×1);
 * - long-range connections: a 1×1 convolution beside each stage and dense connectivity, every module of a stage
 *   seeing the stage's input and every earlier module's output;
 * - flatten → FC-1024 → FC-256 → softmax over 3 classes. The FCs are the runs' head (`headHidden` [1024, 256],
 *   the default for `covidnet`; see `src-shared/runs/config.ts`), so this encoder ends at the feature vector.
 *
 * What the paper leaves open (its widths were found by machine-driven design exploration and are not published),
 * and what the project chose:
 * - widths. Stage widths 4b, 8b, 16b, 32b for a base width b (the stem's), each PEPX projecting to a quarter of
 *   its stage width and expanding to a half (projection < expansion < extension, as the text orders them). At
 *   b = 48 the whole 3-class network at 480×480×3 has 11.61 M parameters and 7.49 G multiply-accumulates, against
 *   the published 11.75 M and 7.50 G (tests/unit/engine/covidNet.test.ts prints and checks both).
 * - the feature vector. Fig. 2 draws "Flatten", but at 480 px the last map is 15×15: flattening it at any width
 *   of 64 or more would alone exceed the published parameter count (15·15·64·1024 = 14.7 M), so the published
 *   network cannot flatten a full-width 15×15 map. We global-average-pool it, as the project's other encoders do,
 *   which also keeps the head's size independent of the run's input size.
 * - how long-range connections merge: additions (Fig. 2 joins the arrows without concatenation), the stage's
 *   1×1 convolution projecting its input to the stage width so shapes agree.
 * - downsampling between stages: 2×2 max pooling after the stem and after each of the first three stages (the
 *   figure's map sizes halve; it draws no strides inside modules).
 * - normalisation and activations: the paper names none. Training from scratch, as the runs do, needs them, so
 *   every convolution is followed by batch norm and a ReLU, except the extension and the long-range 1×1, which
 *   stay linear (batch norm only) so the sums they feed are not biased positive; the sum is then ReLU'd, as
 *   ResNet does after its addition. Batch norm makes the convolutions' biases redundant: they have none.
 *
 * The COVID-Net repository's released checkpoints (COVIDNet-CXR Small/Large at 224 px, 117.4 M / 127.4 M
 * parameters, 2.26 G / 3.59 G MACs; COVIDNet-CXR3-B at 480 px, 11.7 M / 7.50 G, the network of the Sci. Rep.
 * paper; github.com/lindawangg/COVID-Net docs/models.md) are TensorFlow 1 graphs: this builder follows the paper's
 * description and published size, not a graph; their weights are not importable here.
 */

/** Modules per stage (Fig. 2: PEPX1.1–1.3, 2.1–2.4, 3.1–3.6, 4.1–4.3). */
export const COVID_NET_STAGES: readonly number[] = [3, 4, 6, 3]

/** The base width whose network has the published size (11.75 M parameters, 7.50 G MACs at 480×480×3). */
export const COVID_NET_BASE_WIDTH = 48

/** The input size of the published network (Sci. Rep. 2020, Fig. 2). */
export const COVID_NET_INPUT_SIZE = 480

/** COVID-Net's own head between the features and the softmax: FC-1024 → FC-256 (Fig. 2). */
export const COVID_NET_HEAD_HIDDEN: readonly number[] = [1024, 256]

/** Options for a COVID-Net encoder. */
export interface CovidNetOptions {
  /** [height, width, channels]: 1 for the runs' radiographs, 3 for the published network. */
  inputShape: [number, number, number]
  /** Width of the stem (48: the published size); stage widths are 4, 8, 16 and 32 times it. Tests use less. */
  baseWidth?: number
  /** Seed for the initialisers, so two builds start from the same weights. */
  seed?: number
}

/** Builds the COVID-Net feature extractor, ending in global average pooling (attach the FCs with `attachHead`). */
export function buildCovidNetEncoder(options: CovidNetOptions): tf.LayersModel {
  const { inputShape, baseWidth = COVID_NET_BASE_WIDTH, seed } = options
  const layers = new LayerFactory(seed)
  const input = tf.input({ shape: inputShape, name: 'image' })
  let x = layers.conv(input, baseWidth, 7, 2, 'stem_conv')
  x = layers.batchNorm(x, 'stem_bn')
  x = layers.relu(x, 'stem_relu')
  x = layers.maxPool(x, 'stem_pool')
  COVID_NET_STAGES.forEach((modules, stage) => {
    if (stage > 0) x = layers.maxPool(x, `stage${stage}_pool`)
    x = denseStage(layers, x, baseWidth * 4 * 2 ** stage, modules, `stage${stage + 1}`)
  })
  const features = tf.layers.globalAveragePooling2d({ name: 'features' }).apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: features, name: 'covidnet_encoder' })
}

/**
 * One stage: a linear 1×1 convolution of the stage input (the long-range connection) and `modules` PEPX modules,
 * the first fed the stage input, each later one the ReLU of the sum of the 1×1 convolution and every earlier
 * module's output; the stage's output is the ReLU of the sum of all of them. The sums are kept running (each adds
 * one module's output to the previous sum, pre-ReLU): the same additions in the same order as summing every term
 * afresh, with one addition per module instead of one per term.
 */
function denseStage(layers: LayerFactory, input: tf.SymbolicTensor, width: number, modules: number, name: string): tf.SymbolicTensor {
  let sum = layers.batchNorm(layers.conv(input, width, 1, 1, `${name}_long`), `${name}_long_bn`)
  let moduleInput = input
  for (let index = 1; index <= modules; index++) {
    sum = layers.add([sum, pepx(layers, moduleInput, width, `${name}_pepx${index}`)], `${name}_sum${index}`)
    moduleInput = layers.relu(sum, `${name}_sum${index}_relu`)
  }
  return moduleInput
}

/** Projection → expansion → depthwise 3×3 → projection → extension, each with batch norm; ReLU on all but the last. */
function pepx(layers: LayerFactory, x: tf.SymbolicTensor, width: number, name: string): tf.SymbolicTensor {
  const projected = width / 4
  const expanded = width / 2
  let y = layers.convBnRelu(x, projected, `${name}_project1`)
  y = layers.convBnRelu(y, expanded, `${name}_expand`)
  y = layers.relu(layers.batchNorm(layers.depthwise(y, `${name}_depthwise`), `${name}_depthwise_bn`), `${name}_depthwise_relu`)
  y = layers.convBnRelu(y, projected, `${name}_project2`)
  return layers.batchNorm(layers.conv(y, width, 1, 1, `${name}_extend`), `${name}_extend_bn`)
}

/** The layers the builder uses, each initialiser with its own seed drawn in build order (see resnet.ts). */
class LayerFactory {
  private readonly nextSeed: InitializerSeeds

  constructor(seed: number | undefined) {
    this.nextSeed = initializerSeeds(seed, 'encoder')
  }

  conv(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string): tf.SymbolicTensor {
    return tf.layers
      .conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: this.initializer(), name })
      .apply(x) as tf.SymbolicTensor
  }

  convBnRelu(x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
    return this.relu(this.batchNorm(this.conv(x, filters, 1, 1, name), `${name}_bn`), `${name}_relu`)
  }

  depthwise(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    // He initialisation by fan-out: tfjs's fan-out of a [3, 3, channels, 1] depthwise kernel is 9, the number of
    // inputs each output sums, so the variance is the ReLU-preserving 2/9.
    return tf.layers
      .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 1, padding: 'same', useBias: false, depthwiseInitializer: this.initializer(), name })
      .apply(x) as tf.SymbolicTensor
  }

  batchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    // PyTorch's defaults (momentum 0.1 there = 0.9 here, eps 1e-5), as the project's ResNets.
    return batchNormalization({ momentum: 0.9, epsilon: 1e-5, name }).apply(x) as tf.SymbolicTensor
  }

  relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return reLU({ name }).apply(x) as tf.SymbolicTensor
  }

  add(inputs: tf.SymbolicTensor[], name: string): tf.SymbolicTensor {
    return tf.layers.add({ name }).apply(inputs) as tf.SymbolicTensor
  }

  maxPool(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name }).apply(x) as tf.SymbolicTensor
  }

  private initializer(): ReturnType<typeof tf.initializers.varianceScaling> {
    // He initialisation (fan-out, as torchvision and resnet.ts) for ReLU networks.
    return tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: this.nextSeed() })
  }
}
