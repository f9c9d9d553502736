/**
 * Keras model config (tf.keras 2 or Keras 3, from `model_config` in an .h5 or `config.json` in a
 * .keras) → the Keras JSON topology TF.js 4.22's `tf.models.modelFromJSON` reads. Anything TF.js
 * would build differently from Keras (custom code, quantized or LoRA layers, grouped convolutions,
 * options TF.js ignores) is refused with a UserError rather than silently giving other outputs.
 */
import { UserError } from '../../../errors';
import type { KerasLayerJson, KerasTopology } from '../../spec';
import { layerWeights } from './layer-weights';
import { tfjsInitializerClass } from '../../initializer-names';
import { kerasActivationInTfjs } from '../../keras-activations';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** What the translation needs to know about the file besides the config itself. */
export interface ConfigSource {
  file: string;
  /** Keras version that wrote the file ('2.15.0', '3.15.1'); decides hard_sigmoid's meaning. */
  kerasVersion: string | null;
}

/** A Keras model as TF.js will build it, plus the layer list in the file's own order. */
export interface TranslatedModel {
  topology: KerasTopology;
  /** The translated layers, in the order the file lists them (Keras' `model.layers` order). */
  layers: KerasLayerJson[];
  /** Output tensors as [layer name, node index, tensor index]; null for Sequential. */
  outputs: [string, number, number][] | null;
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

const CONSTRAINTS = new Set(['MaxNorm', 'UnitNorm', 'NonNeg', 'MinMaxNorm']);

/** Translates a whole model config (the parsed `model_config` / `config.json`). */
export function translateModelConfig(raw: unknown, source: ConfigSource): TranslatedModel {
  const { file } = source;
  if (!isObject(raw) || typeof raw.class_name !== 'string') {
    throw new UserError(
      'the model config is not a Keras model description',
      file,
      null,
      'save the whole model with model.save(), not only its weights',
    );
  }
  const className = raw.class_name;
  if (!MODEL_CLASSES.has(className) || isCustom(raw)) {
    throw new UserError(
      `the model is a subclassed Keras model ('${className}'), whose layers live in Python code`,
      file,
      null,
      'rebuild it with keras.Sequential or the functional API (keras.Model(inputs, outputs)) and save that',
    );
  }
  const config = raw.config;
  // Keras ≤ 2.2 wrote a Sequential's config as the bare layer list.
  const body: Json = Array.isArray(config)
    ? { name: 'sequential', layers: config }
    : isObject(config)
      ? config
      : {};
  const rawLayers = body.layers;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) {
    throw new UserError(
      'the model config lists no layers',
      file,
      null,
      'save the model after building it (call it on data or give an Input)',
    );
  }
  const layers = rawLayers.map((l, i) => translateLayer(l, i, source, className !== 'Sequential'));
  const topology: KerasTopology = {
    class_name: className === 'Sequential' ? 'Sequential' : 'Model',
    config: {},
    backend: 'tensorflow',
  };
  if (source.kerasVersion) topology.keras_version = source.kerasVersion;
  const name = typeof body.name === 'string' ? body.name : className.toLowerCase();
  if (className === 'Sequential') {
    giveSequentialAnInputShape(layers, raw, body, file);
    topology.config = { name, layers };
    return { topology, layers, outputs: null };
  }
  const inputs = tensorList(body.input_layers, 'input_layers', file);
  const outputs = tensorList(body.output_layers, 'output_layers', file);
  topology.config = { name, layers, input_layers: inputs, output_layers: outputs };
  return { topology, layers, outputs };
}

/** A Keras 3 Sequential saved without an Input keeps its input shape only in `build_config`. */
function giveSequentialAnInputShape(layers: KerasLayerJson[], raw: Json, body: Json, file: string): void {
  const first = layers[0]!;
  if (first.class_name === 'InputLayer' || Array.isArray(first.config.batch_input_shape)) return;
  const buildShape =
    (isObject(raw.build_config) ? raw.build_config.input_shape : undefined) ?? body.build_input_shape;
  if (Array.isArray(buildShape)) {
    first.config.batch_input_shape = buildShape;
    return;
  }
  throw new UserError(
    'the model does not record its input shape',
    file,
    null,
    'add a keras.Input(shape=...) as the first layer and save again',
  );
}

