/**
 * Hostile saved models through the real CLI: functional graphs that would make TF.js loop (no
 * inbound nodes, cycles, missing parents), damaged zip archives (truncation, CRC, bombs, lying
 * headers), damaged HDF5 (including one on which HDF5 itself never returns), datasets and
 * manifests declaring absurd sizes, and topologies whose sizes make no sense. Every one must end
 * in one clean line, in bounded time and memory. Fixtures are written here, never committed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { zipSync } from 'fflate';
import { loadKerasH5 } from '../../../src/model/readers/saved/keras-h5';
import { loadTfjsModelJson } from '../../../src/model/readers/tfjs-json';
import {
  denseWeights,
  functionalConfig,
  hdf5Bytes,
  kerasH5Bytes,
  kerasV3Bytes,
  sequentialConfig,
  tfjsModelFiles,
} from '../../support/saved-model-writers';
import { missingPythonModules, testPython } from '../../support/python-env';
import { goodDataNpz, refused, RUN, scratch, write } from './hostile-case';

type Json = Record<string, unknown>;
const data = write('data.npz', goodDataNpz());
const analyze = (file: string) => ['analyze', file, '--data', data, ...RUN];

/** A functional config with its layer list edited. */
function functional(edit: (layers: Json[]) => void): Json {
  const config = functionalConfig();
  edit((config.config as Json).layers as Json[]);
  return config;
}
const withoutInbound = () =>
  functional((layers) => {
    for (const l of layers) delete l.inbound_nodes;
  });
const cyclic = () =>
  functional((layers) => {
    layers[1]!.inbound_nodes = [[['dense_1', 0, 0, {}]]];
  });
const orphan = () =>
  functional((layers) => {
    layers[2]!.inbound_nodes = [[['ghost', 0, 0, {}]]];
  });

function modelJson(folder: string, topology: Json, edit?: (json: Json) => void): string {
  const files = tfjsModelFiles(topology);
  const json = JSON.parse(files.modelJson) as Json;
  edit?.(json);
  write(`${folder}/${files.shardName}`, files.shard);
  return write(`${folder}/model.json`, JSON.stringify(json));
}

/** A topology-only model.json (no weights): what the build-time size checks see. */
function topologyOnly(folder: string, layers: Json[]): string {
  return write(
    `${folder}/model.json`,
    JSON.stringify({
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 'big', layers } },
      weightsManifest: [],
    }),
  );
}

describe('functional graphs TF.js would loop on', () => {
  for (const [name, config, says] of [
    ['without inbound_nodes', withoutInbound, /layer 'dense' \(Dense\) has no inbound_nodes/],
    ['with a cycle', cyclic, /cycle through/],
    ['with a missing parent', orphan, /takes its input from 'ghost', which is not in the model/],
  ] as const) {
    test(`model.json ${name}`, async () => {
      const file = modelJson(`graph-${name.replace(/\W/g, '')}`, config());
      await refused(analyze(file), { names: file, says });
    });
    test(`.h5 ${name}`, async () => {
      const file = write(`graph-${name.replace(/\W/g, '')}.h5`, await kerasH5Bytes(config()));
      await refused(analyze(file), { names: file, says });
    });
    test(`.keras ${name}`, async () => {
      const file = write(`graph-${name.replace(/\W/g, '')}.keras`, await kerasV3Bytes(config()));
      await refused(analyze(file), { names: file, says });
    });
  }
});

