/**
 * Keras layer classes beyond the image basics: text and sequence models (Embedding, LSTM, GRU,
 * SimpleRNN, Bidirectional), 3-D convolution and pooling, separable/depthwise convolution and the
 * reshaping and noise layers TF.js 4.22 builds. Each becomes the config TF.js's `modelFromJSON` reads.
 */
import type { Argument } from './interpreter';
import type { DraftTools } from './keras-layer-config';
import { asIntTuple, asNumber, asString, describe } from './values';

/** Positional parameter order of each class (what `LSTM(64, 'tanh')` means). */
export const extraPositionalParameters: Record<string, string[]> = {
  Conv3D: ['filters', 'kernel_size', 'strides', 'padding'],
  Conv3DTranspose: ['filters', 'kernel_size', 'strides', 'padding'],
  MaxPooling3D: ['pool_size', 'strides', 'padding'],
  AveragePooling3D: ['pool_size', 'strides', 'padding'],
  SeparableConv2D: ['filters', 'kernel_size', 'strides', 'padding'],
  DepthwiseConv2D: ['kernel_size', 'strides', 'padding', 'depth_multiplier'],
  LayerNormalization: ['axis', 'epsilon'],
  Permute: ['dims'],
  RepeatVector: ['n'],
  Cropping2D: ['cropping'],
  Rescaling: ['scale', 'offset'],
  Masking: ['mask_value'],
  SpatialDropout1D: ['rate'],
  GaussianNoise: ['stddev'],
  GaussianDropout: ['rate'],
  AlphaDropout: ['rate'],
  Minimum: [],
  ThresholdedReLU: ['theta'],
  Embedding: ['input_dim', 'output_dim', 'embeddings_initializer'],
  LSTM: ['units', 'activation', 'recurrent_activation', 'use_bias'],
  GRU: ['units', 'activation', 'recurrent_activation', 'use_bias'],
  SimpleRNN: ['units', 'activation', 'use_bias'],
  Bidirectional: ['layer', 'merge_mode'],
};

export const extraRequired: Record<string, string[]> = {
  Conv3D: ['filters', 'kernel_size'],
  Conv3DTranspose: ['filters', 'kernel_size'],
  SeparableConv2D: ['filters', 'kernel_size'],
  DepthwiseConv2D: ['kernel_size'],
  Permute: ['dims'],
  RepeatVector: ['n'],
  Embedding: ['input_dim', 'output_dim'],
  LSTM: ['units'],
  GRU: ['units'],
  SimpleRNN: ['units'],
};

/** The recurrent classes: their output is a sequence or the last step (`return_sequences`). */
export const recurrentClasses = new Set(['LSTM', 'GRU', 'SimpleRNN']);

const glorot = { class_name: 'GlorotUniform', config: { seed: null } };
const zeros = { class_name: 'Zeros', config: {} };

function flag(arg: Argument | undefined, fallback: boolean): boolean {
  return arg?.value.kind === 'bool' ? arg.value.value : fallback;
}

