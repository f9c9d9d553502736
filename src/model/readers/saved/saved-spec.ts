/**
 * The shared last step of the .h5 and .keras loaders: match the arrays read from the file to the
 * weights each TF.js layer will create, put them in TF.js' getWeights() order, and make the
 * ModelSpec.
 */
import { basename } from 'node:path';
import { UserError } from '../../../errors';
import { layerSpecsFromTopology } from '../../activation-of';
import { checkFiniteWeights } from '../finite-weights';
import type { KerasLayerJson, ModelOrigin, ModelSpec, NamedWeight, TrainingSetup } from '../../spec';
import type { TranslatedModel } from './keras-config';
import { layerWeights, shortWeightName, type LayerWeight } from './layer-weights';
import { functionalLayerOrder, tfjsWeightOrder, type PlacedWeight } from './weight-order';

/** One array as stored in the file; `name` is the stored weight name where the format has one. */
export interface StoredArray {
  name: string | null;
  shape: number[];
  values: Float32Array;
}

export interface SavedModelParts {
  origin: ModelOrigin;
  file: string;
  translated: TranslatedModel;
  /** The arrays stored for a layer, in the file's order (empty when it has none). */
  arraysFor: (layer: KerasLayerJson, index: number) => StoredArray[];
  training: TrainingSetup;
}

/** Keras 3 names a DepthwiseConv2D's kernel 'kernel'; TF.js and tf.keras 'depthwise_kernel'. */
function sameWeight(stored: string, expected: string): boolean {
  return stored === expected || (stored === 'kernel' && expected === 'depthwise_kernel');
}

function matchLayer(
  layer: KerasLayerJson,
  expected: LayerWeight[],
  stored: StoredArray[],
  file: string,
): StoredArray[] {
  const name = String(layer.config.name);
  if (stored.length !== expected.length) {
    throw new UserError(
      `layer '${name}' (${layer.class_name}) has ${stored.length} weight arrays in the file but needs ${expected.length} (${expected.map((w) => w.name).join(', ') || 'none'})`,
      file,
      null,
      'the weights do not match the saved config; save the model again with model.save()',
    );
  }
  const short = stored.map((s) => (s.name === null ? null : shortWeightName(s.name)));
  const byName = expected.map((w) =>
    stored.find((_, i) => short[i] !== null && sameWeight(short[i]!, w.name)),
  );
  // Names decide where the file has them all; otherwise the shared creation order does.
  return byName.every((s) => s !== undefined) ? (byName as StoredArray[]) : stored;
}

/**
 * Weights stored for a layer the config does not have mean the config and the weights disagree (a
 * layer deleted from the config, or the weights of another model): Keras refuses to load that too.
 */
export function refuseStrayWeights(storedLayers: string[], configLayers: string[], file: string): void {
  const known = new Set(configLayers);
  const stray = storedLayers.filter((name) => !known.has(name));
  if (stray.length === 0) return;
  throw new UserError(
    `the file stores weights for ${stray.length === 1 ? 'layer' : 'layers'} ${stray
      .slice(0, 3)
      .map((n) => `'${n.slice(0, 60)}'`)
      .join(', ')}${stray.length > 3 ? ' …' : ''}, which the model config does not have`,
    file,
    null,
    'the weights do not match the saved config; save the model again with model.save()',
  );
}

export function savedModelSpec(parts: SavedModelParts): ModelSpec {
  const { translated, file } = parts;
  const placed: PlacedWeight<StoredArray>[] = [];
  translated.layers.forEach((layer, index) => {
    const expected = layerWeights(layer.class_name, layer.config) ?? [];
    const stored = matchLayer(layer, expected, parts.arraysFor(layer, index), file);
    const layerTrainable = layer.config.trainable !== false;
    stored.forEach((value, i) =>
      placed.push({ layer: String(layer.config.name), weight: expected[i]!, layerTrainable, value }),
    );
  });
  const order = translated.outputs
    ? functionalLayerOrder(translated.layers, translated.outputs)
    : translated.layers.map((l) => String(l.config.name));
  const weights: NamedWeight[] = tfjsWeightOrder(order, placed).map((p) => ({
    name: `${p.layer}/${p.weight.name}`,
    shape: p.value.shape,
    values: p.value.values,
  }));
  checkFiniteWeights(weights, file);
  const topologyName = (translated.topology.config as { name?: unknown }).name;
  return {
    name: typeof topologyName === 'string' ? topologyName : basename(file),
    origin: parts.origin,
    file,
    topology: translated.topology,
    layers: layerSpecsFromTopology(translated.topology),
    weights,
    training: parts.training,
    issues: [],
  };
}

/** Optimizer, learning rate and loss from a Keras `compile_config` / `training_config`. */
export function trainingFromCompileConfig(value: unknown): TrainingSetup {
  const setup: TrainingSetup = {};
  if (!value || typeof value !== 'object') return setup;
  const c = value as Record<string, unknown>;
  const opt = c.optimizer_config ?? c.optimizer;
  if (typeof opt === 'string') setup.optimizer = opt.toLowerCase();
  else if (opt && typeof opt === 'object') {
    const o = opt as { class_name?: unknown; config?: Record<string, unknown> };
    if (typeof o.class_name === 'string') setup.optimizer = o.class_name.toLowerCase();
    const lr = o.config?.learning_rate ?? o.config?.lr;
    if (typeof lr === 'number') setup.learningRate = lr;
  }
  if (typeof c.loss === 'string') setup.loss = c.loss;
  return setup;
}
