/**
 * One PyTorch module (`nn.Conv2d(1, 32, 3, 1)`) or functional op (`F.max_pool2d(x, 2)`) applied
 * to a tensor of known shape → the channels-last TF.js layers that compute the same thing,
 * with the output shape. Declared sizes are checked against the shape that reaches the layer.
 */
import { Parameters } from './call-parameters';
import type { Argument } from './interpreter';
import {
  convertExtraTorchModule,
  extraModuleParameters,
  extraFunctionalModules,
  extraActivations,
} from './torch-extra-modules';
import type { Shape } from './torch-values';
import { asIntTuple, asNumber, asString, describe, type PyValue } from './values';

export type { Shape };

export interface TorchLayerDraft {
  className: string;
  config: Record<string, unknown>;
  activation: string | null;
  kernelInitializer: string | null;
  outShape: Shape;
}

export interface TorchConversion {
  layers: TorchLayerDraft[];
  /** Mismatches between declared sizes and the incoming shape (the reader adds both lines). */
  mismatches: string[];
  /** Details worth knowing that do not change what the model computes. */
  notes: string[];
  /** Where the built layers compute something other than the file's module (the model is then partial). */
  approximations: string[];
  /** A required size that is missing or unreadable: nothing can be built. */
  missing: string | null;
  /** The tensor reaching the module cannot be fed to it (wrong rank): the file's model fails here too. */
  invalid?: string;
}

/** Parameter order of each supported module class (functional forms use the same names). */
const moduleParameters: Record<string, string[]> = {
  Conv1d: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias'],
  Conv2d: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias'],
  Linear: ['in_features', 'out_features', 'bias'],
  MaxPool1d: ['kernel_size', 'stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'],
  MaxPool2d: ['kernel_size', 'stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'],
  AvgPool1d: ['kernel_size', 'stride', 'padding', 'ceil_mode'],
  AvgPool2d: ['kernel_size', 'stride', 'padding', 'ceil_mode'],
  AdaptiveAvgPool2d: ['output_size'],
  Dropout: ['p', 'inplace'],
  Dropout2d: ['p', 'inplace'],
  Flatten: ['start_dim', 'end_dim'],
  BatchNorm1d: ['num_features', 'eps', 'momentum'],
  BatchNorm2d: ['num_features', 'eps', 'momentum'],
  ReLU: ['inplace'],
  ReLU6: ['inplace'],
  ELU: ['alpha', 'inplace'],
  LeakyReLU: ['negative_slope', 'inplace'],
  PReLU: ['num_parameters', 'init'],
  SELU: ['inplace'],
  GELU: [],
  SiLU: ['inplace'],
  Sigmoid: [],
  Tanh: [],
  Softplus: [],
  Softmax: ['dim'],
  LogSoftmax: ['dim'],
  Identity: [],
  ...extraModuleParameters,
};

export function isSupportedTorchModule(kind: string): boolean {
  return kind in moduleParameters;
}

/** `torch.nn.functional.max_pool2d` → the module it equals, with the tensor argument removed. */
const functionalModules: Record<string, string> = {
  relu: 'ReLU',
  relu6: 'ReLU6',
  elu: 'ELU',
  leaky_relu: 'LeakyReLU',
  selu: 'SELU',
  gelu: 'GELU',
  silu: 'SiLU',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softplus: 'Softplus',
  softmax: 'Softmax',
  log_softmax: 'LogSoftmax',
  max_pool1d: 'MaxPool1d',
  max_pool2d: 'MaxPool2d',
  avg_pool1d: 'AvgPool1d',
  avg_pool2d: 'AvgPool2d',
  adaptive_avg_pool2d: 'AdaptiveAvgPool2d',
  dropout: 'Dropout',
  dropout2d: 'Dropout2d',
  flatten: 'Flatten',
  ...extraFunctionalModules,
};

export function moduleForFunction(name: string): string | null {
  return functionalModules[name] ?? null;
}

