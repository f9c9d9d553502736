/**
 * What a model will need before TF.js allocates anything: each layer's output shape (per sample)
 * and parameter count, inferred from the Keras JSON topology alone. Sizes that make no sense (a
 * pool larger than its input, a negative unit count) are refused with the layer named, and so is a
 * model whose parameters or activations would not fit in memory — with the number and the limit.
 * Layer classes this does not know pass through as "unknown" and are left to TF.js.
 */
import { UserError } from '../../errors';
import { formatBytes } from '../../io/contained-file';
import type { KerasLayerJson, KerasTopology } from '../spec';
import { ELEMENTWISE_LAYERS, ELEMENTWISE_MERGE_LAYERS } from '../layer-classes';
import { checkTopology, topologyLayerList, type CheckedGraph, type NodeRef } from './topology-check';

/** Weights, their gradients and two optimizer slots (Adam), float32 each. */
export const BYTES_PER_PARAMETER = 16;
export const MAX_PARAMETER_BYTES = 4 * 1024 ** 3;
/** Forward activations of one sample; a batch multiplies this, so it stays well below memory. */
export const MAX_ACTIVATION_BYTES_PER_SAMPLE = 512 * 1024 ** 2;

/** One sample's shape (no batch dimension); null entries are sizes the config leaves open. */
type Shape = (number | null)[];

export interface ModelFootprint {
  parameters: number;
  /** float32 values all layers output for one sample. */
  activationsPerSample: number;
  largestLayer: { name: string; parameters: number } | null;
}

type Refuse = (why: string) => never;

// SpatialDropout2D too: TF.js cannot build it, but the estimate runs first and its shape is plain.
const IDENTITY = new Set([...ELEMENTWISE_LAYERS, 'SpatialDropout2D']);
const MERGE = ELEMENTWISE_MERGE_LAYERS;

function count(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? Math.round(n).toLocaleString('en-US') : n.toExponential(2);
}