/** `input_layers` / `output_layers`: a bare [name, node, tensor] (Keras 3.0–3.15) or a list of them. */
function tensorList(value: unknown, key: string, file: string): [string, number, number][] {
  const isTriple = (v: unknown): v is [string, number, number] =>
    Array.isArray(v) &&
    v.length >= 3 &&
    typeof v[0] === 'string' &&
    typeof v[1] === 'number' &&
    typeof v[2] === 'number';
  if (isTriple(value)) return [[value[0], value[1], value[2]]];
  if (Array.isArray(value) && value.length > 0 && value.every(isTriple))
    return value.map((v) => [v[0], v[1], v[2]]);
  throw new UserError(
    `the functional model's ${key} is not a list of layer outputs (dict-structured inputs/outputs are not supported)`,
    file,
    null,
    'use keras.Model(inputs=[...], outputs=[...]) with lists of tensors',
  );
}

/** Custom classes: a module outside Keras, or a registered name that is not the class itself. */
function isCustom(entry: Json): boolean {
  const module = entry.module;
  const registered = entry.registered_name;
  if (typeof module === 'string' && !module.startsWith('keras') && !module.startsWith('tf_keras'))
    return true;
  if (typeof registered === 'string' && registered !== entry.class_name) return true;
  return module === null && typeof registered === 'string';
}

function translateLayer(
  entry: unknown,
  index: number,
  source: ConfigSource,
  functional: boolean,
): KerasLayerJson {
  const { file } = source;
  if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
    throw new UserError(
      `layer #${index + 1} of the model config is malformed`,
      file,
      null,
      'save the model again with model.save()',
    );
  }
  const cls = entry.class_name;
  const config: Json = { ...entry.config };
  const name =
    typeof config.name === 'string'
      ? config.name
      : typeof entry.name === 'string'
        ? entry.name
        : `layer_${index}`;
  const refuse = (what: string, hint: string): never => {
    throw new UserError(`layer '${name}' (${cls}) ${what}`, file, null, hint);
  };

  if (cls === 'Lambda' || cls === 'TFOpLambda' || cls === 'SlicingOpLambda') {
    refuse(
      'runs arbitrary Python code, which cannot be loaded outside Python',
      'replace the Lambda with a built-in Keras layer and save again',
    );
  }
  if (MODEL_CLASSES.has(cls)) {
    refuse(
      'is a nested model, which is not supported',
      'flatten the model so its layers sit directly in one Sequential or functional model',
    );
  }
  if (isCustom(entry)) {
    refuse(
      `is a custom object ('${String(entry.registered_name ?? cls)}')`,
      'use built-in Keras layers; custom layers cannot be rebuilt from the file',
    );
  }
  if (layerWeights(cls, config) === null) {
    refuse(
      'is not a layer Activation Lens can build',
      'use built-in layers such as Dense, Conv2D, pooling, BatchNormalization, Dropout, Flatten',
    );
  }

  config.name = name;
  delete config.build_config;
  if ('dtype' in config) config.dtype = dtypeOf(config.dtype, refuse);
  if (config.quantization_config !== undefined && config.quantization_config !== null) {
    refuse('is quantized', 'save the float model (before model.quantize()) instead');
  }
  delete config.quantization_config;
  if (typeof config.lora_rank === 'number' && config.lora_rank > 0) {
    refuse(
      'has LoRA adapters enabled',
      'merge or disable LoRA (layer.enable_lora is not supported) and save again',
    );
  }
  delete config.lora_rank;
  delete config.lora_alpha;
  if (typeof config.groups === 'number' && config.groups > 1) {
    refuse(
      `is a grouped convolution (groups=${config.groups}), which TF.js cannot build`,
      'use groups=1 or split the convolution',
    );
  }
  delete config.groups;

  switch (cls) {
    case 'InputLayer':
      translateInputLayer(config, refuse);
      break;
    case 'LeakyReLU':
      if ('negative_slope' in config) {
        config.alpha = config.negative_slope;
        delete config.negative_slope;
      }
      break;
    case 'ReLU':
      if (num(config.negative_slope) !== 0 || num(config.threshold) !== 0) {
        refuse(
          'uses negative_slope or threshold, which TF.js ReLU does not support',
          'use LeakyReLU or a plain ReLU',
        );
      }
      delete config.negative_slope;
      delete config.threshold;
      break;
    case 'BatchNormalization':
      if (config.renorm === true) refuse('uses batch renormalization', 'use renorm=False');
      if (Array.isArray(config.axis) && config.axis.length === 1) config.axis = config.axis[0];
      for (const key of [
        'renorm',
        'renorm_clipping',
        'renorm_momentum',
        'synchronized',
        'fused',
        'virtual_batch_size',
        'adjustment',
      ])
        delete config[key];
      break;
    case 'LayerNormalization':
      if (config.rms_scaling === true) refuse('uses rms_scaling', 'use rms_scaling=False');
      delete config.rms_scaling;
      break;
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
      if (config.keepdims === true)
        refuse('uses keepdims=True, which TF.js does not support', 'use keepdims=False and a Reshape');
      delete config.keepdims;
      break;
  }

  if ('activation' in config) config.activation = activationOf(config.activation, source, refuse);
  for (const key of Object.keys(config)) {
    if (key.endsWith('_initializer')) config[key] = initializerOf(config[key], refuse);
    else if (key.endsWith('_regularizer')) config[key] = regularizerOf(config[key], refuse);
    else if (key.endsWith('_constraint')) config[key] = constraintOf(config[key], refuse);
  }

  const out: KerasLayerJson = { class_name: cls, config };
  if (functional) {
    out.name = name;
    out.inbound_nodes = inboundNodes(entry.inbound_nodes, refuse);
  }
  return out;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

