/**
 * ReLU whose gradient is one kernel where the active backend has it.
 *
 * tfjs differentiates relu as `dy · cast(step(x))`: two passes over the activations and a temporary as large as
 * them, for each of a ResNet-50's 49 activations. On a backend that registers `CxrReluGrad` (the onednn backend)
 * this layer computes the same gradient in one pass; everywhere else, and with `maxValue`, it is tfjs's layer
 * unchanged. It saves under tfjs's class name.
 */
import * as tf from '@tensorflow/tfjs'

/** Kernel: inputs {dy, x} → dy · step(x), with tfjs's step (1 above zero, 0 at or below, NaN for NaN). */
export const RELU_GRAD = 'CxrReluGrad'

type ReLUArgs = NonNullable<Parameters<typeof tf.layers.reLU>[0]>

// tfjs exports the factory, not the class.
const TfReLU = tf.layers.reLU({}).constructor as new (args?: ReLUArgs) => tf.layers.Layer

/** relu with the one-pass gradient kernel (call only where `reluGradAvailable()`). */
export const reluWithFusedGradient = tf.customGrad((x, save) => {
  ;(save as tf.GradSaveFunc)([x as tf.Tensor])
  return {
    value: tf.relu(x as tf.Tensor),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.engine().runKernel(RELU_GRAD, { dy, x: saved }) as tf.Tensor,
  }
})

export function reluGradAvailable(): boolean {
  return tf.getKernel(RELU_GRAD, tf.getBackend()) != null
}

export class ReLU extends TfReLU {
  static className = 'ReLU'

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs
    if ((this as unknown as { maxValue?: number }).maxValue != null || input.dtype !== 'float32' || !reluGradAvailable()) {
      return super.call(inputs, kwargs)
    }
    return reluWithFusedGradient(input)
  }
}

tf.serialization.registerClass(ReLU as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>)

/** Drop-in for `tf.layers.reLU`. */
export function reLU(args?: ReLUArgs): tf.layers.Layer {
  return new ReLU(args)
}
