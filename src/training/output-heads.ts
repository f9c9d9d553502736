/**
 * The model's outputs as the trainer sees them: which layer each is, the nonlinearity it ends
 * with, its shape per sample and where it is defined — what the loss is chosen for and what the
 * labels are checked against.
 */
import type * as tfType from '@tensorflow/tfjs';
import { activationOf, topologyLayers } from '../model/activation-of';
import type { ModelSpec, SourceLocation } from '../model/spec';

export interface OutputHead {
  /** The output layer's name (TF.js `model.outputNames`). */
  name: string;
  className: string;
  /** The nonlinearity the output ends with (softmax, sigmoid, log_softmax, linear, relu …). */
  activation: string;
  /** The layer that applies it, when a shape-only layer (Reshape, Flatten, Dropout) follows. */
  activationLayer: string;
  /** Shape of one sample's output (a sequence's unknown length stays null). */
  shape: (number | null)[];
  /** The last axis: units of a Dense head, classes of a softmax. */
  units: number;
  source: SourceLocation | null;
}

/** Layers that pass values through unchanged (in value, not shape): the head's activation is before them. */
const SHAPE_ONLY = new Set([
  'Reshape',
  'Flatten',
  'Permute',
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'SpatialDropout3D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/**
 * The activation a layer applies, as the one activation table names it: from the spec's topology
 * (Keras config) where the layer is there, else from TF.js's own config.
 */
function ownActivation(layer: tfType.layers.Layer, spec: ModelSpec | null): string | null {
  const json = spec
    ? topologyLayers(spec.topology).find((l) => (l.config.name ?? l.name) === layer.name)
    : undefined;
  return json
    ? activationOf(json.class_name, json.config)
    : activationOf(layer.getClassName(), layer.getConfig() as Record<string, unknown>);
}

/** Walks back through shape-only layers (bounded: a graph never loops, but a corrupt one might). */
function effectiveActivation(
  layer: tfType.layers.Layer,
  spec: ModelSpec | null,
): { activation: string; at: string } {
  let current: tfType.layers.Layer | undefined = layer;
  for (let hops = 0; current && hops < 64; hops++) {
    const own = ownActivation(current, spec);
    if (own !== null || !SHAPE_ONLY.has(current.getClassName()))
      return { activation: own ?? 'linear', at: current.name };
    current = current.inboundNodes[0]?.inboundLayers[0];
  }
  return { activation: 'linear', at: layer.name };
}

export function outputHeads(model: tfType.LayersModel, spec: ModelSpec | null): OutputHead[] {
  // A Sequential keeps its layers in an inner model: the output tensors know their layers either way.
  return model.outputs.map((output, i) => {
    const layer = output.sourceLayer as tfType.layers.Layer;
    const shape = (output.shape as (number | null)[]).slice(1);
    const last = shape[shape.length - 1];
    const { activation, at } = effectiveActivation(layer, spec);
    const specLayer = spec?.layers.find((l) => l.name === layer.name);
    return {
      name: model.outputNames[i] ?? layer.name,
      className: layer.getClassName(),
      activation,
      activationLayer: at,
      shape,
      units: typeof last === 'number' ? last : 1,
      source: specLayer?.source ?? spec?.layers.find((l) => l.name === at)?.source ?? null,
    };
  });
}

/** "kind (Dense, softmax, 3 units, line 8)": how a message names an output. */
export function describeHead(head: OutputHead): string {
  const units =
    head.shape.length > 1
      ? `shape [${head.shape.map((d) => d ?? '?').join(', ')}]`
      : `${head.units} unit${head.units === 1 ? '' : 's'}`;
  return `${head.name} (${head.className}, ${head.activation}, ${units}${head.source ? `, line ${head.source.line}` : ''})`;
}