/** The activation modules: their layer is tapped at its own line, and a quick fix rewrites the call. */
const activations: Record<string, string> = {
  ReLU: 'relu',
  ReLU6: 'relu6',
  ELU: 'elu',
  LeakyReLU: 'leaky_relu',
  PReLU: 'prelu',
  SELU: 'selu',
  GELU: 'gelu',
  SiLU: 'swish',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Softplus: 'softplus',
  Softmax: 'softmax',
  LogSoftmax: 'softmax',
  ...extraActivations,
};

export function isActivationModule(kind: string): boolean {
  return kind in activations;
}

/**
 * PyTorch's default weight init (kaiming_uniform with a = √5) is U(±1/√fan_in), which is
 * VarianceScaling(scale 1/3, fan_in, uniform): the TF.js model starts where the script would.
 */
const torchDefaultKernelInit = {
  class_name: 'VarianceScaling',
  config: { scale: 1 / 3, mode: 'fan_in', distribution: 'uniform', seed: null },
};

export function convertTorchModule(kind: string, args: Argument[], input: Shape): TorchConversion {
  const p = new Parameters(args, moduleParameters[kind] ?? []);
  const out: TorchConversion = { layers: [], mismatches: [], notes: [], approximations: [], missing: null };
  const required: Record<string, string> = {
    Conv1d: 'out_channels',
    Conv2d: 'out_channels',
    Linear: 'out_features',
    Embedding: 'embedding_dim',
  };
  const requiredName = required[kind];
  if (requiredName && asNumber(p.get(requiredName)?.value) === null) {
    out.missing = requiredName;
    return out;
  }
  const n = (name: string, fallback: number): number => {
    const a = p.get(name);
    const v = asNumber(a?.value);
    if (a && v === null && a.value.kind !== 'none')
      out.notes.push(`${kind}: '${name}' is ${describe(a.value)}; using ${fallback}`);
    return v ?? fallback;
  };
  const rank = kind.endsWith('1d') ? 1 : 2;
  const tuple = (name: string, fallback: number[] | null): number[] | null => {
    const a = p.get(name);
    if (!a || a.value.kind === 'none') return fallback;
    const v = asIntTuple(a.value, rank);
    if (!v) out.notes.push(`${kind}: '${name}' is ${describe(a.value)}`);
    return v ?? fallback;
  };
  const base = (): Record<string, unknown> => ({ trainable: true, dtype: 'float32' });
  const push = (
    className: string,
    config: Record<string, unknown>,
    outShape: Shape,
    activation: string | null = null,
    kernelInitializer: string | null = null,
  ): void => {
    out.layers.push({ className, config: { ...base(), ...config }, activation, kernelInitializer, outShape });
  };
  const spatial = input.slice(0, -1);
  const channels = input[input.length - 1] ?? 0;

  switch (kind) {
    case 'Conv1d':
    case 'Conv2d': {
      const inChannels = n('in_channels', channels);
      const filters = n('out_channels', 0);
      const kernel = tuple('kernel_size', null) ?? new Array<number>(rank).fill(1);
      const strides = tuple('stride', null) ?? new Array<number>(rank).fill(1);
      const dilation = tuple('dilation', null) ?? new Array<number>(rank).fill(1);
      const groups = n('groups', 1);
      const depthwise = rank === 2 && groups > 1 && groups === inChannels && filters % groups === 0;
      if (groups !== 1 && !depthwise)
        out.approximations.push(
          `${kind} with groups=${groups} (grouped convolution) is built as an ordinary convolution`,
        );
      if (input.length !== rank + 1)
        out.invalid = `${kind} expects a ${rank + 2}-D input (batch included) but gets per-sample shape (${input.join(', ')})`;
      else if (inChannels !== channels)
        out.mismatches.push(
          `${kind} declares in_channels=${inChannels} but the tensor reaching it has ${channels} channels`,
        );
      const padArg = p.get('padding');
      const padString = asString(padArg?.value);
      let pad = padString
        ? new Array<number>(rank).fill(0)
        : (tuple('padding', null) ?? new Array<number>(rank).fill(0));
      let padding = padString === 'same' ? 'same' : 'valid';
      const sameEquivalent = pad.every(
        (pd, i) => strides[i] === 1 && dilation[i] === 1 && 2 * pd === kernel[i]! - 1,
      );
      if (pad.some((pd) => pd > 0) && sameEquivalent) {
        padding = 'same';
        pad = pad.map(() => 0);
      }
      let current = spatial;
      if (pad.some((pd) => pd > 0) && input.length === rank + 1)
        current = zeroPad(pad, spatial, channels, push);
      const outSpatial = current.map((s, i) =>
        padding === 'same'
          ? Math.ceil(s / strides[i]!)
          : Math.floor((s - dilation[i]! * (kernel[i]! - 1) - 1) / strides[i]!) + 1,
      );
      const bias = p.get('bias')?.value;
      if (depthwise) {
        // groups == in_channels: each channel convolved on its own, as DepthwiseConv2D does.
        push(
          'DepthwiseConv2D',
          {
            kernel_size: kernel,
            strides,
            dilation_rate: dilation,
            padding,
            depth_multiplier: filters / groups,
            data_format: 'channels_last',
            depthwise_initializer: torchDefaultKernelInit,
            ...biasAndNoActivation(bias),
          },
          [...outSpatial, filters],
        );
        break;
      }
      push(
        rank === 2 ? 'Conv2D' : 'Conv1D',
        {
          filters,
          kernel_size: rank === 2 ? kernel : kernel[0],
          strides: rank === 2 ? strides : strides[0],
          dilation_rate: rank === 2 ? dilation : dilation[0],
          padding,
          data_format: 'channels_last',
          kernel_initializer: torchDefaultKernelInit,
          ...biasAndNoActivation(bias),
        },
        [...outSpatial, filters],
        null,
        'variance_scaling',
      );
      break;
    }
    case 'Linear': {
      const inFeatures = n('in_features', channels);
      const units = n('out_features', 0);
      if (inFeatures !== channels)
        out.mismatches.push(
          `nn.Linear declares in_features=${inFeatures} but the tensor reaching it has ${channels} features (shape (${input.join(', ')}))`,
        );
      else if (input.length > 1)
        out.notes.push(`nn.Linear is applied to a ${input.length + 1}-D tensor (acting on its last axis)`);
      const bias = p.get('bias')?.value;
      push(
        'Dense',
        {
          units,
          kernel_initializer: torchDefaultKernelInit,
          ...biasAndNoActivation(bias),
        },
        [...input.slice(0, -1), units],
        null,
        'variance_scaling',
      );
      break;
    }
    case 'MaxPool1d':
    case 'MaxPool2d':
    case 'AvgPool1d':
    case 'AvgPool2d': {
      const kernel = tuple('kernel_size', null) ?? new Array<number>(rank).fill(2);
      const strides = tuple('stride', null) ?? kernel;
      const pad = tuple('padding', null) ?? new Array<number>(rank).fill(0);
      if (pad.some((pd) => pd > 0))
        out.notes.push(`${kind} padding=${pad.join(',')} is built as zero padding`);
      const ceil = p.get('ceil_mode')?.value;
      if (ceil?.kind === 'bool' && ceil.value)
        out.approximations.push(
          `${kind} ceil_mode=True is built with floor rounding (its output can be one smaller)`,
        );
      if (input.length !== rank + 1)
        out.invalid = `${kind} expects a ${rank + 2}-D input (batch included) but gets per-sample shape (${input.join(', ')})`;
      let current = spatial;
      if (pad.some((pd) => pd > 0) && input.length === rank + 1)
        current = zeroPad(pad, spatial, channels, push);
      const outSpatial = current.map((s, i) => Math.floor((s - kernel[i]!) / strides[i]!) + 1);
      const cls = `${kind.startsWith('Max') ? 'Max' : 'Average'}Pooling${rank}D`;
      push(
        cls,
        {
          pool_size: rank === 2 ? kernel : kernel[0],
          strides: rank === 2 ? strides : strides[0],
          padding: 'valid',
          data_format: 'channels_last',
        },
        [...outSpatial, channels],
      );
      break;
    }
    case 'AdaptiveAvgPool2d': {
      const size = tuple('output_size', [1, 1]);
      if (!size || size.some((s) => s !== 1))
        out.approximations.push(
          'AdaptiveAvgPool2d to a size other than 1 is built as global average pooling',
        );
      push('GlobalAveragePooling2D', { data_format: 'channels_last' }, [channels]);
      break;
    }
    case 'Dropout':
    case 'Dropout2d':
      push('Dropout', { rate: n('p', 0.5) }, input);
      if (kind === 'Dropout2d') out.notes.push('Dropout2d (whole channels) is built as element-wise Dropout');
      break;
    case 'Flatten':
      if (input.length > 1)
        push('Flatten', { data_format: 'channels_last' }, [input.reduce((a, b) => a * b, 1)]);
      break;
    case 'BatchNorm1d':
    case 'BatchNorm2d': {
      const features = n('num_features', channels);
      if (features !== channels)
        out.mismatches.push(
          `${kind} declares num_features=${features} but the tensor reaching it has ${channels} channels`,
        );
      // PyTorch's momentum weighs the new batch; Keras' weighs the running average.
      push(
        'BatchNormalization',
        { axis: -1, epsilon: n('eps', 1e-5), momentum: 1 - n('momentum', 0.1), center: true, scale: true },
        input,
      );
      break;
    }
    case 'ELU':
      // Any alpha builds: src/model/build/elu-layer.ts replaces TF.js's alpha-1-only ELU.
      push('ELU', { alpha: n('alpha', 1.0) }, input, 'elu');
      break;
    case 'LeakyReLU':
      push('LeakyReLU', { alpha: n('negative_slope', 0.01) }, input, 'leaky_relu');
      break;
    case 'PReLU': {
      // nn.PReLU() learns one slope, nn.PReLU(C) one per channel: TF.js shares the slope over those axes.
      const perChannel = n('num_parameters', 1) !== 1;
      const shared = input.map((_, i) => i + 1).filter((axis) => !perChannel || axis !== input.length);
      push(
        'PReLU',
        {
          alpha_initializer: { class_name: 'Constant', config: { value: n('init', 0.25) } },
          ...(shared.length > 0 ? { shared_axes: shared } : {}),
        },
        input,
        'prelu',
      );
      break;
    }
    case 'Identity':
      break;
    default: {
      if (
        convertExtraTorchModule(kind, {
          p,
          input,
          out,
          n,
          tuple,
          push,
          zeroPad: (pad, sp, ch) => zeroPad(pad, sp, ch, push),
        })
      )
        break;
      const activation = activations[kind];
      if (activation) {
        if (kind === 'LogSoftmax')
          out.notes.push(
            'log_softmax is built as softmax (with NLL loss, training is the same as softmax + cross-entropy)',
          );
        push('Activation', { activation }, input, activation);
      }
    }
  }
  return out;
}