function shapeText(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? '?' : count(d))).join(', ')}]`;
}

/** Product of known sizes; open sizes count as 1 (the estimate is then a lower bound). */
function elements(shape: Shape): number {
  return shape.reduce<number>((a, d) => a * (d ?? 1), 1);
}

function positive(value: unknown, what: string, refuse: Refuse): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    refuse(`${what} must be a positive integer, got ${JSON.stringify(value)?.slice(0, 30)}`);
  return value as number;
}

function nonNegative(value: unknown, what: string, refuse: Refuse): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    refuse(`${what} must be a non-negative integer, got ${JSON.stringify(value)?.slice(0, 30)}`);
  return value as number;
}

/** An int or a list of `rank` ints (Keras' kernel_size, strides, pool_size …). */
function tuple(value: unknown, rank: number, fallback: number[], what: string, refuse: Refuse): number[] {
  if (value === undefined || value === null) return fallback;
  const list = Array.isArray(value) ? value : Array<unknown>(rank).fill(value);
  if (list.length !== rank)
    refuse(`${what} must have ${rank} entries, got ${JSON.stringify(value).slice(0, 30)}`);
  return list.map((v) => positive(v, what, refuse));
}

function inputShapeOf(config: Record<string, unknown>, refuse: Refuse): Shape | null {
  const batch = config.batch_input_shape ?? config.batch_shape;
  const raw = Array.isArray(batch)
    ? batch.slice(1)
    : Array.isArray(config.input_shape)
      ? config.input_shape
      : typeof config.input_dim === 'number'
        ? [config.input_dim]
        : null;
  if (!raw) return null;
  return raw.map((d: unknown) => (d === null ? null : positive(d, 'every input size', refuse)));
}

/** Output size of a sliding window along one axis (Keras' conv_utils.conv_output_length). */
function windowed(
  size: number | null,
  window: number,
  stride: number,
  dilation: number,
  padding: unknown,
  refuse: Refuse,
): number | null {
  if (size === null) return null;
  const span = (window - 1) * dilation + 1;
  if (padding === 'same' || padding === 'causal') return Math.ceil(size / stride);
  if (size < span) refuse(`its window (${span}) is larger than its input (${size})`);
  return Math.floor((size - span) / stride) + 1;
}

interface LayerResult {
  shape: Shape | null;
  parameters: number;
}

/** One layer's output shape and parameters from its input shapes; null shape: not known here. */
function layerOutput(layer: KerasLayerJson, inputs: (Shape | null)[], refuse: Refuse): LayerResult {
  const c = layer.config;
  const cls = layer.class_name;
  const input = inputs[0] ?? null;
  const unknown: LayerResult = { shape: null, parameters: 0 };
  const bias = c.use_bias !== false;
  if (cls === 'InputLayer') return { shape: inputShapeOf(c, refuse), parameters: 0 };
  if (IDENTITY.has(cls)) return { shape: input, parameters: 0 };
  if (MERGE.has(cls)) return { shape: input, parameters: 0 };
  if (!input) return unknown;
  const channelsFirst = c.data_format === 'channels_first';
  const spatialRank = /([123])D/.exec(cls)?.[1];
  const rank = spatialRank ? Number(spatialRank) : 0;
  const spatial = channelsFirst ? input.slice(1) : input.slice(0, -1);
  const channels = channelsFirst ? input[0]! : input[input.length - 1]!;
  const withSpatial = (s: Shape, ch: number | null): Shape => (channelsFirst ? [ch, ...s] : [...s, ch]);

  switch (cls) {
    case 'Dense': {
      const units = positive(c.units, 'units', refuse);
      const inner = input[input.length - 1] ?? null;
      return {
        shape: [...input.slice(0, -1), units],
        parameters: inner === null ? 0 : inner * units + (bias ? units : 0),
      };
    }
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
    case 'Conv2DTranspose':
    case 'Conv3DTranspose':
    case 'DepthwiseConv2D':
    case 'SeparableConv1D':
    case 'SeparableConv2D': {
      if (input.length !== rank + 1) return unknown;
      const kernel = tuple(c.kernel_size, rank, [], 'kernel_size', refuse);
      if (kernel.length === 0) return unknown;
      const strides = tuple(c.strides, rank, Array(rank).fill(1), 'strides', refuse);
      const dilation = tuple(c.dilation_rate, rank, Array(rank).fill(1), 'dilation_rate', refuse);
      const k = kernel.reduce((a, b) => a * b, 1);
      const inC = channels;
      const transpose = cls.includes('Transpose');
      const depthwise = cls === 'DepthwiseConv2D';
      const separable = cls.startsWith('Separable');
      const multiplier =
        depthwise || separable ? positive(c.depth_multiplier ?? 1, 'depth_multiplier', refuse) : 1;
      const filters = depthwise ? null : positive(c.filters, 'filters', refuse);
      const outC = depthwise ? (inC === null ? null : inC * multiplier) : filters;
      const out = spatial.map((s, i) =>
        transpose
          ? s === null
            ? null
            : c.padding === 'same'
              ? s * strides[i]!
              : s * strides[i]! + Math.max(kernel[i]! - strides[i]!, 0)
          : windowed(s, kernel[i]!, strides[i]!, dilation[i]!, c.padding, refuse),
      );
      let parameters = 0;
      if (inC !== null) {
        if (depthwise) parameters = k * inC * multiplier + (bias ? inC * multiplier : 0);
        else if (separable)
          parameters = k * inC * multiplier + inC * multiplier * filters! + (bias ? filters! : 0);
        else parameters = k * inC * filters! + (bias ? filters! : 0);
      }
      return { shape: withSpatial(out, outC), parameters };
    }
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'MaxPooling3D':
    case 'AveragePooling1D':
    case 'AveragePooling2D':
    case 'AveragePooling3D': {
      if (input.length !== rank + 1) return unknown;
      const pool = tuple(c.pool_size, rank, Array(rank).fill(2), 'pool_size', refuse);
      const strides = tuple(c.strides, rank, pool, 'strides', refuse);
      const out = spatial.map((s, i) => windowed(s, pool[i]!, strides[i]!, 1, c.padding, refuse));
      return { shape: withSpatial(out, channels), parameters: 0 };
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
      return { shape: [channels], parameters: 0 };
    case 'Flatten':
      return { shape: [input.some((d) => d === null) ? null : elements(input)], parameters: 0 };
    case 'Reshape': {
      const target = c.target_shape;
      if (!Array.isArray(target)) refuse('target_shape must be a list of sizes');
      const list = target as unknown[];
      const free = list.filter((d) => d === -1).length;
      if (free > 1) refuse('target_shape may hold at most one -1');
      const fixed = list.map((d) => (d === -1 ? 1 : positive(d, 'target_shape', refuse)));
      const known = fixed.reduce((a, b) => a * b, 1);
      const total = input.some((d) => d === null) ? null : elements(input);
      if (total !== null && (free ? total % known !== 0 : total !== known))
        refuse(
          `target_shape ${JSON.stringify(list)} does not hold the ${count(total)} values of its input ${shapeText(input)}`,
        );
      return {
        shape: list.map((d, i) => (d === -1 ? (total === null ? null : total / known) : fixed[i]!)),
        parameters: 0,
      };
    }
    case 'Permute': {
      const dims = c.dims;
      if (!Array.isArray(dims) || dims.length !== input.length) return unknown;
      const order = dims.map((d) => positive(d, 'dims', refuse));
      if (new Set(order).size !== order.length || order.some((d) => d > input.length))
        refuse(`dims ${JSON.stringify(dims)} is not a permutation`);
      return { shape: order.map((d) => input[d - 1]!), parameters: 0 };
    }
    case 'RepeatVector':
      return { shape: [positive(c.n, 'n', refuse), ...input], parameters: 0 };
    case 'UpSampling2D': {
      if (input.length !== 3) return unknown;
      const size = tuple(c.size, 2, [2, 2], 'size', refuse);
      return {
        shape: withSpatial(
          spatial.map((s, i) => (s === null ? null : s * size[i]!)),
          channels,
        ),
        parameters: 0,
      };
    }
    case 'ZeroPadding2D':
    case 'Cropping2D': {
      if (input.length !== 3) return unknown;
      const key = cls === 'ZeroPadding2D' ? 'padding' : 'cropping';
      const raw = c[key] ?? (cls === 'ZeroPadding2D' ? 1 : 0);
      const pairs = (Array.isArray(raw) ? raw : [raw, raw]).map((p: unknown) =>
        Array.isArray(p) ? p : [p, p],
      );
      if (pairs.length !== 2 || pairs.some((p) => p.length !== 2))
        refuse(`${key} must be an int, [a, b] or [[top, bottom], [left, right]]`);
      const amounts = pairs.map((p) => p.map((v: unknown) => nonNegative(v, key, refuse)));
      const out = spatial.map((s, i) => {
        if (s === null) return null;
        const change = amounts[i]![0]! + amounts[i]![1]!;
        if (cls === 'ZeroPadding2D') return s + change;
        if (s - change < 1) refuse(`cropping ${change} of its input ${s} leaves nothing`);
        return s - change;
      });
      return { shape: withSpatial(out, channels), parameters: 0 };
    }
    case 'BatchNormalization':
    case 'LayerNormalization': {
      const axis = typeof c.axis === 'number' ? c.axis : -1;
      const size = input[axis < 0 ? input.length + axis : axis - 1] ?? null;
      const scaleAndCenter = (c.scale !== false ? 1 : 0) + (c.center !== false ? 1 : 0);
      const perUnit = cls === 'BatchNormalization' ? scaleAndCenter + 2 : scaleAndCenter;
      return { shape: input, parameters: size === null ? 0 : size * perUnit };
    }
    case 'PReLU': {
      const shared = Array.isArray(c.shared_axes) ? (c.shared_axes as unknown[]) : [];
      return { shape: input, parameters: elements(input.map((d, i) => (shared.includes(i + 1) ? 1 : d))) };
    }
    case 'Embedding': {
      const inputDim = positive(c.input_dim, 'input_dim', refuse);
      const outputDim = positive(c.output_dim, 'output_dim', refuse);
      return { shape: [...input, outputDim], parameters: inputDim * outputDim };
    }
    case 'Concatenate': {
      const shapes = inputs.filter((s): s is Shape => s !== null);
      if (shapes.length !== inputs.length) return unknown;
      const axis = typeof c.axis === 'number' ? c.axis : -1;
      const at = axis < 0 ? input.length + axis : axis - 1;
      const out = [...input];
      out[at] = shapes.reduce<number | null>(
        (sum, s) => (sum === null || s[at] == null ? null : sum + s[at]!),
        0,
      );
      return { shape: out, parameters: 0 };
    }
    default:
      return unknown;
  }
}

function layerName(layer: KerasLayerJson): string {
  return String(layer.config.name ?? layer.name ?? layer.class_name);
}

/**
 * Infers every layer's output and parameters, refuses impossible sizes, and refuses a model whose
 * parameters or one sample's activations exceed the limits. `lineOf` names a layer's source line.
 */
export function checkModelFootprint(
  topology: KerasTopology,
  file: string | null,
  lineOf: (layer: string) => number | null = () => null,
): ModelFootprint {
  const graph = checkTopology(topology, file, lineOf);
  const layers = (topologyLayerList(topology) ?? []) as KerasLayerJson[];
  const counted = new Set<string>();
  const footprint: ModelFootprint = { parameters: 0, activationsPerSample: 0, largestLayer: null };
  let largestActivation: { name: string; shape: Shape; values: number } | null = null;
  const apply = (layer: KerasLayerJson, inputs: (Shape | null)[]): Shape | null => {
    const name = layerName(layer);
    const refuse: Refuse = (why) => {
      throw new UserError(
        `layer '${name}' (${layer.class_name}): ${why}`,
        file,
        lineOf(name),
        "fix the layer's configuration",
      );
    };
    const result = layerOutput(layer, inputs, refuse);
    if (result.shape) {
      for (const d of result.shape)
        if (d !== null && !(d >= 1)) refuse(`its output ${shapeText(result.shape)} has a size below 1`);
      const values = elements(result.shape);
      footprint.activationsPerSample += values;
      if (!largestActivation || values > largestActivation.values)
        largestActivation = { name, shape: result.shape, values };
    }
    if (!counted.has(name)) {
      counted.add(name);
      footprint.parameters += result.parameters;
      if (!footprint.largestLayer || result.parameters > footprint.largestLayer.parameters)
        footprint.largestLayer = { name, parameters: result.parameters };
    }
    return result.shape;
  };

  if (!graph) {
    let shape: Shape | null = null;
    layers.forEach((layer, i) => {
      const declared =
        i === 0 && layer.class_name !== 'InputLayer'
          ? inputShapeOf(layer.config, (why) => {
              throw new UserError(
                `the model's input: ${why}`,
                file,
                lineOf(layerName(layer)),
                'fix the input shape',
              );
            })
          : null;
      shape = apply(layer, [declared ?? shape]);
    });
  } else walkGraph(graph, apply);

  const parameterBytes = footprint.parameters * BYTES_PER_PARAMETER;
  if (parameterBytes > MAX_PARAMETER_BYTES) {
    const largest = footprint.largestLayer!;
    throw new UserError(
      `the model has ${count(footprint.parameters)} parameters, which need about ${formatBytes(parameterBytes)} with their gradients and optimizer state (${BYTES_PER_PARAMETER} bytes each) — above the ${formatBytes(MAX_PARAMETER_BYTES)} limit ('${largest.name}' alone has ${count(largest.parameters)})`,
      file,
      lineOf(largest.name),
      'analyze a smaller model',
    );
  }
  const activationBytes = footprint.activationsPerSample * 4;
  if (activationBytes > MAX_ACTIVATION_BYTES_PER_SAMPLE) {
    const largest = largestActivation!;
    throw new UserError(
      `one sample's activations take about ${formatBytes(activationBytes)} — above the ${formatBytes(MAX_ACTIVATION_BYTES_PER_SAMPLE)} limit ('${largest.name}' alone outputs ${shapeText(largest.shape)})`,
      file,
      lineOf(largest.name),
      'use smaller inputs or fewer/smaller layers',
    );
  }
  return footprint;
}

