/**
 * Which weights each supported layer class owns, in the order TF.js creates them, and whether TF.js
 * counts them as trainable. Keras 3 stores a layer's variables as `vars/0`, `vars/1`… in its own
 * creation order, which for every class below is the same order.
 */
import { ELEMENTWISE_LAYERS, ELEMENTWISE_MERGE_LAYERS } from '../../layer-classes';

export interface LayerWeight {
  /** TF.js / tf.keras weight name: kernel, bias, gamma, moving_mean … */
  name: string;
  trainable: boolean;
}

const flag = (config: Record<string, unknown>, key: string): boolean => config[key] !== false;

/** The weights of one layer, or null when the class is not one with weights Activation Lens knows. */
export function layerWeights(className: string, config: Record<string, unknown>): LayerWeight[] | null {
  const w = (name: string, trainable = true): LayerWeight => ({ name, trainable });
  const bias = flag(config, 'use_bias') ? [w('bias')] : [];
  switch (className) {
    case 'Dense':
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
    case 'Conv2DTranspose':
    case 'Conv3DTranspose':
      return [w('kernel'), ...bias];
    case 'DepthwiseConv2D':
      return [w('depthwise_kernel'), ...bias];
    case 'SeparableConv1D':
    case 'SeparableConv2D':
      return [w('depthwise_kernel'), w('pointwise_kernel'), ...bias];
    case 'BatchNormalization':
      return [
        ...(flag(config, 'scale') ? [w('gamma')] : []),
        ...(flag(config, 'center') ? [w('beta')] : []),
        w('moving_mean', false),
        w('moving_variance', false),
      ];
    case 'LayerNormalization':
      return [...(flag(config, 'scale') ? [w('gamma')] : []), ...(flag(config, 'center') ? [w('beta')] : [])];
    case 'PReLU':
      return [w('alpha')];
    case 'Embedding':
      return [w('embeddings')];
    default:
      return WEIGHTLESS.has(className) ? [] : null;
  }
}

/** Layer classes TF.js 4.22 builds that own no weights. */
export const WEIGHTLESS = new Set([
  'InputLayer',
  ...ELEMENTWISE_LAYERS,
  ...ELEMENTWISE_MERGE_LAYERS,
  'Flatten',
  'Reshape',
  'Permute',
  'RepeatVector',
  'MaxPooling1D',
  'MaxPooling2D',
  'MaxPooling3D',
  'AveragePooling1D',
  'AveragePooling2D',
  'AveragePooling3D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'ZeroPadding2D',
  'Cropping2D',
  'UpSampling2D',
  'Concatenate',
]);

/**
 * Keras' `naming.to_snake_case` for class names, which names a layer's folder in a Keras 3 weights
 * file: Conv2D → conv2d, BatchNormalization → batch_normalization, LeakyReLU → leaky_re_lu.
 */
export function kerasSnakeCase(className: string): string {
  const word = className.replace(/\W+/g, '');
  return word
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The short weight name in a legacy weight path: 'sequential/conv2d/kernel:0' → 'kernel'. */
export function shortWeightName(path: string): string {
  const last = path.split('/').pop() ?? path;
  const colon = last.lastIndexOf(':');
  return colon > 0 ? last.slice(0, colon) : last;
}
