/**
 * One Keras layer constructor call (`Conv2D(32, (3, 3), activation='relu')`) → the TF.js layer
 * config it means, with where its activation and initializer arguments sit for quick fixes.
 */
import type { SyntaxNode } from '@lezer/common';
import type { SourceLocation } from '../../spec';
import type { Argument } from './interpreter';
import { Parameters } from './call-parameters';
import { initializerClassFromName, kerasInitializerName } from '../../initializer-names';
import type { SourceText } from './source-text';
import { kerasActivationInTfjs } from '../../keras-activations';
import { asIntTuple, asNumber, asShape, asString, describe, hostOf, refName, type PyValue } from './values';
import { draftExtraKerasLayer, extraPositionalParameters, extraRequired } from './keras-extra-layers';

export type SourceRange = NonNullable<SourceLocation['activationRange']>;

/** A layer as read from its constructor, before it is named and placed in a model. */
export interface LayerDraft {
  className: string;
  config: Record<string, unknown>;
  activation: string | null;
  kernelInitializer: string | null;
  activationRange: SourceRange | null;
  initializerRange: SourceRange | null;
  /** Per-sample input shape from `input_shape=` / `shape=` (no batch dimension). */
  inputShape: (number | null)[] | null;
  explicitName: string | null;
  /** A required argument that is missing or unreadable: the layer cannot be built. */
  missing: string | null;
}

/** `keras.initializers.HeNormal(seed=1)` as a value. */
export class InitializerValue {
  constructor(
    readonly className: string,
    readonly config: Record<string, unknown>,
  ) {}
}

/** Positional parameter order of each supported class (what `Conv2D(32, (3, 3))` means). */
const positionalParameters: Record<string, string[]> = {
  Dense: ['units', 'activation', 'use_bias', 'kernel_initializer'],
  Conv1D: ['filters', 'kernel_size', 'strides', 'padding'],
  Conv2D: ['filters', 'kernel_size', 'strides', 'padding'],
  Conv2DTranspose: ['filters', 'kernel_size', 'strides', 'padding'],
  MaxPooling1D: ['pool_size', 'strides', 'padding'],
  MaxPooling2D: ['pool_size', 'strides', 'padding'],
  AveragePooling1D: ['pool_size', 'strides', 'padding'],
  AveragePooling2D: ['pool_size', 'strides', 'padding'],
  GlobalAveragePooling1D: [],
  GlobalAveragePooling2D: [],
  GlobalMaxPooling1D: [],
  GlobalMaxPooling2D: [],
  Flatten: [],
  Reshape: ['target_shape'],
  Dropout: ['rate'],
  BatchNormalization: ['axis', 'momentum', 'epsilon'],
  Activation: ['activation'],
  ReLU: ['max_value', 'negative_slope', 'threshold'],
  ELU: ['alpha'],
  LeakyReLU: ['alpha'],
  PReLU: ['alpha_initializer'],
  Softmax: ['axis'],
  ZeroPadding2D: ['padding'],
  UpSampling2D: ['size'],
  InputLayer: ['input_shape', 'batch_size'],
  Add: [],
  Concatenate: ['axis'],
  Multiply: [],
  Average: [],
  Maximum: [],
  ...extraPositionalParameters,
};

/** Layers whose config carries a data_format. */
const CHANNELS_LAST = new Set([
  'Conv1D',
  'Conv2D',
  'Conv2DTranspose',
  'MaxPooling1D',
  'MaxPooling2D',
  'AveragePooling1D',
  'AveragePooling2D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'Flatten',
  'ZeroPadding2D',
  'UpSampling2D',
]);

export function isSupportedKerasLayer(className: string): boolean {
  return className in positionalParameters;
}

export interface DraftProblem {
  node: SyntaxNode;
  message: string;
  /**
   * An unreadable input shape: settled apart from the layer (the first layer's, or `--input-shape`;
   * refused while unknown), so not a part of the layer built otherwise than written.
   */
  inputShape?: true;
}

