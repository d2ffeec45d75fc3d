import * as tf from '@tensorflow/tfjs'
import { DEFAULT_BASE_WIDTH, type RunConfig } from '@shared/runs/config'
import { attachHead } from '../engine/models/classifier'
import { buildConv8Encoder } from '../engine/models/conv8'
import { buildCovidNetEncoder } from '../engine/models/covidNet'
import { buildResNetEncoder } from '../engine/models/resnet'

/** An encoder and the classifier built on it (the classifier shares the encoder's layers). */
export interface BuiltClassifier {
  encoder: tf.LayersModel
  model: tf.LayersModel
}

/** The run's encoder, from the architecture, input crop, width and seed of its configuration. */
export function buildEncoder(config: Pick<RunConfig, 'architecture' | 'input' | 'baseWidth' | 'seed'>): tf.LayersModel {
  const inputShape: [number, number, number] = [config.input.crop, config.input.crop, 1]
  const baseWidth = config.baseWidth ?? DEFAULT_BASE_WIDTH[config.architecture]
  switch (config.architecture) {
    case 'resnet18':
      return buildResNetEncoder({ depth: 18, inputShape, baseWidth, seed: config.seed })
    case 'resnet50':
      return buildResNetEncoder({ depth: 50, inputShape, baseWidth, seed: config.seed })
    case 'conv8':
      return buildConv8Encoder({ inputShape, baseWidth, seed: config.seed })
    case 'covidnet':
      return buildCovidNetEncoder({ inputShape, baseWidth, seed: config.seed })
  }
}

/**
 * A classifier with `units` outputs on `encoder` (1: COVID+ sigmoid; 3: normal/bacteria/virus softmax for
 * pre-training). When `freezeEncoder`, the encoder's layers are not trainable, which also keeps their batch-norm
 * statistics fixed.
 */
export function buildClassifier(encoder: tf.LayersModel, config: Pick<RunConfig, 'headHidden' | 'seed' | 'freezeEncoder'>, units: number): tf.LayersModel {
  for (const layer of encoder.layers) layer.trainable = !config.freezeEncoder
  return attachHead(encoder, { hidden: config.headHidden, units, seed: config.seed })
}

/** Weights that get a weight-decay penalty: convolution and dense kernels. */
export function decayedKernels(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.filter((weight) => /kernel/.test(weight.originalName)).map((weight) => weight.read() as tf.Variable)
}
