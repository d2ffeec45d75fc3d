import * as tf from '@tensorflow/tfjs'

/** Smoothing of the soft Dice: keeps the ratio defined (and its gradient finite) for an all-background batch. */
const DICE_SMOOTHING = 1

/**
 * Soft Dice coefficient of a batch, computed per image and averaged: 2Σ(y·p) + s / (Σy + Σp + s). Per image
 * rather than over the whole batch so a small lung counts as much as a large one.
 */
export function softDice(truth: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const axes = truth.shape.slice(1).map((_, index) => index + 1)
    const intersection = tf.sum(tf.mul(truth, prediction), axes)
    const total = tf.add(tf.sum(truth, axes), tf.sum(prediction, axes))
    return tf.mean(tf.div(tf.add(tf.mul(intersection, 2), DICE_SMOOTHING), tf.add(total, DICE_SMOOTHING))) as tf.Scalar
  })
}

/**
 * Loss = (1 − soft Dice) + binary cross-entropy. Cross-entropy gives well-scaled per-pixel gradients from the
 * first step, when Dice's are weak; Dice targets the overlap that is reported and is insensitive to the
 * lung/background imbalance. Registered as a tf.layers loss (truth, prediction) → scalar.
 */
export function diceBceLoss(truth: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const bce = tf.metrics.binaryCrossentropy(truth, prediction).mean()
    return tf.add(tf.sub(1, softDice(truth, prediction)), bce) as tf.Scalar
  })
}