/** What drafting one layer needs: its arguments, the config being filled, and setters that report unreadable values. */
export interface DraftTools {
  className: string;
  p: Parameters;
  config: Record<string, unknown>;
  draft: LayerDraft;
  rank: number;
  call: SyntaxNode;
  source: SourceText;
  problems: DraftProblem[];
  need(name: string, arg: Argument | undefined, v: unknown): void;
  setNumber(key: string, names: string[], fallback: number | null): void;
  setTuple(key: string, names: string[], fallback: number[] | null): void;
  setString(key: string, names: string[], fallback: string): void;
  readActivation(arg: Argument | undefined): void;
  readInitializer(arg: Argument | undefined): void;
  useBias(): boolean;
}

/** Reads a supported layer class's arguments; problems (unreadable arguments) go to `problems`. */
export function draftKerasLayer(
  className: string,
  args: Argument[],
  call: SyntaxNode,
  source: SourceText,
  problems: DraftProblem[],
): LayerDraft {
  const p = new Parameters(args, positionalParameters[className] ?? []);
  const config: Record<string, unknown> = { trainable: true, dtype: 'float32' };
  const draft: LayerDraft = {
    className,
    config,
    activation: null,
    kernelInitializer: null,
    activationRange: null,
    initializerRange: null,
    inputShape: null,
    explicitName: asString(p.get('name')?.value),
    missing: null,
  };
  const rank = className.endsWith('1D') ? 1 : className.endsWith('3D') ? 3 : 2;
  const need = (name: string, arg: Argument | undefined, v: unknown): void => {
    if (arg && (v === null || v === undefined))
      problems.push({
        node: arg.node,
        message: `${className}: '${name}' is ${describe(arg.value)}; the reader could not fold it to a constant`,
        ...(name === 'input_shape' || name === 'batch_input_shape' ? { inputShape: true as const } : {}),
      });
  };
  const setNumber = (key: string, names: string[], fallback: number | null): void => {
    const a = p.get(...names);
    const v = asNumber(a?.value);
    need(key, a, v);
    const value = v ?? fallback;
    if (value !== null) config[key] = value;
  };
  const setTuple = (key: string, names: string[], fallback: number[] | null): void => {
    const a = p.get(...names);
    const v = a && a.value.kind !== 'none' ? asIntTuple(a.value, rank) : null;
    if (a && a.value.kind !== 'none') need(key, a, v);
    const value = v ?? fallback;
    if (value !== null) config[key] = value;
  };
  const setString = (key: string, names: string[], fallback: string): void => {
    const a = p.get(...names);
    const v = asString(a?.value);
    need(key, a, v);
    config[key] = (v ?? fallback).toLowerCase();
  };

  // Input shape, on any layer (`input_shape=`, `batch_input_shape=`, Keras 3's `shape=`).
  const shapeArg = p.get('input_shape', 'shape');
  const batchShapeArg = p.get('batch_input_shape', 'batch_shape');
  if (shapeArg) {
    draft.inputShape = asShape(shapeArg.value);
    need('input_shape', shapeArg, draft.inputShape);
  } else if (batchShapeArg) {
    const s = asShape(batchShapeArg.value);
    need('batch_input_shape', batchShapeArg, s);
    draft.inputShape = s ? s.slice(1) : null;
  } else if (p.get('input_dim') && className !== 'Embedding') {
    // `input_dim` is the vocabulary size of an Embedding, the feature count of anything else.
    const d = asNumber(p.get('input_dim')?.value);
    if (d !== null) draft.inputShape = [d];
  }

  const tools: DraftTools = {
    className,
    p,
    config,
    draft,
    rank,
    call,
    source,
    problems,
    need,
    setNumber,
    setTuple,
    setString,
    readActivation: (arg) => readActivation(arg, draft, source, problems),
    readInitializer: (arg) => readInitializer(arg, draft, source, problems),
    useBias: () => useBias(p),
  };
  // What Dense and the convolutions share: activation, kernel initializer, bias.
  const readKernelLayer = () => {
    readActivation(p.get('activation'), draft, source, problems);
    readInitializer(p.get('kernel_initializer', 'init'), draft, source, problems);
    config.use_bias = useBias(p);
  };
  if (!draftExtraKerasLayer(tools))
    switch (className) {
      case 'Dense':
        setNumber('units', ['units', 'output_dim'], null);
        readKernelLayer();
        break;
      case 'Conv1D':
      case 'Conv2D':
      case 'Conv2DTranspose':
        setNumber('filters', ['filters', 'nb_filter'], null);
        setTuple('kernel_size', ['kernel_size'], null);
        setTuple('strides', ['strides', 'subsample'], new Array<number>(rank).fill(1));
        setString('padding', ['padding', 'border_mode'], 'valid');
        setTuple('dilation_rate', ['dilation_rate'], new Array<number>(rank).fill(1));
        readKernelLayer();
        break;
      case 'MaxPooling1D':
      case 'MaxPooling2D':
      case 'AveragePooling1D':
      case 'AveragePooling2D': {
        const poolDefault = new Array<number>(rank).fill(2);
        setTuple('pool_size', ['pool_size'], poolDefault);
        setTuple('strides', ['strides'], (config.pool_size as number[] | undefined) ?? poolDefault);
        setString('padding', ['padding'], 'valid');
        if (rank === 1) {
          config.pool_size = (config.pool_size as number[])[0];
          config.strides = (config.strides as number[])[0];
        }
        break;
      }
      case 'GlobalAveragePooling1D':
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling1D':
      case 'GlobalMaxPooling2D':
      case 'Flatten':
        break;
      case 'Reshape': {
        const a = p.get('target_shape');
        const shape = asIntTuple(a?.value);
        need('target_shape', a, shape);
        if (shape) config.target_shape = shape;
        break;
      }
      case 'Dropout':
        setNumber('rate', ['rate', 'p'], 0.5);
        break;
      case 'BatchNormalization':
        setNumber('axis', ['axis'], -1);
        setNumber('momentum', ['momentum'], 0.99);
        setNumber('epsilon', ['epsilon'], 0.001);
        config.center = true;
        config.scale = true;
        break;
      case 'Activation':
        readActivation(p.get('activation'), draft, source, problems);
        draft.activationRange = source.range(call);
        break;
      case 'ReLU': {
        const maxValue = asNumber(p.get('max_value')?.value);
        if (maxValue !== null) config.max_value = maxValue;
        const slope = asNumber(p.get('negative_slope')?.value) ?? 0;
        const threshold = asNumber(p.get('threshold')?.value) ?? 0;
        if (slope !== 0 || threshold !== 0)
          problems.push({
            node: call,
            message:
              'ReLU with negative_slope or threshold is not supported by TF.js; it is analyzed as a plain ReLU',
          });
        draft.activation = 'relu';
        draft.activationRange = source.range(call);
        break;
      }
      case 'ELU':
        // Any alpha builds: src/model/build/elu-layer.ts replaces TF.js's alpha-1-only ELU.
        setNumber('alpha', ['alpha'], 1.0);
        draft.activation = 'elu';
        draft.activationRange = source.range(call);
        break;
      case 'LeakyReLU':
        setNumber('alpha', ['alpha', 'negative_slope'], 0.3);
        draft.activation = 'leaky_relu';
        draft.activationRange = source.range(call);
        break;
      case 'PReLU':
        config.alpha_initializer = { class_name: 'Zeros', config: {} };
        draft.activation = 'prelu';
        draft.activationRange = source.range(call);
        break;
      case 'Softmax':
        setNumber('axis', ['axis'], -1);
        draft.activation = 'softmax';
        draft.activationRange = source.range(call);
        break;
      case 'ZeroPadding2D': {
        const a = p.get('padding');
        const v = a ? a.value : null;
        const flat = v ? asIntTuple(v, 2) : [1, 1];
        if (flat && flat.length === 2)
          config.padding = [
            [flat[0], flat[0]],
            [flat[1], flat[1]],
          ];
        else if (v?.kind === 'tuple') config.padding = v.items.map((item) => asIntTuple(item, 2));
        break;
      }
      case 'UpSampling2D':
        setTuple('size', ['size'], [2, 2]);
        break;
      case 'Concatenate':
        setNumber('axis', ['axis'], -1);
        break;
      default:
        break;
    }
  // The layout Keras defaults to and the only one TF.js builds on the CPU: batch, …, channels.
  if (CHANNELS_LAST.has(className)) config.data_format = 'channels_last';

  const required: Record<string, string[]> = {
    Dense: ['units'],
    Conv1D: ['filters', 'kernel_size'],
    Conv2D: ['filters', 'kernel_size'],
    Conv2DTranspose: ['filters', 'kernel_size'],
    Reshape: ['target_shape'],
    ...extraRequired,
  };
  draft.missing = (required[className] ?? []).find((key) => config[key] === undefined) ?? null;
  return draft;
}

