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

export function makeOptimizer(
  tf: Tf,
  name: string | undefined,
  learningRate: number | null | undefined,
): tfType.Optimizer {
  const key = (name ?? 'adam').toLowerCase();
  const rate = learningRate ?? DEFAULT_RATE[key] ?? 0.001;
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