type Refuse = (what: string, hint: string) => never;

function translateInputLayer(config: Json, refuse: Refuse): void {
  if (!Array.isArray(config.batch_input_shape)) {
    if (Array.isArray(config.batch_shape)) config.batch_input_shape = config.batch_shape;
    else if (Array.isArray(config.shape)) config.batch_input_shape = [null, ...config.shape];
    else if (Array.isArray(config.input_shape)) config.batch_input_shape = [null, ...config.input_shape];
  }
  if (config.sparse === true) refuse('takes sparse input', 'use a dense input');
  if (config.ragged === true) refuse('takes ragged input', 'use a dense input');
  for (const key of ['batch_shape', 'shape', 'input_shape', 'optional', 'ragged', 'sparse', 'input_tensor'])
    delete config[key];
}

/** DTypePolicy objects (Keras 3) and policy names → the variable dtype string TF.js wants. */
function dtypeOf(value: unknown, refuse: Refuse): string {
  const policy = isObject(value) ? value : null;
  const name = policy ? (isObject(policy.config) ? policy.config.name : undefined) : value;
  const cls = policy ? String(policy.class_name ?? '') : '';
  const text = typeof name === 'string' ? name : 'float32';
  if (/Quantized/.test(cls) || /^(int8|int4|float8|gptq)/.test(text)) {
    refuse(`is quantized (dtype policy '${text}')`, 'save the float model (before model.quantize()) instead');
  }
  // Mixed-precision policies keep float32 variables; TF.js computes in float32.
  if (text.startsWith('mixed_') || text === 'float16' || text === 'bfloat16') return 'float32';
  return text;
}

function activationOf(value: unknown, source: ConfigSource, refuse: Refuse): string {
  let name: unknown = value;
  // Keras 3 may serialise a built-in activation function as an object around its name.
  if (isObject(value)) name = typeof value.config === 'string' ? value.config : value.class_name;
  if (name === null || name === undefined) return 'linear';
  if (typeof name !== 'string')
    return refuse(
      'has an activation that is not a Keras built-in',
      'use a built-in activation name such as relu or elu',
    );
  // An .h5 that does not say which Keras wrote it predates Keras 3 (which always says).
  const mapped = kerasActivationInTfjs(name, source.kerasVersion ?? '2');
  if (!mapped) {
    return refuse(
      `uses the activation '${name}', which TF.js has no exact equivalent for`,
      name === 'leaky_relu'
        ? 'use a LeakyReLU layer instead of activation="leaky_relu"'
        : 'use relu, elu, selu, tanh, sigmoid, softmax, swish, gelu or linear',
    );
  }
  return mapped;
}

