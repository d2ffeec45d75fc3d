import type * as tf from '@tensorflow/tfjs'

/**
 * Layers that carry weights but no multiply-accumulates by the usual convention (torchvision's and the COVID-Net
 * paper's MAC counts cover convolutions and fully-connected layers only; normalisation is an affine per channel).
 */
const UNCOUNTED_WEIGHTED_LAYERS = new Set(['BatchNormalization'])

/**
 * Multiply-accumulates of one forward pass of one image through `model`: for each convolution, output positions ×
 * output channels × kernel area × input channels; for each depthwise convolution, output positions × output
 * channels × kernel area; for each dense layer, inputs × units. The convention of torchvision's "GFLOPS" column and
 * of the COVID-Net paper's "MACs (G)" (bias additions, normalisation, activations and pooling are not counted).
 * @throws when the model has a weighted layer of a kind this count does not know, rather than undercounting it.
 */
export function countMultiplyAccumulates(model: tf.LayersModel): number {
  let total = 0
  for (const layer of model.layers) {
    const className = layer.getClassName()
    const config = layer.getConfig()
    if (className === 'Conv2D' || className === 'DepthwiseConv2D') {
      const output = layer.outputShape as number[]
      const inputChannels = (layer.input as tf.SymbolicTensor).shape[3] as number
      const [kernelHeight, kernelWidth] = config.kernelSize as [number, number]
      const positions = output[1] * output[2]
      const channels = output[3]
      total += positions * channels * kernelHeight * kernelWidth * (className === 'Conv2D' ? inputChannels : 1)
    } else if (className === 'Dense') {
      const input = (layer.input as tf.SymbolicTensor).shape
      const positions = input.slice(1, -1).reduce((product: number, size) => product * (size as number), 1)
      total += positions * (input[input.length - 1] as number) * (config.units as number)
    } else if (layer.weights.length > 0 && !UNCOUNTED_WEIGHTED_LAYERS.has(className)) {
      throw new Error(`cannot count the multiply-accumulates of layer ${layer.name} (${className})`)
    }
  }
  return total
}