function useBias(p: Parameters): boolean {
  const v = p.get('use_bias', 'bias')?.value;
  return v?.kind === 'bool' ? v.value : true;
}

function readActivation(
  arg: Argument | undefined,
  draft: LayerDraft,
  source: SourceText,
  problems: DraftProblem[],
): void {
  draft.config.activation = 'linear';
  if (!arg || arg.value.kind === 'none') return;
  // 'relu', keras.activations.relu, tf.nn.relu: the name is what counts.
  let name = asString(arg.value) ?? refName(arg.value);
  if (name === null) {
    problems.push({
      node: arg.node,
      message: `activation is ${describe(arg.value)}; the layer is analyzed without an activation`,
    });
    return;
  }
  name = name.toLowerCase();
  // `act = 'relu'` … `activation=act`: the literal is what a quick fix rewrites.
  draft.activationRange = source.range(
    arg.value.kind === 'string' && arg.value.node ? arg.value.node : arg.node,
  );
  const tfjs = kerasActivationInTfjs(name);
  if (tfjs === null) {
    problems.push({
      node: arg.node,
      message:
        name === 'hard_sigmoid'
          ? `activation 'hard_sigmoid' is relu6(x + 3) / 6 in Keras 3 and clip(0.2·x + 0.5) in TF.js; the layer is analyzed as linear`
          : `activation '${name}' has no TF.js equivalent; the layer is analyzed as linear`,
    });
    draft.activation = name;
    return;
  }
  draft.config.activation = tfjs;
  draft.activation = tfjs === 'linear' ? null : tfjs;
}

