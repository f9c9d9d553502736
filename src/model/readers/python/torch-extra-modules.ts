/**
 * PyTorch modules beyond the image basics of torch-layer-config.ts: Embedding (text models),
 * adaptive max/1-D pooling, LayerNorm, transposed convolution, upsampling, explicit padding and a
 * few more activations, each as the channels-last TF.js layers that compute the same thing.
 */
import type { Parameters } from './call-parameters';
import type { TorchConversion } from './torch-layer-config';
import type { Shape } from './torch-values';
import { asIntTuple, asNumber, asString } from './values';

export const extraModuleParameters: Record<string, string[]> = {
  Embedding: ['num_embeddings', 'embedding_dim', 'padding_idx', 'max_norm'],
  AdaptiveMaxPool2d: ['output_size'],
  AdaptiveAvgPool1d: ['output_size'],
  AdaptiveMaxPool1d: ['output_size'],
  LayerNorm: ['normalized_shape', 'eps', 'elementwise_affine'],
  ConvTranspose2d: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'output_padding'],
  Upsample: ['size', 'scale_factor', 'mode'],
  UpsamplingNearest2d: ['size', 'scale_factor'],
  ZeroPad2d: ['padding'],
  Dropout1d: ['p', 'inplace'],
  AlphaDropout: ['p', 'inplace'],
  Softsign: [],
  Mish: ['inplace'],
};

export const extraFunctionalModules: Record<string, string> = {
  adaptive_max_pool2d: 'AdaptiveMaxPool2d',
  adaptive_avg_pool1d: 'AdaptiveAvgPool1d',
  adaptive_max_pool1d: 'AdaptiveMaxPool1d',
  softsign: 'Softsign',
  mish: 'Mish',
};

export const extraActivations: Record<string, string> = { Softsign: 'softsign', Mish: 'mish' };

export interface TorchDraftTools {
  p: Parameters;
  input: Shape;
  out: TorchConversion;
  n(name: string, fallback: number): number;
  tuple(name: string, fallback: number[] | null): number[] | null;
  push(
    className: string,
    config: Record<string, unknown>,
    outShape: Shape,
    activation?: string | null,
    kernelInitializer?: string | null,
  ): void;
  zeroPad(pad: number[], spatial: number[], channels: number): number[];
}

const torchDefaultKernelInit = {
  class_name: 'VarianceScaling',
  config: { scale: 1 / 3, mode: 'fan_in', distribution: 'uniform', seed: null },
};

/** Fills `t.out` for one of the modules above; false when `kind` is not one of them. */
export function convertExtraTorchModule(kind: string, t: TorchDraftTools): boolean {
  const { p, input, out } = t;
  const channels = input[input.length - 1] ?? 0;
  const spatial = input.slice(0, -1);
  switch (kind) {
    case 'Embedding': {
      const vocabulary = t.n('num_embeddings', 0);
      const width = t.n('embedding_dim', 0);
      if (p.get('padding_idx') && p.get('padding_idx')!.value.kind !== 'none')
        out.notes.push('Embedding padding_idx: that row is trained like the others in the TF.js model');
      // PyTorch initializes embeddings from N(0, 1).
      t.push(
        'Embedding',
        {
          input_dim: vocabulary,
          output_dim: width,
          embeddings_initializer: { class_name: 'RandomNormal', config: { mean: 0, stddev: 1, seed: null } },
          mask_zero: false,
        },
        [...input, width],
      );
      return true;
    }
    case 'AdaptiveMaxPool2d':
    case 'AdaptiveAvgPool1d':
    case 'AdaptiveMaxPool1d': {
      const rank = kind.endsWith('1d') ? 1 : 2;
      const size = t.tuple('output_size', new Array<number>(rank).fill(1));
      if (!size || size.some((s) => s !== 1))
        out.approximations.push(`${kind} to a size other than 1 is built as global pooling`);
      const cls = `Global${kind.startsWith('AdaptiveMax') ? 'Max' : 'Average'}Pooling${rank}D`;
      t.push(cls, { data_format: 'channels_last' }, [channels]);
      return true;
    }
    case 'LayerNorm': {
      const shape = asIntTuple(p.get('normalized_shape')?.value);
      if (!shape || shape.length !== 1 || shape[0] !== channels)
        out.approximations.push(
          `LayerNorm over ${shape ? `(${shape.join(', ')})` : 'an unknown shape'} is built over the last axis (${channels})`,
        );
      const affine = p.get('elementwise_affine')?.value;
      const on = affine?.kind === 'bool' ? affine.value : true;
      t.push('LayerNormalization', { axis: -1, epsilon: t.n('eps', 1e-5), center: on, scale: on }, input);
      return true;
    }
    case 'ConvTranspose2d': {
      const filters = t.n('out_channels', 0);
      const kernel = t.tuple('kernel_size', null) ?? [1, 1];
      const strides = t.tuple('stride', null) ?? [1, 1];
      const pad = t.tuple('padding', null) ?? [0, 0];
      if ((t.tuple('output_padding', null) ?? [0, 0]).some((v) => v !== 0))
        out.approximations.push('ConvTranspose2d output_padding is not built (the output is smaller)');
      const full = spatial.map((s, i) => (s - 1) * strides[i]! + kernel[i]!);
      t.push(
        'Conv2DTranspose',
        {
          filters,
          kernel_size: kernel,
          strides,
          padding: 'valid',
          data_format: 'channels_last',
          activation: 'linear',
          use_bias: true,
          kernel_initializer: torchDefaultKernelInit,
          bias_initializer: { class_name: 'Zeros', config: {} },
        },
        [...full, filters],
        null,
        'variance_scaling',
      );
      if (pad.some((v) => v > 0))
        // PyTorch's padding removes rows and columns from a transposed convolution's output.
        t.push(
          'Cropping2D',
          {
            cropping: [
              [pad[0], pad[0]],
              [pad[1], pad[1]],
            ],
            data_format: 'channels_last',
          },
          [...full.map((s, i) => s - 2 * pad[i]!), filters],
        );
      return true;
    }
    case 'Upsample':
    case 'UpsamplingNearest2d': {
      const factor = asNumber(p.get('scale_factor')?.value);
      const mode = asString(p.get('mode')?.value) ?? 'nearest';
      if (factor === null || !Number.isInteger(factor) || spatial.length !== 2) {
        out.missing = 'scale_factor';
        return true;
      }
      if (mode !== 'nearest' && mode !== 'bilinear')
        out.approximations.push(`Upsample mode '${mode}' is built as nearest-neighbour upsampling`);
      t.push(
        'UpSampling2D',
        {
          size: [factor, factor],
          interpolation: mode === 'bilinear' ? 'bilinear' : 'nearest',
          data_format: 'channels_last',
        },
        [...spatial.map((s) => s * factor), channels],
      );
      return true;
    }
    case 'ZeroPad2d': {
      const v = asIntTuple(p.get('padding')?.value);
      const [left, right, top, bottom] =
        v?.length === 4 ? v : v?.length === 1 ? [v[0]!, v[0]!, v[0]!, v[0]!] : [0, 0, 0, 0];
      t.push(
        'ZeroPadding2D',
        {
          padding: [
            [top, bottom],
            [left, right],
          ],
          data_format: 'channels_last',
        },
        [spatial[0]! + top! + bottom!, spatial[1]! + left! + right!, channels],
      );
      return true;
    }
    case 'Dropout1d':
    case 'AlphaDropout':
      t.push(kind === 'Dropout1d' ? 'SpatialDropout1D' : 'AlphaDropout', { rate: t.n('p', 0.5) }, input);
      return true;
    default:
      return false;
  }
}
