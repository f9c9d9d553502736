/**
 * Writes small, valid saved models in the tests (no committed binaries): a TF.js model.json with
 * its weight shard, a legacy Keras .h5 and a Keras 3 .keras, all of one Dense network 8 → 6 → 3.
 * The hostile-input tests and scripts/fuzz-inputs.ts start from these and damage them.
 */
import { zipSync } from 'fflate';
import type * as H5 from 'h5wasm';

/** The input width of every model written here, so data of shape (n, 8) fits them all. */
export const FEATURES = 8;
export const CLASSES = 3;

type Json = Record<string, unknown>;

export interface Weight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Deterministic values in [-0.5, 0.5): a fixture is the same bytes on every run. */
export function fixtureValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
}

function dense(name: string, units: number, activation: string, inputWidth: number | null): Json {
  return {
    class_name: 'Dense',
    config: {
      name,
      trainable: true,
      ...(inputWidth === null ? {} : { batch_input_shape: [null, inputWidth] }),
      dtype: 'float32',
      units,
      activation,
      use_bias: true,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
  };
}

/** A tf.keras-2-style Sequential config: what model_config / config.json / modelTopology hold. */
export function sequentialConfig(): Json {
  return {
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [dense('dense', 6, 'relu', FEATURES), dense('dense_1', CLASSES, 'softmax', null)],
    },
  };
}

/** The same network as a functional model, inbound nodes in the TF.js / tf.keras 2 form. */
export function functionalConfig(): Json {
  const wire = (layer: Json, from: string): Json => ({
    ...layer,
    name: (layer.config as Json).name,
    inbound_nodes: [[[from, 0, 0, {}]]],
  });
  return {
    class_name: 'Functional',
    config: {
      name: 'functional',
      layers: [
        {
          class_name: 'InputLayer',
          name: 'input_1',
          config: { name: 'input_1', batch_input_shape: [null, FEATURES], dtype: 'float32', sparse: false },
          inbound_nodes: [],
        },
        wire(dense('dense', 6, 'relu', null), 'input_1'),
        wire(dense('dense_1', CLASSES, 'softmax', null), 'dense'),
      ],
      input_layers: [['input_1', 0, 0]],
      output_layers: [['dense_1', 0, 0]],
    },
  };
}

/** Kernel and bias of both Dense layers, in TF.js getWeights() order. */
export function denseWeights(): Weight[] {
  return [
    { name: 'dense/kernel', shape: [FEATURES, 6], values: fixtureValues(FEATURES * 6, 1) },
    { name: 'dense/bias', shape: [6], values: fixtureValues(6, 2) },
    { name: 'dense_1/kernel', shape: [6, CLASSES], values: fixtureValues(6 * CLASSES, 3) },
    { name: 'dense_1/bias', shape: [CLASSES], values: fixtureValues(CLASSES, 4) },
  ];
}

/** model.json (as text) and its one weight shard, the way tf.LayersModel.save() writes them. */
export function tfjsModelFiles(
  topology: Json = sequentialConfig(),
  weights: Weight[] = denseWeights(),
): { modelJson: string; shard: Uint8Array; shardName: string } {
  const shardName = 'group1-shard1of1.bin';
  const total = weights.reduce((n, w) => n + w.values.length, 0);
  const shard = new Float32Array(total);
  let offset = 0;
  for (const w of weights) {
    shard.set(w.values, offset);
    offset += w.values.length;
  }
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: null,
    modelTopology: { ...topology, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weightsManifest: [
      {
        paths: [shardName],
        weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
      },
    ],
  });
  return { modelJson, shard: new Uint8Array(shard.buffer), shardName };
}

let h5Promise: Promise<typeof H5> | null = null;
let written = 0;

async function h5wasm(): Promise<typeof H5> {
  h5Promise ??= (async () => {
    const h5 = (await import('h5wasm')) as typeof H5;
    await h5.ready;
    return h5;
  })();
  return h5Promise;
}

/** Writes an HDF5 file in h5wasm's in-memory file system and returns its bytes. */
export async function hdf5Bytes(fill: (root: H5.File) => void): Promise<Uint8Array> {
  const h5 = await h5wasm();
  const path = `/fixture-${process.pid}-${++written}.h5`;
  const file = new h5.File(path, 'w');
  try {
    fill(file);
  } finally {
    file.close();
  }
  const bytes = h5.FS!.readFile(path);
  h5.FS!.unlink(path);
  return bytes;
}

/** The legacy `model.save('model.h5')` layout of tf.keras 2 (see src/model/readers/saved/keras-h5.ts). */
export function kerasH5Bytes(
  config: Json = sequentialConfig(),
  weights: Weight[] = denseWeights(),
): Promise<Uint8Array> {
  return hdf5Bytes((root) => {
    root.create_attribute('model_config', JSON.stringify(config));
    root.create_attribute('keras_version', '2.15.0');
    root.create_attribute('backend', 'tensorflow');
    const modelWeights = root.create_group('model_weights');
    const layers = [...new Set(weights.map((w) => w.name.split('/')[0]!))];
    modelWeights.create_attribute('layer_names', layers);
    for (const layer of layers) {
      const group = modelWeights.create_group(layer);
      const own = weights.filter((w) => w.name.startsWith(`${layer}/`));
      group.create_attribute(
        'weight_names',
        own.map((w) => `${w.name}:0`),
      );
      // h5py creates the intermediate group of `dense/kernel:0` itself; HDF5 through h5wasm does not.
      const inner = group.create_group(layer);
      for (const w of own)
        inner.create_dataset({
          name: `${w.name.split('/')[1]!}:0`,
          data: w.values,
          shape: w.shape,
          dtype: '<f4',
        });
    }
  });
}

/** Keras 3's model.weights.h5: each layer's variables at `layers/<layer>/vars/<i>`. */
export function kerasV3WeightsBytes(weights: Weight[] = denseWeights()): Promise<Uint8Array> {
  return hdf5Bytes((root) => {
    root.create_group('vars');
    const layers = root.create_group('layers');
    for (const layer of [...new Set(weights.map((w) => w.name.split('/')[0]!))]) {
      const vars = layers.create_group(layer).create_group('vars');
      weights
        .filter((w) => w.name.startsWith(`${layer}/`))
        .forEach((w, i) =>
          vars.create_dataset({ name: String(i), data: w.values, shape: w.shape, dtype: '<f4' }),
        );
    }
  });
}

/** A Keras 3 `.keras` zip: metadata.json, config.json and model.weights.h5 (stored or deflated). */
export async function kerasV3Bytes(
  config: Json = sequentialConfig(),
  weights: Weight[] = denseWeights(),
  compress = false,
): Promise<Uint8Array> {
  const level = compress ? 6 : 0;
  const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  return zipSync({
    'metadata.json': [text({ keras_version: '3.15.1', date_saved: '2026-11-23@11:00:00' }), { level }],
    'config.json': [text(config), { level }],
    'model.weights.h5': [await kerasV3WeightsBytes(weights), { level }],
  });
}
