/**
 * Saved Keras files (hand-written by scripts/make-keras-fixtures.py with Debian's h5py + numpy)
 * load into ModelSpecs whose TF.js predictions match a numpy forward pass of the same weights, and
 * unsupported or damaged files give a UserError that names the file, the problem and what to do.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { UserError } from '../../../src/errors';
import { loadKerasH5 } from '../../../src/model/readers/saved/keras-h5';
import { loadKerasV3 } from '../../../src/model/readers/saved/keras-v3';
import { loadKerasFile } from '../../../src/model/readers/saved/load-keras-file';
import type { ModelSpec } from '../../../src/model/spec';
import { compareWithExpected, generateFixtures, repoRoot } from './keras-fixtures';

const PYTHON = '/usr/bin/python3';
const dir = join(repoRoot, 'test/fixtures/generated/keras');
const unavailable = generateFixtures(PYTHON, [dir], 'import h5py, numpy');
const skip = unavailable
  ? `Keras fixtures need Debian's python3-h5py and python3-numpy: ${unavailable}`
  : false;

const fixture = (name: string): string => join(dir, name);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(fixture(name)));

async function checkEquivalent(spec: ModelSpec, name: string, t: TestContext): Promise<void> {
  const result = await compareWithExpected(spec, fixture(`${name}.expected.json`));
  assert.deepEqual(
    spec.weights!.map((w) => w.name),
    result.tfjsWeightNames,
    'weights must come in the order TF.js getWeights() uses, under its names',
  );
  assert.deepEqual(result.outputShape, [5, 3]);
  assert.ok(result.maxAbsDiff <= 1e-5, `${name}: max |TF.js − numpy| = ${result.maxAbsDiff}`);
  t.diagnostic(`${name}: max |TF.js − numpy| = ${result.maxAbsDiff.toExponential(2)}`);
}

describe('legacy Keras .h5', { skip }, () => {
  test('Keras 2.1 file: fixed-length strings, split layer_names, list config', async (t) => {
    const spec = await loadKerasH5(bytesOf('legacy_cnn.h5'), fixture('legacy_cnn.h5'));
    assert.equal(spec.origin, 'keras-h5');
    assert.equal(spec.file, fixture('legacy_cnn.h5'));
    assert.equal(spec.topology.class_name, 'Sequential');
    assert.equal(spec.topology.keras_version, '2.1.6');
    assert.deepEqual(
      spec.layers.map((l) => [l.name, l.className, l.activation, l.source]),
      [
        ['conv2d', 'Conv2D', 'relu', null],
        ['max_pooling2d', 'MaxPooling2D', null, null],
        ['flatten', 'Flatten', null, null],
        ['dense', 'Dense', 'relu', null],
        ['dense_1', 'Dense', 'softmax', null],
      ],
    );
    assert.deepEqual(
      spec.weights!.map((w) => [w.name, w.shape]),
      [
        ['conv2d/kernel', [3, 3, 1, 4]],
        ['conv2d/bias', [4]],
        ['dense/kernel', [100, 8]],
        ['dense/bias', [8]],
        ['dense_1/kernel', [8, 3]],
        ['dense_1/bias', [3]],
      ],
    );
    assert.equal(spec.training.loss, 'categorical_crossentropy');
    await checkEquivalent(spec, 'legacy_cnn', t);
  });

  test('tf.keras 2 file: InputLayer, BatchNormalization moving statistics, L2 regularizer', async (t) => {
    const spec = await loadKerasH5(bytesOf('tfkeras_bn.h5'), fixture('tfkeras_bn.h5'));
    // TF.js puts every non-trainable weight after all trainable ones.
    assert.deepEqual(
      spec.weights!.slice(-2).map((w) => w.name),
      ['batch_normalization/moving_mean', 'batch_normalization/moving_variance'],
    );
    await checkEquivalent(spec, 'tfkeras_bn', t);
  });
});

describe('Keras 3 .keras', { skip }, () => {
  test('Sequential: batch_shape, DTypePolicy and wrappers translated', async (t) => {
    const spec = await loadKerasV3(bytesOf('k3_sequential.keras'), fixture('k3_sequential.keras'));
    assert.equal(spec.origin, 'keras-v3');
    const layers = spec.topology.config.layers as { class_name: string; config: Record<string, unknown> }[];
    assert.deepEqual(layers[0]!.config.batch_input_shape, [null, 12, 12, 1]);
    assert.equal(layers[1]!.config.dtype, 'float32');
    assert.ok(
      !('build_config' in layers[1]!) && !('module' in layers[1]!) && !('groups' in layers[1]!.config),
    );
    assert.equal(spec.training.optimizer, 'adam');
    assert.equal(spec.training.learningRate, 0.001);
    await checkEquivalent(spec, 'k3_sequential', t);
  });

  test('Functional: LeakyReLU negative_slope, BatchNormalization, silu, LecunNormal, L2, Add', async (t) => {
    const spec = await loadKerasV3(bytesOf('k3_functional.keras'), fixture('k3_functional.keras'));
    assert.equal(spec.topology.class_name, 'Model');
    const config = spec.topology.config as Record<string, unknown>;
    assert.deepEqual(config.input_layers, [['input_layer', 0, 0]]);
    const layers = config.layers as {
      class_name: string;
      config: Record<string, unknown>;
      inbound_nodes: unknown;
    }[];
    const byName = new Map(layers.map((l) => [l.config.name, l]));
    assert.equal(byName.get('leaky_re_lu')!.config.alpha, 0.2);
    assert.equal(byName.get('dense')!.config.activation, 'swish');
    assert.deepEqual(byName.get('dense')!.config.kernel_regularizer, {
      class_name: 'L1L2',
      config: { l1: 0, l2: 0.001 },
    });
    assert.equal(
      (byName.get('conv2d')!.config.kernel_initializer as { class_name: string }).class_name,
      'LeCunNormal',
    );
    assert.deepEqual(byName.get('add')!.inbound_nodes, [
      [
        ['dense_1', 0, 0, {}],
        ['dense', 0, 0, {}],
      ],
    ]);
    // TF.js orders layers by a walk from the outputs: dense_1 (first input of add) before dense.
    assert.deepEqual(
      spec.weights!.slice(4, 8).map((w) => w.name),
      ['dense_1/kernel', 'dense_1/bias', 'dense/kernel', 'dense/bias'],
    );
    await checkEquivalent(spec, 'k3_functional', t);
  });

  test('loadKerasFile picks the loader from the bytes', async () => {
    assert.equal(
      (await loadKerasFile(bytesOf('k3_sequential.keras'), fixture('k3_sequential.keras'))).origin,
      'keras-v3',
    );
    assert.equal(
      (await loadKerasFile(bytesOf('legacy_cnn.h5'), fixture('legacy_cnn.h5'))).origin,
      'keras-h5',
    );
  });
});

describe('unsupported and damaged files', { skip }, () => {
  const cases: [string, RegExp, (bytes: Uint8Array, file: string) => Promise<ModelSpec>][] = [
    ['truncated.keras', /archive is damaged/, loadKerasV3],
    ['garbage.h5', /damaged HDF5 file/, loadKerasH5],
    ['saved_model.pb', /SavedModel/, loadKerasFile],
    ['saved_model.pb', /SavedModel/, loadKerasH5],
    ['no_weights.keras', /no model\.weights\.h5/, loadKerasV3],
    ['weights_only.h5', /weights-only/, loadKerasH5],
    ['model.weights.h5', /weights-only/, loadKerasFile],
    ['lambda.keras', /'lambda' \(Lambda\) runs arbitrary Python code/, loadKerasV3],
    ['custom_layer.keras', /custom object \('Custom>MyDense'\)/, loadKerasV3],
    ['subclassed.keras', /subclassed Keras model \('MyModel'\)/, loadKerasV3],
    ['quantized.keras', /'dense' \(Dense\) is quantized/, loadKerasV3],
    ['lora.keras', /LoRA/, loadKerasV3],
    ['grouped_conv.keras', /grouped convolution \(groups=2\)/, loadKerasV3],
    ['legacy_cnn.h5', /not a \.keras zip/, loadKerasV3],
    ['k3_sequential.keras', /zip archive/, loadKerasH5],
  ];
  for (const [name, message, load] of cases) {
    test(`${name} via ${load.name}`, async () => {
      await assert.rejects(load(bytesOf(name), fixture(name)), (e: unknown) => {
        assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
        assert.match(e.message, message);
        assert.equal(e.file, fixture(name));
        assert.ok(e.hint && e.hint.length > 10, 'the error says what to do');
        return true;
      });
    });
  }
});
