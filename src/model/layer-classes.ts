/**
 * Groups of TF.js 4.22 layer classes that more than one part of the code decides by: the
 * memory estimate (build/memory-estimate.ts) and the saved-weights reader
 * (readers/saved/layer-weights.ts).
 */

/** No weights, and the output has the input's shape: activation layers and dropouts. */
export const ELEMENTWISE_LAYERS: ReadonlySet<string> = new Set([
  'Activation',
  'ReLU',
  'ELU',
  'LeakyReLU',
  'Softmax',
  'ThresholdedReLU',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/** Layers that combine several inputs of one shape element by element. */
export const ELEMENTWISE_MERGE_LAYERS: ReadonlySet<string> = new Set([
  'Add',
  'Subtract',
  'Multiply',
  'Average',
  'Maximum',
  'Minimum',
]);