/** Keras 3 wrapper keys TF.js does not read. */
function plainObject(value: Json): { class_name: string; config: Json } {
  const config = isObject(value.config) ? { ...value.config } : {};
  return { class_name: String(value.class_name), config };
}

function initializerOf(value: unknown, refuse: Refuse): unknown {
  if (!isObject(value)) return value;
  const obj = plainObject(value);
  const known = tfjsInitializerClass(obj.class_name);
  if (!known) {
    refuse(
      `uses the initializer '${obj.class_name}', which TF.js does not know`,
      'use a built-in initializer such as glorot_uniform or he_normal',
    );
  }
  obj.class_name = known ?? obj.class_name;
  // Keras 3.9+ adds fan axes to variance-scaling initializers; TF.js computes fans itself.
  delete obj.config.input_axes;
  delete obj.config.output_axes;
  if (obj.config.distribution === 'untruncated_normal') obj.config.distribution = 'normal';
  return obj;
}

function regularizerOf(value: unknown, refuse: Refuse): unknown {
  if (!isObject(value)) return value;
  const obj = plainObject(value);
  const l1 = typeof obj.config.l1 === 'number' ? obj.config.l1 : 0;
  const l2 = typeof obj.config.l2 === 'number' ? obj.config.l2 : 0;
  if (obj.class_name === 'L1' || obj.class_name === 'L2' || obj.class_name === 'L1L2')
    return { class_name: 'L1L2', config: { l1, l2 } };
  return refuse(`uses the regularizer '${obj.class_name}', which TF.js does not know`, 'use L1, L2 or L1L2');
}

function constraintOf(value: unknown, refuse: Refuse): unknown {
  if (!isObject(value)) return value;
  const obj = plainObject(value);
  if (!CONSTRAINTS.has(obj.class_name))
    refuse(
      `uses the constraint '${obj.class_name}', which TF.js does not know`,
      'use MaxNorm, UnitNorm, NonNeg or MinMaxNorm',
    );
  return obj;
}

/**
 * Inbound nodes → TF.js' `[[[layer, node, tensor, {}], ...], ...]`. Keras 3 writes each node as
 * `{args, kwargs}` with `__keras_tensor__` objects carrying `keras_history: [layer, node, tensor]`;
 * tf.keras 2 already wrote the TF.js form.
 */
function inboundNodes(value: unknown, refuse: Refuse): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    return refuse('has malformed inbound_nodes', 'save the model again with model.save()');
  return value.map((node) => {
    if (Array.isArray(node)) {
      return node.map((t) => {
        if (!Array.isArray(t) || typeof t[0] !== 'string')
          return refuse('has malformed inbound_nodes', 'save the model again with model.save()');
        return [t[0], num(t[1]), num(t[2]), {}];
      });
    }
    if (!isObject(node))
      return refuse('has malformed inbound_nodes', 'save the model again with model.save()');
    const tensors: unknown[] = [];
    collectTensors(node.args, tensors, refuse);
    // Keyword arguments that carry tensors (a mask, a second input) have no TF.js equivalent here.
    const kwTensors: unknown[] = [];
    collectTensors(node.kwargs, kwTensors, refuse, true);
    if (kwTensors.length > 0)
      refuse('is called with tensor keyword arguments (e.g. mask=)', 'pass tensors positionally');
    return tensors;
  });
}

function collectTensors(value: unknown, out: unknown[], refuse: Refuse, kwargs = false): void {
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, refuse, kwargs);
    return;
  }
  if (!isObject(value)) {
    if (value !== null && value !== undefined && !kwargs)
      refuse('is called with a constant argument', 'call layers only on tensors');
    return;
  }
  if (value.class_name === '__keras_tensor__' && isObject(value.config)) {
    const history = value.config.keras_history;
    if (!Array.isArray(history) || typeof history[0] !== 'string')
      return refuse('has malformed inbound_nodes', 'save the model again with model.save()');
    out.push([history[0], num(history[1]), num(history[2]), {}]);
    return;
  }
  if (kwargs) {
    for (const v of Object.values(value)) collectTensors(v, out, refuse, true);
    return;
  }
  refuse('is called with a non-tensor argument', 'call layers only on tensors');
}
