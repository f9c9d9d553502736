/**
 * Which Keras activation names (as written in a source file or a saved config) TF.js computes
 * exactly as Keras does, and the name TF.js knows each by. One list for every Keras reader: the
 * layer argument `activation='relu'`, the function call `tf.nn.relu(x)` and saved configs.
 *
 * hard_sigmoid is not in it: Keras 3 computes relu6(x + 3) / 6 (slope 1/6), Keras 2 and TF.js
 * clip(0.2·x + 0.5). Only a saved file says which Keras wrote it (`kerasActivationInTfjs` with its
 * version); in a source file it would be a guess, so it is left out there.
 */
const KERAS_TO_TFJS: Readonly<Record<string, string>> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  log_softmax: 'log_softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'swish',
  silu: 'swish',
  gelu: 'gelu',
  mish: 'mish',
};

/**
 * TF.js's name for a Keras activation, or null where TF.js has none that computes the same.
 * `kerasVersion`: the Keras that wrote a saved file ('2.15.0'); unknown (null) for a source file.
 */
export function kerasActivationInTfjs(name: string, kerasVersion: string | null = null): string | null {
  if (name === 'hard_sigmoid') return kerasVersion !== null && kerasVersion.startsWith('2') ? name : null;
  return Object.hasOwn(KERAS_TO_TFJS, name) ? KERAS_TO_TFJS[name]! : null;
}
