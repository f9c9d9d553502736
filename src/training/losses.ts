/**
 * The loss and accuracy functions of each output, as TF.js `compile` takes them. Each returns the
 * mean over the batch, so an evaluation in chunks can weight chunk means by their sizes.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { HeadPlan } from './loss-plan';

export type TensorFn = (y: tfType.Tensor, p: tfType.Tensor) => tfType.Tensor;

export function lossFunction(tf: Tf, plan: HeadPlan): TensorFn {
  switch (plan.loss) {
    case 'categorical_crossentropy':
      return plan.fromLogits
        ? (y, logits) => tf.losses.softmaxCrossEntropy(y, logits)
        : (y, p) => tf.metrics.categoricalCrossentropy(y, p).mean();
    case 'nll':
      return (y, logp) => tf.neg(tf.sum(tf.mul(y, logp), -1)).mean();
    case 'binary_crossentropy':
      return plan.fromLogits
        ? (y, logits) => tf.losses.sigmoidCrossEntropy(y, logits)
        : (y, p) => tf.metrics.binaryCrossentropy(y, p).mean();
    case 'mean_squared_error':
      return (y, p) => tf.losses.meanSquaredError(y, p);
    case 'mean_absolute_error':
      return (y, p) => tf.losses.absoluteDifference(y, p);
    case 'huber':
      return (y, p) => tf.losses.huberLoss(y, p);
  }
}

/** Accuracy where it means something (classification); null for regression. */
export function accuracyFunction(tf: Tf, plan: HeadPlan): TensorFn | null {
  if (plan.task === 'classes') return (y, p) => tf.metrics.categoricalAccuracy(y, p).mean();
  if (plan.task === 'regression') return null;
  // A yes/no decision: probability above 0.5, or a logit above 0.
  const threshold = plan.fromLogits ? 0 : 0.5;
  return (y, p) =>
    tf
      .equal(tf.greater(p, threshold).cast('float32'), tf.greater(y, 0.5).cast('float32'))
      .cast('float32')
      .mean();
}
