/**
 * The `tf.layers.*` factories this parser understands, with the Keras class each one serializes
 * as. `rank` expands scalar sizes (`kernelSize: 3`) to the tuples Keras writes (`[3, 3]`).
 */

export interface LayerKind {
  className: string;
  /** Config keys TF.js cannot build the layer without. */
  required: readonly string[];
  /** Spatial rank for kernel/pool/stride tuples; 0 when the layer has none. */
  rank: 0 | 1 | 2;
  /** Layers with a `kernel` weight (and so a `kernelInitializer`). */
  hasKernel: boolean;
  /** The nonlinearity a standalone activation layer applies (Keras name). */
  fixedActivation?: string;
}

const dense: LayerKind = { className: 'Dense', required: ['units'], rank: 0, hasKernel: true };
const conv = (className: string, rank: 1 | 2): LayerKind => ({
  className,
  required: ['filters', 'kernelSize'],
  rank,
  hasKernel: true,
});
const pool = (className: string, rank: 1 | 2): LayerKind => ({
  className,
  required: [],
  rank,
  hasKernel: false,
});
const plain = (className: string, required: readonly string[] = []): LayerKind => ({
  className,
  required,
  rank: 0,
  hasKernel: false,
});
const act = (className: string, fixedActivation: string): LayerKind => ({
  className,
  required: [],
  rank: 0,
  hasKernel: false,
  fixedActivation,
});

/** Keyed by the factory name after `tf.layers.` (aliases included, as TF.js exports them). */
export const LAYER_KINDS: ReadonlyMap<string, LayerKind> = new Map<string, LayerKind>([
  ['dense', dense],
  ['conv1d', conv('Conv1D', 1)],
  ['conv2d', conv('Conv2D', 2)],
  ['conv2dTranspose', conv('Conv2DTranspose', 2)],
  ['depthwiseConv2d', { className: 'DepthwiseConv2D', required: ['kernelSize'], rank: 2, hasKernel: false }],
  [
    'separableConv2d',
    { className: 'SeparableConv2D', required: ['filters', 'kernelSize'], rank: 2, hasKernel: false },
  ],
  ['maxPooling1d', pool('MaxPooling1D', 1)],
  ['maxPool1d', pool('MaxPooling1D', 1)],
  ['maxPooling2d', pool('MaxPooling2D', 2)],
  ['maxPool2d', pool('MaxPooling2D', 2)],
  ['averagePooling1d', pool('AveragePooling1D', 1)],
  ['avgPool1d', pool('AveragePooling1D', 1)],
  ['avgPooling1d', pool('AveragePooling1D', 1)],
  ['averagePooling2d', pool('AveragePooling2D', 2)],
  ['avgPool2d', pool('AveragePooling2D', 2)],
  ['avgPooling2d', pool('AveragePooling2D', 2)],
  ['globalAveragePooling1d', plain('GlobalAveragePooling1D')],
  ['globalAveragePooling2d', plain('GlobalAveragePooling2D')],
  ['globalMaxPooling1d', plain('GlobalMaxPooling1D')],
  ['globalMaxPooling2d', plain('GlobalMaxPooling2D')],
  ['globalMaxPool1d', plain('GlobalMaxPooling1D')],
  ['globalMaxPool2d', plain('GlobalMaxPooling2D')],
  ['zeroPadding2d', plain('ZeroPadding2D')],
  ['upSampling2d', { className: 'UpSampling2D', required: [], rank: 2, hasKernel: false }],
  ['flatten', plain('Flatten')],
  ['reshape', plain('Reshape', ['targetShape'])],
  ['dropout', plain('Dropout', ['rate'])],
  ['batchNormalization', plain('BatchNormalization')],
  ['layerNormalization', plain('LayerNormalization')],
  ['inputLayer', plain('InputLayer')],
  ['activation', plain('Activation', ['activation'])],
  ['reLU', act('ReLU', 'relu')],
  ['elu', act('ELU', 'elu')],
  ['leakyReLU', act('LeakyReLU', 'leaky_relu')],
  ['prelu', act('PReLU', 'prelu')],
  ['softmax', act('Softmax', 'softmax')],
  ['thresholdedReLU', act('ThresholdedReLU', 'thresholded_relu')],
]);

/** Config keys whose scalar value Keras writes as a tuple of the layer's spatial rank. */
export const TUPLE_KEYS: ReadonlySet<string> = new Set([
  'kernelSize',
  'strides',
  'poolSize',
  'dilationRate',
  'size',
]);

/** Activation names TF.js accepts in a layer config (its own spelling). */
export const TFJS_ACTIVATIONS: ReadonlySet<string> = new Set([
  'elu',
  'hardSigmoid',
  'linear',
  'relu',
  'relu6',
  'selu',
  'sigmoid',
  'softmax',
  'softplus',
  'softsign',
  'tanh',
  'swish',
  'mish',
  'gelu',
  'gelu_new',
]);

export const CONSTRAINT_CLASSES: ReadonlyMap<string, string> = new Map([
  ['maxNorm', 'MaxNorm'],
  ['minMaxNorm', 'MinMaxNorm'],
  ['nonNeg', 'NonNeg'],
  ['unitNorm', 'UnitNorm'],
]);
