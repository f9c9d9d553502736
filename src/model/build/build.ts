/** ModelSpec → tf.LayersModel, with seeded initialisers so a seed makes a run repeatable. */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../../backend/tf';
import { UserError } from '../../errors';
import { registerEluLayer } from './elu-layer';
import { seededInitializer } from './initializers';
import { checkModelFootprint } from './memory-estimate';
import type { KerasLayerJson, KerasTopology, ModelSpec } from '../spec';

const INITIALIZER_KEYS = [
  'kernel_initializer',
  'bias_initializer',
  'depthwise_initializer',
  'pointwise_initializer',
  'embeddings_initializer',
];

function layersOf(topology: KerasTopology): KerasLayerJson[] {
  const config = topology.config as { layers?: unknown };
  if (Array.isArray(config.layers)) return config.layers as KerasLayerJson[];
  // Keras 2 Sequential JSON may be a bare list of layers.
  if (Array.isArray(topology.config)) return topology.config as unknown as KerasLayerJson[];
  return [];
}

/** A copy of the topology with every random initialiser seeded (seed + layer index). */
export function seededTopology(topology: KerasTopology, seed: number): KerasTopology {
  const copy = JSON.parse(JSON.stringify(topology)) as KerasTopology;
  layersOf(copy).forEach((layer, index) => {
    for (const key of INITIALIZER_KEYS) {
      const value =
        layer.config[key] ??
        (key === 'kernel_initializer' && hasKernel(layer.class_name) ? 'glorot_uniform' : undefined);
      if (value !== undefined)
        layer.config[key] = seededInitializer(value, seed * 1000 + index * 7 + INITIALIZER_KEYS.indexOf(key));
    }
  });
  return copy;
}

function hasKernel(className: string): boolean {
  return /^(Dense|Conv1D|Conv2D|Conv3D|Conv2DTranspose|SeparableConv2D|DepthwiseConv2D|Embedding)$/.test(
    className,
  );
}

/** Builds the model; a topology TF.js cannot read becomes a UserError naming the file and layer. */
export async function buildModel(tf: Tf, spec: ModelSpec, seed: number): Promise<tfType.LayersModel> {
  // Before TF.js creates anything: a graph it would loop on, sizes that make no sense, or a model
  // that would not fit in memory are refused here, naming the layer (and its line in a source).
  const lines = new Map(spec.layers.map((l) => [l.name, l.source?.line ?? null]));
  checkModelFootprint(spec.topology, spec.file, (name) => lines.get(name) ?? null);
  registerEluLayer(tf);
  let model: tfType.LayersModel;
  try {
    model = await quietly(() =>
      tf.models.modelFromJSON({ modelTopology: seededTopology(spec.topology, seed) } as never),
    );
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message))
      throw new UserError(
        `TF.js cannot build a model this deep (${spec.layers.length} layers)`,
        spec.file,
        null,
        'analyze a model with fewer layers',
      );
    const message = e instanceof Error ? e.message : String(e);
    const unknown = /Unknown layer: (\w+)/.exec(message)?.[1];
    // TF.js names the layer it failed on ("… incompatible with layer conv2d_1: …"): place the error on its line.
    const named = unknown
      ? undefined
      : spec.layers.find((l) => new RegExp(`layer '?${escapeRegExp(l.name)}\\b`).test(message));
    const layer = unknown ? spec.layers.find((l) => l.className === unknown) : named;
    throw new UserError(
      unknown
        ? `unsupported layer class '${unknown}'`
        : named
          ? `layer ${named.name} (${named.className}) cannot be built: ${message.split('\n')[0]}`
          : `the model cannot be built: ${message.split('\n')[0]}`,
      layer?.source?.file ?? spec.file,
      layer?.source?.line ?? null,
      unknown
        ? 'Activation Lens builds models with TF.js layers; replace or remove this layer'
        : named
          ? 'check the shape of what reaches this layer, or the input shape (--input-shape)'
          : null,
    );
  }
  if (spec.weights) setSavedWeights(tf, model, spec);
  return model;
}

/**
 * TF.js warns through console.warn while it deserializes (e.g. an input shape a later layer
 * ignores); the CLI's contract is one line per refusal, so those warnings are not printed.
 */
async function quietly<T>(build: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return await build();
  } finally {
    console.warn = warn;
  }
}

/** Matches saved weights by name where every name matches (model.json), else by order (.h5/.keras). */
function setSavedWeights(tf: Tf, model: tfType.LayersModel, spec: ModelSpec): void {
  const saved = spec.weights ?? [];
  const expected = model.weights;
  const fail = (message: string, hint: string | null = null): never => {
    model.dispose();
    throw new UserError(message, spec.file, null, hint);
  };
  if (saved.length !== expected.length) {
    fail(
      `the file holds ${saved.length} weight arrays but the model needs ${expected.length}`,
      'the weights do not belong to this topology',
    );
  }
  const byName = new Map(saved.map((w) => [w.name, w]));
  const named = expected.every((v) => byName.has(v.originalName));
  const ordered = expected.map((v, i) => (named ? byName.get(v.originalName)! : saved[i]!));
  ordered.forEach((w, i) => {
    const shape = expected[i]!.shape;
    if (shape.length !== w.shape.length || shape.some((d, k) => d !== w.shape[k])) {
      fail(
        `weight '${w.name}' has shape [${w.shape.join(', ')}] but '${expected[i]!.originalName}' needs [${shape.join(', ')}]`,
      );
    }
  });
  const tensors = ordered.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
