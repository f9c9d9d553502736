/**
 * Files with several models: one is analyzed, chosen the same way every time and said so; the
 * others are listed (name, line, column) and `options.model` (`--model NAME`) picks any of them by
 * the name the person sees: a variable, a class, a function, or Keras' `name=`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUserError } from '../../../src/errors';
import { parsePythonModel } from '../../../src/model/readers/python/index';
import { fixtureText, issueAt, readFixture } from './python-fixtures';

test('a Keras GAN: the largest model the script trains is analyzed; generator and discriminator are alternatives', () => {
  const { spec } = readFixture('keras_gan_two_models.py');
  assert.equal(spec.name, 'combined');
  assert.deepEqual(spec.alternatives, [
    { name: 'generator', line: 8, column: 13 },
    { name: 'discriminator', line: 17, column: 13 },
  ]);
  // The combined model calls both models on tensors: their layers, applied again.
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.source?.line]),
    [
      ['input_1', 29],
      ['dense', 9],
      ['leaky_re_lu', 10],
      ['dense_1', 11],
      ['reshape', 12],
      ['flatten', 18],
      ['dense_2', 19],
      ['leaky_re_lu_1', 20],
      ['dense_3', 21],
    ],
  );
  issueAt(
    spec,
    31,
    'analyzing combined (line 31), the largest the script trains; the others: generator (line 8), discriminator (line 17) — choose one with --model NAME',
  );
});

test('--model picks by Keras name=, by the variable, or by the function that builds it', () => {
  const text = fixtureText('keras_gan_two_models.py');
  for (const name of ['discriminator', 'build_discriminator']) {
    const spec = parsePythonModel(text, 'gan.py', { model: name });
    assert.equal(spec.name, 'discriminator');
    assert.deepEqual(
      spec.layers.map((l) => l.name),
      ['flatten', 'dense_2', 'leaky_re_lu_1', 'dense_3'],
    );
    assert.deepEqual(spec.training, { loss: 'binary_crossentropy', optimizer: 'adam', learningRate: 2e-4 });
    assert.deepEqual(
      spec.alternatives?.map((a) => a.name),
      ['generator', 'combined'],
    );
  }
  const generator = parsePythonModel(text, 'gan.py', { model: 'generator' });
  assert.deepEqual(
    (generator.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config.batch_input_shape,
    [null, 100],
  );
});

test('an unknown --model name is a UserError listing the models the file defines', () => {
  assert.throws(
    () => parsePythonModel(fixtureText('keras_gan_two_models.py'), 'gan.py', { model: 'critic' }),
    (e: unknown) =>
      isUserError(e) &&
      e.message === "no model named 'critic' in this file" &&
      e.hint === 'choose one of: generator (line 8), discriminator (line 17), combined (line 31)',
  );
});

test('a siamese file: the two-input model is listed but not taken by default; naming it explains why it cannot run', () => {
  const { spec } = readFixture('torch_siamese.py');
  assert.equal(spec.name, 'Backbone');
  assert.deepEqual(spec.alternatives, [
    { name: 'Head', line: 17, column: 1 },
    { name: 'Siamese', line: 26, column: 1 },
  ]);
  issueAt(spec, 6, 'Siamese takes 2 inputs');
  const head = parsePythonModel(fixtureText('torch_siamese.py'), 'siamese.py', { model: 'head' });
  assert.deepEqual(
    head.layers.map((l) => [l.name, l.className]),
    [
      ['fc', 'Dense'],
      ['fc_sigmoid', 'Activation'],
    ],
  );
  assert.throws(
    () => parsePythonModel(fixtureText('torch_siamese.py'), 'siamese.py', { model: 'Siamese' }),
    (e: unknown) => isUserError(e) && e.line === 32 && /takes 2 inputs \(a, b\)/.test(e.message),
  );
});

test('a file with one model lists no alternatives and says nothing about choosing', () => {
  const { spec } = readFixture('torch_mnist_example.py');
  assert.equal(spec.alternatives, undefined);
  assert.ok(!spec.issues.some((i) => i.message.includes('--model')));
  // Naming the only model is fine; naming another is not.
  assert.equal(parsePythonModel(fixtureText('torch_mnist_example.py'), 'm.py', { model: 'Net' }).name, 'Net');
  assert.throws(
    () => parsePythonModel(fixtureText('torch_mnist_example.py'), 'm.py', { model: 'Other' }),
    (e: unknown) => isUserError(e) && /choose one of: Net \(line \d+\)/.test(e.hint ?? ''),
  );
});

test('sub-module classes defined after their user: the outer class is analyzed, not the last class', () => {
  const { spec } = readFixture('torch_submodule_after.py');
  assert.equal(spec.name, 'Classifier');
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.className, l.source?.line]),
    [
      ['features_0_conv', 'Conv2D', 19],
      ['features_0_act', 'Activation', 20],
      ['features_0_pool', 'MaxPooling2D', 21],
      ['features_1_conv', 'Conv2D', 19],
      ['features_1_act', 'Activation', 20],
      ['features_1_pool', 'MaxPooling2D', 21],
      ['head_flatten', 'Flatten', 30],
      ['head_fc', 'Dense', 31],
    ],
  );
  assert.equal(spec.alternatives, undefined);
  issueAt(spec, 4, 'Classifier is never instantiated');
  // 32 × 7 × 7 declared by the head agrees with the assumed 28×28×1 input.
  assert.ok(!spec.issues.some((i) => i.severity !== 'info'), JSON.stringify(spec.issues));
});

test('a Keras model that cannot be read is never silently replaced by another model of the file', () => {
  const text = [
    'import keras',
    'from keras import layers',
    'encoder = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4)])',
    'inp = keras.Input(shape=(8,))',
    'x = make_features(inp)',
    'out = layers.Dense(2)(x)',
    'model = keras.Model(inp, out)',
  ].join('\n');
  const spec = parsePythonModel(text, 'two.py');
  assert.equal(spec.name, 'encoder');
  assert.deepEqual(
    spec.omitted?.map((o) => [o.what, o.line]),
    [['the model built here', 7]],
  );
  issueAt(spec, 7, 'encoder is analyzed instead');
  // Alone in its file, the same model is a refusal on its line.
  assert.throws(
    () => parsePythonModel(text.replace(/^encoder = .*$/m, ''), 'one.py'),
    (e: unknown) => isUserError(e) && e.line === 7 && /the model built here cannot be read/.test(e.message),
  );
});