/** Nodes in dependency order (iteratively; checkTopology already refused cycles). */
function walkGraph(
  graph: CheckedGraph,
  apply: (layer: KerasLayerJson, inputs: (Shape | null)[]) => Shape | null,
): void {
  const byName = new Map(graph.layers.map((l) => [layerName(l), l]));
  const outputs = new Map<string, Shape | null>();
  const key = (ref: NodeRef | [string, number]) => `${ref[0]}#${ref[1]}`;
  const done = new Set<string>();
  for (const [layer, nodes] of graph.nodes)
    for (let k = 0; k < nodes.length; k++) {
      const stack: [string, number][] = [[layer, k]];
      while (stack.length) {
        const [name, index] = stack[stack.length - 1]!;
        if (done.has(key([name, index]))) {
          stack.pop();
          continue;
        }
        const refs = graph.nodes.get(name)![index]!;
        const pending = refs.filter((r) => !done.has(key(r)));
        if (index > 0 && !done.has(key([name, index - 1]))) pending.push([name, index - 1, 0]);
        if (pending.length) {
          for (const r of pending) stack.push([r[0], r[1]]);
          continue;
        }
        stack.pop();
        done.add(key([name, index]));
        outputs.set(
          key([name, index]),
          apply(
            byName.get(name)!,
            refs.map((r) => outputs.get(key(r)) ?? null),
          ),
        );
      }
    }
}