describe('zip archives (.keras)', () => {
  test('a truncated archive', async () => {
    const bytes = await kerasV3Bytes();
    const file = write('truncated.keras', bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await refused(analyze(file), { names: file, says: /\.keras archive is damaged/ });
  });

  test('a member whose bytes fail its CRC-32', async () => {
    const bytes = await kerasV3Bytes();
    // Stored (not deflated): the config's text is in the archive as is; change one letter of it.
    const at = Buffer.from(bytes).indexOf('"sequential"');
    assert.ok(at > 0);
    bytes[at + 1] = 'S'.charCodeAt(0);
    const file = write('crc.keras', bytes);
    await refused(analyze(file), {
      names: file,
      says: /'config\.json' in the \.keras archive fails its CRC-32 check/,
    });
  });

  test('a zip bomb: 80 MB of zeros in an 80 KB member', async () => {
    const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const bomb = zipSync({
      'config.json': [text(sequentialConfig()), { level: 0 }],
      'model.weights.h5': [new Uint8Array(80 * 1024 * 1024), { level: 9 }],
    });
    assert.ok(bomb.length < 200_000);
    const file = write('bomb.keras', bomb);
    await refused(analyze(file), {
      names: file,
      says: /'model\.weights\.h5' in the \.keras archive declares 80 MiB from \d+ KiB compressed, a ratio above 100:1/,
    });
  });

  test('a member declaring more than the absolute limit', async () => {
    const big = zipSync({ 'config.json': [new Uint8Array(80 * 1024 * 1024).fill(32), { level: 9 }] });
    const file = write('big-config.keras', big);
    await refused(analyze(file), {
      names: file,
      says: /'config\.json' .* declares 80 MiB, above the 64 MiB limit/,
    });
  });

  test('a header that lies about the inflated size', async () => {
    const bytes = await kerasV3Bytes(sequentialConfig(), denseWeights(), true);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Halve config.json's size in both headers: inflating must stop there, not trust the header.
    for (let i = 0; i + 4 <= bytes.length; i++) {
      const sig = view.getUint32(i, true);
      const nameAt = sig === 0x04034b50 ? i + 30 : sig === 0x02014b50 ? i + 46 : -1;
      if (nameAt < 0 || Buffer.from(bytes.subarray(nameAt, nameAt + 11)).toString() !== 'config.json')
        continue;
      const sizeAt = sig === 0x04034b50 ? i + 22 : i + 24;
      view.setUint32(sizeAt, view.getUint32(sizeAt, true) >>> 1, true);
    }
    const file = write('liar.keras', bytes);
    await refused(analyze(file), { names: file, says: /inflates to more than the .* its header declares/ });
  });
});

describe('HDF5 (.h5)', () => {
  test('a truncated file: one line, no HDF5-DIAG', async () => {
    const bytes = await kerasH5Bytes();
    const file = write('truncated.h5', bytes.subarray(0, Math.floor(bytes.length / 3)));
    await refused(analyze(file), { names: file, says: /is a damaged HDF5 file: truncated file/ });
  });

  test('damaged object headers', async () => {
    const bytes = await kerasH5Bytes();
    bytes.fill(0xff, 800, 1000);
    const file = write('headers.h5', bytes);
    await refused(analyze(file), { names: file, says: /is a damaged HDF5 file/ });
  });

  test('a file on which HDF5 never returns is stopped after the time limit', async (t) => {
    // Found by scripts/fuzz-inputs.ts: with these bytes zeroed, reading the model_config
    // attribute loops forever inside the wasm library.
    const bytes = await kerasH5Bytes();
    bytes.fill(0, 3014, 3014 + 246);
    const file = write('hangs.h5', bytes);
    const started = Date.now();
    await refused(analyze(file), {
      names: file,
      says: /is a damaged HDF5 file: HDF5 did not finish reading it within 2 s/,
      env: { ACTIVATION_LENS_HDF5_TIMEOUT_S: '2' },
      timeoutMs: 30_000,
    });
    t.diagnostic(`refused after ${Date.now() - started} ms`);
  });

  test('a sparse dataset declaring 4 TB is refused by its declared size, before reading', async () => {
    const bytes = await hdf5Bytes((root) => {
      root.create_attribute('model_config', JSON.stringify(sequentialConfig()));
      root.create_attribute('keras_version', '2.15.0');
      const weights = root.create_group('model_weights');
      weights.create_attribute('layer_names', ['dense', 'dense_1']);
      const group = weights.create_group('dense');
      group.create_attribute('weight_names', ['dense/kernel:0', 'dense/bias:0']);
      const inner = group.create_group('dense');
      const kernel = inner.create_dataset({
        name: 'kernel:0',
        data: new Float32Array(1),
        shape: [1, 1],
        dtype: '<f4',
        maxshape: [null, null],
        chunks: [1, 1],
      });
      kernel.resize([1_000_000, 1_000_000]);
      inner.create_dataset({ name: 'bias:0', data: new Float32Array(6), shape: [6], dtype: '<f4' });
    });
    assert.ok(bytes.length < 100_000);
    const file = write('sparse.h5', bytes);
    await refused(analyze(file), {
      names: file,
      says: /dataset 'model_weights\/dense\/dense\/kernel:0' .* declares shape \[1000000, 1000000\]: 3\.6 TiB as float32/,
    });
  });

  test(
    'float16 weights are widened to float32, not refused',
    { skip: missingPythonModules(['h5py', 'numpy']) ?? false },
    async () => {
      // h5wasm cannot write float16, so this one fixture is written with h5py.
      const halves = denseWeights().map((w) => ({
        ...w,
        values: Float32Array.from(w.values, (v) => Math.round(v * 64) / 64 + 0),
      }));
      const file = `${scratch}/half.h5`;
      const script = `
import h5py, json, sys, numpy as np
config, weights = json.loads(sys.argv[2]), json.loads(sys.argv[3])
with h5py.File(sys.argv[1], 'w') as f:
    f.attrs['model_config'] = json.dumps(config)
    mw = f.create_group('model_weights')
    mw.attrs['layer_names'] = [b'dense', b'dense_1']
    for layer in ['dense', 'dense_1']:
        own = [w for w in weights if w['name'].startswith(layer + '/')]
        g = mw.create_group(layer)
        g.attrs['weight_names'] = [(w['name'] + ':0').encode() for w in own]
        for w in own:
            g.create_dataset(w['name'] + ':0', data=np.array(w['values'], dtype='<f2').reshape(w['shape']))
`;
      const r = spawnSync(
        testPython(),
        [
          '-c',
          script,
          file,
          JSON.stringify(sequentialConfig()),
          JSON.stringify(halves.map((w) => ({ ...w, values: [...w.values] }))),
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const spec = await loadKerasH5(new Uint8Array(readFileSync(file)), file);
      assert.deepEqual(
        spec.weights!.map((w) => [...w.values]),
        halves.map((w) => [...w.values]),
      );
    },
  );
});

describe('a config and weights that disagree', () => {
  /** The sequential config without its last layer, while the file keeps that layer's weights. */
  const shortened = () => {
    const config = sequentialConfig();
    ((config.config as Json).layers as Json[]).pop();
    return config;
  };
  test('.h5 with weights for a layer the config lost', async () => {
    const file = write('stray.h5', await kerasH5Bytes(shortened(), denseWeights()));
    await refused(analyze(file), {
      names: file,
      says: /stores weights for layer 'dense_1', which the model config does not have/,
    });
  });
  test('.keras with weights for a layer the config lost', async () => {
    const file = write('stray.keras', await kerasV3Bytes(shortened(), denseWeights()));
    await refused(analyze(file), {
      names: file,
      says: /stores weights for layer 'dense_1', which the model config does not have/,
    });
  });
});

describe('model.json manifests', () => {
  test('a weight whose shape is not a list', async () => {
    const file = modelJson('manifest-shape', sequentialConfig(), (json) => {
      ((json.weightsManifest as Json[])[0]!.weights as Json[])[0]!.shape = 'eight by six';
    });
    await refused(analyze(file), {
      names: file,
      says: /weight 'dense\/kernel' has shape "eight by six", not a list/,
    });
  });

  test('a negative size in a weight shape', async () => {
    const file = modelJson('manifest-negative', sequentialConfig(), (json) => {
      ((json.weightsManifest as Json[])[0]!.weights as Json[])[0]!.shape = [-8, 6];
    });
    await refused(analyze(file), { names: file, says: /has shape \[-8,6\]/ });
  });

  test('shards that do not add up to what the manifest needs', async () => {
    const file = modelJson('manifest-short', sequentialConfig(), (json) => {
      ((json.weightsManifest as Json[])[0]!.weights as Json[])[0]!.shape = [80, 6];
    });
    await refused(analyze(file), {
      names: file,
      says: /hold 300 bytes but the manifest's weights need 2028/,
    });
  });

  test('float16 weights are widened to float32, not refused', () => {
    const weights = denseWeights().map((w) => ({
      ...w,
      values: Float32Array.from(w.values, (v) => Math.round(v * 64) / 64 + 0),
    }));
    const halves = new Uint16Array(weights.reduce((n, w) => n + w.values.length, 0));
    let at = 0;
    // 1/64 steps in [-0.5, 0.5) are exact halves; encode them by hand (sign, exponent, fraction).
    for (const w of weights)
      for (const v of w.values) {
        if (v === 0) halves[at++] = 0;
        else {
          const e = Math.floor(Math.log2(Math.abs(v)));
          halves[at++] =
            (v < 0 ? 0x8000 : 0) | ((e + 15) << 10) | Math.round((Math.abs(v) / 2 ** e - 1) * 1024);
        }
      }
    const json = JSON.parse(tfjsModelFiles().modelJson) as Json;
    for (const entry of (json.weightsManifest as Json[])[0]!.weights as Json[])
      entry.quantization = { dtype: 'float16', original_dtype: 'float32' };
    write('half/group1-shard1of1.bin', new Uint8Array(halves.buffer));
    const file = write('half/model.json', JSON.stringify(json));
    const spec = loadTfjsModelJson(file);
    assert.deepEqual(
      spec.weights!.map((w) => [...w.values]),
      weights.map((w) => [...w.values]),
    );
  });
});

describe('absurd sizes, refused before TF.js allocates', () => {
  const dense = (name: string, units: unknown, input?: unknown[]) => ({
    class_name: 'Dense',
    config: { name, units, activation: 'relu', ...(input ? { batch_input_shape: input } : {}) },
  });

  test('a 795-million-parameter Dense: the number and the limit', async () => {
    const file = topologyOnly('huge-dense', [dense('dense', 1000, [null, 8]), dense('wide', 795_000)]);
    const line = await refused(analyze(file), { names: file, says: /the model has 795,804,000 parameters/ });
    assert.match(line, /about 12 GiB .* above the 4\.0 GiB limit \('wide' alone has 795,795,000\)/);
  });

  test('a pool of 10**9', async () => {
    const file = topologyOnly('huge-pool', [
      {
        class_name: 'MaxPooling2D',
        config: { name: 'pool', pool_size: [1e9, 1e9], batch_input_shape: [null, 2, 4, 1] },
      },
      { class_name: 'Flatten', config: { name: 'flatten' } },
      dense('dense', 3),
    ]);
    await refused(analyze(file), {
      names: file,
      says: /layer 'pool' \(MaxPooling2D\): its window \(1000000000\) is larger than its input \(2\)/,
    });
  });

  test('padding of 10**9', async () => {
    const file = topologyOnly('huge-padding', [
      {
        class_name: 'ZeroPadding2D',
        config: { name: 'pad', padding: 1e9, batch_input_shape: [null, 2, 4, 1] },
      },
      { class_name: 'GlobalAveragePooling2D', config: { name: 'average' } },
      dense('dense', 3),
    ]);
    await refused(analyze(file), {
      names: file,
      says: /one sample's activations take about .* above the 512 MiB limit \('pad' alone outputs/,
    });
  });

  test('a negative input size', async () => {
    const file = topologyOnly('negative-input', [dense('dense', 3, [null, -8])]);
    await refused(analyze(file), {
      names: file,
      says: /every input size must be a positive integer, got -8/,
    });
  });

  test('a damaged option name (TF.js would ignore it and use a default)', async () => {
    const file = topologyOnly('odd-key', [
      {
        class_name: 'Dense',
        config: { name: 'dense', units: 3, 'activ\u00e4tion': 'relu', batch_input_shape: [null, 8] },
      },
    ]);
    await refused(analyze(file), {
      names: file,
      says: /has an option named "activ\u00e4tion", which is not a Keras option name/,
    });
  });
});