function readInitializer(
  arg: Argument | undefined,
  draft: LayerDraft,
  source: SourceText,
  problems: DraftProblem[],
): void {
  // Keras' default kernel initializer.
  draft.kernelInitializer = 'glorot_uniform';
  draft.config.kernel_initializer = { class_name: 'GlorotUniform', config: { seed: null } };
  draft.config.bias_initializer = { class_name: 'Zeros', config: {} };
  if (!arg) return;
  const value: PyValue = arg.value;
  const init = hostOf(value, InitializerValue);
  // 'he_normal', 'HeNormal', initializers.he_normal(), keras.initializers.HeNormal(seed=1).
  const written = init ? init.className : (asString(value) ?? refName(value));
  const name = written === null ? null : kerasInitializerName(written);
  const className = name ? initializerClassFromName(name) : null;
  if (!name || !className) {
    problems.push({
      node: arg.node,
      message: `kernel_initializer ${describe(value)} is not understood; Glorot uniform is used`,
    });
    return;
  }
  draft.kernelInitializer = name;
  draft.initializerRange = source.range(value.kind === 'string' && value.node ? value.node : arg.node);
  draft.config.kernel_initializer = {
    class_name: className,
    config: init ? init.config : className === 'VarianceScaling' ? {} : { seed: null },
  };
}
