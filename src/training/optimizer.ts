/** Keras/PyTorch optimizer names → a TF.js optimizer with the framework's default learning rate. */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';

const DEFAULT_RATE: Record<string, number> = {
  adam: 0.001,
  adamax: 0.002,
  rmsprop: 0.001,
  sgd: 0.01,
  adagrad: 0.01,
  adadelta: 1.0,
};

/** What the engine trains with when the model's source names no optimizer. */
export const DEFAULT_OPTIMIZER = 'adam';

/** The framework's default rate for an optimizer (Adam's 0.001 for names it does not know). */
export function usualLearningRate(name: string | null | undefined): number {
  return DEFAULT_RATE[(name ?? DEFAULT_OPTIMIZER).toLowerCase()] ?? 0.001;
}

/** The rate training uses: the one asked for, else the optimizer's default. */
export function effectiveLearningRate(
  name: string | null | undefined,
  learningRate: number | null | undefined,
): number {
  return learningRate ?? usualLearningRate(name);
}

export function makeOptimizer(
  tf: Tf,
  name: string | undefined,
  learningRate: number | null | undefined,
): tfType.Optimizer {
  const key = (name ?? DEFAULT_OPTIMIZER).toLowerCase();
  const rate = effectiveLearningRate(key, learningRate);
  switch (key) {
    case 'sgd':
      return tf.train.sgd(rate);
    case 'rmsprop':
      return tf.train.rmsprop(rate);
    case 'adagrad':
      return tf.train.adagrad(rate);
    case 'adadelta':
      return tf.train.adadelta(rate);
    case 'adamax':
      return tf.train.adamax(rate);
    default:
      return tf.train.adam(rate);
  }
}