type Push = (className: string, config: Record<string, unknown>, outShape: Shape) => void;

/**
 * PyTorch's symmetric zero padding before a convolution or pooling; returns the padded spatial
 * size. TF.js has ZeroPadding2D only, so a sequence is padded as a one-pixel-wide image.
 */
/** What every PyTorch weight layer's config shares: no fused activation, and `bias=` (default True). */
function biasAndNoActivation(bias: PyValue | undefined): Record<string, unknown> {
  return {
    activation: 'linear',
    use_bias: bias?.kind === 'bool' ? bias.value : true,
    bias_initializer: { class_name: 'Zeros', config: {} },
  };
}

function zeroPad(pad: number[], spatial: number[], channels: number, push: Push): number[] {
  const padded = spatial.map((s, i) => s + 2 * pad[i]!);
  if (spatial.length === 2) {
    push(
      'ZeroPadding2D',
      {
        padding: [
          [pad[0], pad[0]],
          [pad[1], pad[1]],
        ],
        data_format: 'channels_last',
      },
      [...padded, channels],
    );
    return padded;
  }
  push('Reshape', { target_shape: [spatial[0], 1, channels] }, [spatial[0]!, 1, channels]);
  push(
    'ZeroPadding2D',
    {
      padding: [
        [pad[0], pad[0]],
        [0, 0],
      ],
      data_format: 'channels_last',
    },
    [padded[0]!, 1, channels],
  );
  push('Reshape', { target_shape: [padded[0], channels] }, [padded[0]!, channels]);
  return padded;
}
