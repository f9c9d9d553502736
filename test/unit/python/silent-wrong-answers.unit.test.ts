/**
 * The reading mistakes that used to pass silently (exit 0 with a model other than the file's): a
 * comment inside a layer list, `x += residual`, Keras layer aliases, a loop calling a helper that
 * adds layers, a layer that cannot be built. Each fixture asserts the layers, their lines and the
 * outcome (complete, or partial with what was left out).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kerasLayerAliases } from '../../../src/model/readers/python/keras-aliases';
import { isSupportedKerasLayer } from '../../../src/model/readers/python/keras-layer-config';
import { parsePythonModel } from '../../../src/model/readers/python/index';
import { isUserError } from '../../../src/errors';
import { assertLayers, issueAt, readFixture, textAt } from './python-fixtures';

test('comment lines inside nn.Sequential(...) no longer take the place of the layer after them', () => {
  const { spec, text } = readFixture('torch_comment_in_sequential.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', null, 6, 'nn.Conv2d(1, 16, 3, padding=1)'],
    ['activation', 'Activation', 'relu', 7, 'nn.ReLU()'],
    ['max_pooling2d', 'MaxPooling2D', null, 9, 'nn.MaxPool2d(2)'],
    ['flatten', 'Flatten', null, 10, 'nn.Flatten()'],
    ['dense', 'Dense', null, 12, 'nn.Linear(16 * 14 * 14, 10)'],
  ]);
  assert.equal(spec.omitted, undefined);
  assert.ok(!spec.issues.some((i) => i.severity !== 'info'), JSON.stringify(spec.issues));
});

test('comment lines inside a Keras layer list no longer take the place of the layer after them', () => {
  const { spec, text } = readFixture('keras_comment_in_list.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', 'relu', 9, 'layers.Conv2D(32, 3'],
    ['max_pooling2d', 'MaxPooling2D', null, 10, 'layers.MaxPooling2D()'],
    ['flatten', 'Flatten', null, 12, 'layers.Flatten()'],
    ['dense', 'Dense', 'softmax', 14, 'layers.Dense(10'],
  ]);
  assert.deepEqual(
    (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config.batch_input_shape,
    [null, 28, 28, 1],
  );
  assert.deepEqual(spec.issues, []);
});

test('Keras functional `x += residual` is an Add layer (it was "no model found")', () => {
  const { spec, text } = readFixture('keras_augmented_residual.py');
  const adds = spec.layers.filter((l) => l.className === 'Add');
  assert.deepEqual(
    adds.map((l) => [l.name, l.source?.line, textAt(text, l.source!, l.source!.end!)]),
    [
      ['add', 12, 'x += residual'],
      ['add_1', 12, 'x += residual'],
    ],
  );
  const json = spec.topology.config.layers as { name: string; inbound_nodes: unknown }[];
  assert.deepEqual(json.find((l) => l.name === 'add')!.inbound_nodes, [
    [
      ['conv2d_2', 0, 0, {}],
      ['conv2d', 0, 0, {}],
    ],
  ]);
  assert.deepEqual(json.find((l) => l.name === 'add_1')!.inbound_nodes, [
    [
      ['conv2d_4', 0, 0, {}],
      ['re_lu', 0, 0, {}],
    ],
  ]);
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.source?.line]),
    [
      ['input_1', 4],
      ['conv2d', 5],
      ['conv2d_1', 8],
      ['batch_normalization', 9],
      ['activation', 10],
      ['conv2d_2', 11],
      ['add', 12],
      ['re_lu', 13],
      ['conv2d_3', 8],
      ['batch_normalization_1', 9],
      ['activation_1', 10],
      ['conv2d_4', 11],
      ['add_1', 12],
      ['re_lu_1', 13],
      ['global_average_pooling2d', 14],
      ['dense', 15],
    ],
  );
  issueAt(spec, 6, 'unrolled 2 time(s)');
  assert.equal(spec.omitted, undefined);
});

test('PyTorch `out += x` is an Add, and the BatchNorm and ReLU after it stay in the block', () => {
  const { spec } = readFixture('torch_augmented_residual.py');
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.className, l.source?.line]),
    [
      ['input_1', 'InputLayer', 29],
      ['stem', 'Conv2D', 24],
      ['stem_relu', 'Activation', 30],
      ['block_conv1', 'Conv2D', 8],
      ['block_bn1', 'BatchNormalization', 9],
      ['block_bn1_relu', 'Activation', 14],
      ['block_conv2', 'Conv2D', 10],
      ['block_add', 'Add', 16],
      ['block_bn2', 'BatchNormalization', 11],
      ['block_bn2_relu', 'Activation', 18],
      ['pool', 'GlobalAveragePooling2D', 26],
      ['fc', 'Dense', 27],
    ],
  );
  const json = spec.topology.config.layers as { name: string; inbound_nodes: unknown }[];
  assert.deepEqual(json.find((l) => l.name === 'block_add')!.inbound_nodes, [
    [
      ['block_conv2', 0, 0, {}],
      ['stem_relu', 0, 0, {}],
    ],
  ]);
  assert.equal(spec.omitted, undefined);
});

test('Keras aliases (MaxPool2D, AvgPool2D, GlobalAvgPool2D, Convolution2D, MaxPool1D …) map to their layers', () => {
  const { spec, text } = readFixture('keras_layer_aliases.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', 'relu', 5, 'layers.Convolution2D(16, 3'],
    ['max_pooling2d', 'MaxPooling2D', null, 6, 'layers.MaxPool2D()'],
    ['conv2d_1', 'Conv2D', 'relu', 7, 'layers.Conv2D(32, 3'],
    ['average_pooling2d', 'AveragePooling2D', null, 8, 'layers.AvgPool2D(2)'],
    ['global_average_pooling2d', 'GlobalAveragePooling2D', null, 9, 'layers.GlobalAvgPool2D()'],
    ['dense', 'Dense', 'softmax', 10, 'layers.Dense(10'],
  ]);
  assert.equal(spec.omitted, undefined);
  const file = readFixture('keras_layer_aliases.py');
  const branch = parsePythonModel(file.text, 'keras_layer_aliases.py', { model: 'branch' });
  assert.deepEqual(
    branch.layers.map((l) => l.className),
    ['Conv1D', 'MaxPooling1D', 'AveragePooling1D', 'GlobalMaxPooling1D', 'Dense'],
  );
  const pooled = parsePythonModel(file.text, 'keras_layer_aliases.py', { model: 'pooled' });
  assert.deepEqual(
    pooled.layers.map((l) => l.className),
    ['GlobalMaxPooling2D', 'Dense'],
  );
});

test('every Keras alias names a class the reader builds, or one it refuses by name', () => {
  const refused = new Set([
    'GlobalAveragePooling3D',
    'GlobalMaxPooling3D',
    'Conv1DTranspose',
    'SeparableConv1D',
  ]);
  for (const [alias, cls] of Object.entries(kerasLayerAliases))
    assert.equal(isSupportedKerasLayer(cls), !refused.has(cls), `${alias} → ${cls}`);
  // A refused alias is left out on its line (partial), never dropped silently.
  const spec = parsePythonModel(
    'import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input(shape=(8, 8, 8, 1)), layers.Conv3D(4, 3), layers.GlobalAvgPool3D(), layers.Dense(2)])\n',
    'a.py',
  );
  assert.deepEqual(
    spec.omitted?.map((o) => [o.what, o.line]),
    [['the layer GlobalAveragePooling3D', 3]],
  );
  issueAt(spec, 3, 'keras.layers.GlobalAveragePooling3D is not supported');
});

test("a for loop calling a helper that does model.add(...) builds the helper's layers", () => {
  const { spec, text } = readFixture('keras_loop_helper_add.py');
  assertLayers(spec, text, [
    ['conv2d', 'Conv2D', 'relu', 11, 'Conv2D(16'],
    ['conv2d_1', 'Conv2D', 'relu', 6, 'Conv2D(filters'],
    ['max_pooling2d', 'MaxPooling2D', null, 7, 'MaxPooling2D((2, 2))'],
    ['conv2d_2', 'Conv2D', 'relu', 6, 'Conv2D(filters'],
    ['max_pooling2d_1', 'MaxPooling2D', null, 7, 'MaxPooling2D((2, 2))'],
    ['flatten', 'Flatten', null, 14, 'Flatten()'],
    ['dense', 'Dense', 'softmax', 15, 'Dense(10'],
  ]);
  const filters = (spec.topology.config.layers as { config: Record<string, unknown> }[]).map(
    (l) => l.config.filters,
  );
  assert.deepEqual(filters.slice(0, 4), [16, 32, undefined, 64]);
  assert.deepEqual(spec.layers[1]!.sourceInstances, { index: 1, count: 2 });
  issueAt(spec, 12, 'unrolled 2 time(s)');
});

test('a layer that cannot be built is never a quiet success: the model is partial, each part on its line', () => {
  const keras = parsePythonModel(
    [
      'import tensorflow as tf',
      'from tensorflow.keras import layers',
      'inputs = tf.keras.Input(shape=(32,))',
      'x = layers.Dense(16, activation="relu")(inputs)',
      'x = layers.Lambda(lambda t: t * 2)(x)',
      'x = tf.math.l2_normalize(x, axis=1)',
      'outputs = layers.Dense(2)(x)',
      'model = tf.keras.Model(inputs, outputs)',
    ].join('\n'),
    'partial.py',
  );
  assert.deepEqual(
    keras.layers.map((l) => l.name),
    ['input_1', 'dense', 'dense_1'],
  );
  assert.deepEqual(
    keras.omitted?.map((o) => [o.what, o.line]),
    [
      ['keras.layers.Lambda', 5],
      ['tensorflow.math.l2_normalize(...)', 6],
    ],
  );
  const torch = parsePythonModel(
    [
      'import torch',
      'import torch.nn as nn',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(8, 8)',
      '        self.norm = nn.GroupNorm(2, 8)',
      '        self.out = nn.Linear(8, 2)',
      '    def forward(self, x):',
      '        x = self.norm(self.fc(x))',
      '        x = torch.clamp(x, 0, 1)',
      '        return self.out(x)',
      'net = Net()',
    ].join('\n'),
    'partial_torch.py',
  );
  assert.deepEqual(
    torch.layers.map((l) => l.name),
    ['fc', 'out'],
  );
  assert.deepEqual(
    torch.omitted?.map((o) => [o.what, o.line]),
    [
      ['nn.GroupNorm', 7],
      ['torch.clamp(...)', 11],
    ],
  );
  issueAt(torch, 7, 'nn.GroupNorm is not supported');
});

test('a Keras layer that does not fit what reaches it is refused at build time on its own line', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const { buildModel } = await import('../../../src/model/build/build');
  const spec = parsePythonModel(
    'from keras.models import Sequential\nfrom keras.layers import Dense, Conv2D\nm = Sequential()\nm.add(Dense(4, input_shape=(8,)))\nm.add(Conv2D(4, 3))\n',
    'k.py',
  );
  await assert.rejects(
    () => buildModel(tf, spec, 1),
    (e: unknown) =>
      isUserError(e) &&
      e.file === 'k.py' &&
      e.line === 5 &&
      /^layer conv2d \(Conv2D\) cannot be built: Input 0 is incompatible/.test(e.message),
  );
});

test('a PyTorch layer applied to a tensor of the wrong rank is refused on its line, naming where the tensor comes from', () => {
  const text = [
    'import torch.nn as nn',
    'class Net(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.fc = nn.Linear(784, 64)',
    '        self.conv = nn.Conv2d(1, 8, 3)',
    '    def forward(self, x):',
    '        return self.conv(self.fc(x))',
    'net = Net()',
  ].join('\n');
  assert.throws(
    () => parsePythonModel(text, 'rank.py'),
    (e: unknown) =>
      isUserError(e) &&
      e.line === 6 &&
      /nn\.Conv2d cannot be applied here: it needs a 4-D input \(batch included\) but gets per-sample shape \(64\) \(the tensor comes from line 8\)/.test(
        e.message,
      ),
  );
  // A kernel larger than its input.
  assert.throws(
    () =>
      parsePythonModel(text.replace('nn.Linear(784, 64)', 'nn.Identity()'), 'small.py', {
        inputShape: [2, 2, 1],
      }),
    (e: unknown) => isUserError(e) && e.line === 6 && /input \(2×2×1\) is too small/.test(e.message),
  );
});

test('Keras tensor arithmetic: a − b, −x and x / 255 are layers (Add, Rescaling), computing what the file says', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const { buildModel } = await import('../../../src/model/build/build');
  const spec = parsePythonModel(
    [
      'import keras',
      'from keras import layers',
      'inp = keras.Input(shape=(3,))',
      'a = inp / 255.0',
      'b = layers.Dense(3, use_bias=False)(inp)',
      'out = -(a - b)',
      'model = keras.Model(inp, out)',
    ].join('\n'),
    'arith.py',
  );
  assert.deepEqual(
    spec.layers.map((l) => [l.className, l.source?.line]),
    [
      ['InputLayer', 3],
      ['Rescaling', 4],
      ['Dense', 5],
      ['Rescaling', 6],
      ['Add', 6],
      ['Rescaling', 6],
    ],
  );
  const model = await buildModel(tf, spec, 1);
  try {
    const x = tf.tensor2d([[255, 510, -255]]);
    const dense = model.getLayer('dense').apply(x) as import('@tensorflow/tfjs').Tensor;
    const expected = dense.sub(x.div(255));
    const got = model.predict(x) as import('@tensorflow/tfjs').Tensor;
    assert.ok(got.sub(expected).abs().max().dataSync()[0]! < 1e-5);
    tf.dispose([x, dense, expected, got]);
  } finally {
    model.dispose();
  }
});