/** Fills the config of one of the classes above; false when `className` is not one of them. */
export function draftExtraKerasLayer(t: DraftTools): boolean {
  const { className, p, config, draft } = t;
  switch (className) {
    case 'Conv3D':
    case 'Conv3DTranspose':
    case 'SeparableConv2D':
    case 'DepthwiseConv2D':
      if (className !== 'DepthwiseConv2D') t.setNumber('filters', ['filters'], null);
      t.setTuple('kernel_size', ['kernel_size'], null);
      t.setTuple('strides', ['strides'], new Array<number>(t.rank).fill(1));
      t.setString('padding', ['padding'], 'valid');
      t.setTuple('dilation_rate', ['dilation_rate'], new Array<number>(t.rank).fill(1));
      if (className === 'SeparableConv2D' || className === 'DepthwiseConv2D')
        t.setNumber('depth_multiplier', ['depth_multiplier'], 1);
      config.data_format = 'channels_last';
      t.readActivation(p.get('activation'));
      if (className === 'Conv3D' || className === 'Conv3DTranspose')
        t.readInitializer(p.get('kernel_initializer'));
      else {
        draft.kernelInitializer = 'glorot_uniform';
        config.bias_initializer = zeros;
        if (className === 'SeparableConv2D') config.pointwise_initializer = glorot;
        config.depthwise_initializer = glorot;
      }
      config.use_bias = t.useBias();
      return true;
    case 'MaxPooling3D':
    case 'AveragePooling3D':
      t.setTuple('pool_size', ['pool_size'], [2, 2, 2]);
      t.setTuple('strides', ['strides'], (config.pool_size as number[] | undefined) ?? [2, 2, 2]);
      t.setString('padding', ['padding'], 'valid');
      config.data_format = 'channels_last';
      return true;
    case 'LayerNormalization':
      t.setNumber('axis', ['axis'], -1);
      t.setNumber('epsilon', ['epsilon'], 0.001);
      config.center = flag(p.get('center'), true);
      config.scale = flag(p.get('scale'), true);
      return true;
    case 'Permute': {
      const a = p.get('dims');
      const dims = asIntTuple(a?.value);
      t.need('dims', a, dims);
      if (dims) config.dims = dims;
      return true;
    }
    case 'RepeatVector':
      t.setNumber('n', ['n'], null);
      return true;
    case 'Cropping2D': {
      const a = p.get('cropping');
      const flat = a ? asIntTuple(a.value, 2) : [0, 0];
      if (flat && flat.length === 2)
        config.cropping = [
          [flat[0], flat[0]],
          [flat[1], flat[1]],
        ];
      else if (a?.value.kind === 'tuple') config.cropping = a.value.items.map((item) => asIntTuple(item, 2));
      config.data_format = 'channels_last';
      return true;
    }
    case 'Rescaling':
      t.setNumber('scale', ['scale'], 1);
      t.setNumber('offset', ['offset'], 0);
      return true;
    case 'Masking':
      t.setNumber('mask_value', ['mask_value'], 0);
      return true;
    case 'SpatialDropout1D':
    case 'GaussianDropout':
    case 'AlphaDropout':
      t.setNumber('rate', ['rate'], 0.5);
      return true;
    case 'GaussianNoise':
      t.setNumber('stddev', ['stddev'], null);
      return true;
    case 'ThresholdedReLU':
      t.setNumber('theta', ['theta'], 1);
      draft.activation = 'relu';
      draft.activationRange = t.source.range(t.call);
      return true;
    case 'Embedding': {
      t.setNumber('input_dim', ['input_dim'], null);
      t.setNumber('output_dim', ['output_dim'], null);
      config.embeddings_initializer = {
        class_name: 'RandomUniform',
        config: { minval: -0.05, maxval: 0.05, seed: null },
      };
      config.mask_zero = flag(p.get('mask_zero'), false);
      const length = p.get('input_length');
      const n = asNumber(length?.value);
      if (length && length.value.kind !== 'none') t.need('input_length', length, n);
      if (n !== null) {
        config.input_length = n;
        draft.inputShape ??= [n];
      }
      return true;
    }
    case 'LSTM':
    case 'GRU':
    case 'SimpleRNN':
      draftRecurrent(t);
      return true;
    case 'Bidirectional': {
      const mode = asString(p.get('merge_mode')?.value) ?? 'concat';
      config.merge_mode = mode;
      return true;
    }
    default:
      return false;
  }
}

function draftRecurrent(t: DraftTools): void {
  const { className, p, config, draft } = t;
  t.setNumber('units', ['units', 'output_dim'], null);
  t.readActivation(p.get('activation'));
  // Keras' default for an RNN is tanh, not linear (readActivation's default for Dense).
  if (!p.get('activation')) {
    config.activation = 'tanh';
    draft.activation = 'tanh';
  }
  if (className !== 'SimpleRNN') {
    const recurrent = p.get('recurrent_activation');
    const name = asString(recurrent?.value);
    if (recurrent && name === null)
      t.problems.push({
        node: recurrent.node,
        message: `${className}: recurrent_activation is ${describe(recurrent.value)}; sigmoid is used`,
      });
    // TF.js defaults to hard_sigmoid (Keras 2's default); Keras 3 uses sigmoid.
    config.recurrent_activation = (name ?? 'sigmoid').toLowerCase();
  }
  t.readInitializer(p.get('kernel_initializer'));
  config.recurrent_initializer = { class_name: 'Orthogonal', config: { gain: 1, seed: null } };
  config.use_bias = t.useBias();
  if (className === 'LSTM') config.unit_forget_bias = flag(p.get('unit_forget_bias'), true);
  t.setNumber('dropout', ['dropout'], 0);
  t.setNumber('recurrent_dropout', ['recurrent_dropout'], 0);
  config.return_sequences = flag(p.get('return_sequences'), false);
  config.return_state = false;
  config.go_backwards = flag(p.get('go_backwards'), false);
  config.stateful = false;
  config.unroll = false;
  if (className === 'GRU') {
    // TF.js 4.22 has only the reset_after=False GRU (Keras 3 defaults to True): one bias vector, same gates.
    if (flag(p.get('reset_after'), true))
      t.problems.push({
        node: t.call,
        message:
          'GRU: TF.js builds the reset_after=False variant (Keras 3 defaults to True); the gates are the same, the bias layout differs',
      });
    config.reset_after = false;
  }
}
