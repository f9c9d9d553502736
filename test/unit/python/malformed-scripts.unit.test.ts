import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUserError } from '../../../src/errors';
import { parsePythonModel } from '../../../src/model/readers/python/index';
import { assertLayers, fixtureText, issueAt, readFixture, textAt } from './python-fixtures';

test('an unclosed bracket: the error is placed on its line and the swallowed lines are still read', () => {
  const { spec, text } = readFixture('malformed_syntax_error.py');
  assertLayers(spec, text, [
    ['flatten', 'Flatten', null, 5, 'Flatten(input_shape=(28, 28))'],
    ['dense', 'Dense', 'relu', 6, "Dense(128, activation='relu')"],
    ['dense_1', 'Dense', 'relu', 7, "Dense(64, activation='relu')"],
    ['dense_2', 'Dense', 'softmax', 8, "Dense(10, activation='softmax')"],
  ]);
  const error = spec.issues.find((i) => i.severity === 'error');
  assert.ok(error);
  assert.equal(error.line, 6);
  assert.match(error.message, /syntax error on line 6/);
  issueAt(spec, 9, 'syntax error on line 9');
});

test('custom layer class, Lambda and an unknown layer class each become an error issue on their line', () => {
  const { spec, text } = readFixture('malformed_custom_layers.py');
  assertLayers(spec, text, [
    ['dense', 'Dense', null, 17, 'layers.Dense(256)'],
    ['dense_1', 'Dense', 'relu', 20, 'layers.Dense(256, activation="relu")'],
    ['dense_2', 'Dense', null, 22, 'layers.Dense(10)'],
  ]);
  issueAt(spec, 18, 'custom layer class Antirectifier');
  issueAt(spec, 19, 'Lambda');
  issueAt(spec, 21, 'keras.layers.SomethingNew is not supported');
  assert.deepEqual(
    spec.issues.map((i) => [i.line, i.severity]),
    [
      [18, 'error'],
      [19, 'error'],
      [21, 'error'],
    ],
  );
  // Left out, so the analysis is partial (exit 3), never a quiet success.
  assert.deepEqual(
    spec.omitted?.map((o) => [o.what, o.line, o.column]),
    [
      ['the layer Antirectifier', 18, 9],
      ['keras.layers.Lambda', 19, 9],
      ['the layer SomethingNew', 21, 9],
    ],
  );
});

test('a loop whose length is only known at run time is reported, the rest of the model is read', () => {
  const { spec, text } = readFixture('malformed_dynamic_loop.py');
  assertLayers(spec, text, [
    ['dense', 'Dense', 'relu', 7, "Dense(64, activation='relu', input_shape=(784,))"],
    ['dense_1', 'Dense', 'softmax', 10, "Dense(10, activation='softmax')"],
  ]);
  issueAt(spec, 8, 'cannot be unrolled');
  assert.equal(spec.issues[0]!.severity, 'warning');
  assert.deepEqual(
    spec.omitted?.map((o) => [o.what, o.line]),
    [['the layers this loop builds', 8]],
  );
});

test('a file cut off inside nn.Sequential(: the complete layers are read, the cut one is reported', () => {
  const { spec, text } = readFixture('malformed_truncated.py');
  assertLayers(spec, text, [
    ['dense', 'Dense', null, 4, 'nn.Linear(784, 128)'],
    ['activation', 'Activation', 'relu', 5, 'nn.ReLU()'],
  ]);
  issueAt(spec, 6, "no readable 'out_features'");
  issueAt(spec, 3, 'syntax error');
  assert.deepEqual(
    spec.omitted?.map((o) => [o.what, o.line]),
    [['nn.Linear', 6]],
  );
});

test('nn.ModuleList built by a comprehension over zip(sizes, sizes[1:]) and iterated in forward is unrolled', () => {
  const { spec, text } = readFixture('torch_modulelist_loop.py');
  assertLayers(spec, text, [
    ['inp', 'Dense', null, 8, 'nn.Linear(784, sizes[0])'],
    ['inp_relu', 'Activation', 'relu', 13, 'torch.relu(self.inp(x))'],
    ['hidden_0', 'Dense', null, 9, 'nn.Linear(a, b)'],
    ['hidden_0_relu', 'Activation', 'relu', 15, 'torch.relu(layer(x))'],
    ['out', 'Dense', null, 10, 'nn.Linear(sizes[-1], 10)'],
  ]);
  issueAt(spec, 14, 'unrolled 1 time(s)');
  assert.equal(spec.omitted, undefined);
  assert.ok(!spec.issues.some((i) => i.severity !== 'info'), JSON.stringify(spec.issues));
});

test('a skip connection (out + identity) in forward is an Add layer: the model is a graph, not a chain', () => {
  const { spec, text } = readFixture('torch_branching.py');
  assert.equal(spec.topology.class_name, 'Model');
  const [input, ...rest] = spec.layers;
  assert.deepEqual([input!.name, input!.className, input!.source?.line], ['input_1', 'InputLayer', 14]);
  const add = rest.find((l) => l.name === 'add')!;
  assert.equal(textAt(text, add.source!, add.source!.end!), 'out + identity');
  assertLayers({ ...spec, layers: rest.filter((l) => l !== add) }, text, [
    ['conv_in', 'Conv2D', null, 8, 'nn.Conv2d(1, 16, 3, padding=1)'],
    ['conv_in_relu', 'Activation', 'relu', 15, 'F.relu(self.conv_in(x))'],
    ['conv_a', 'Conv2D', null, 9, 'nn.Conv2d(16, 16'],
    ['conv_a_relu', 'Activation', 'relu', 17, 'F.relu(self.conv_a(x))'],
    ['conv_b', 'Conv2D', null, 10, 'nn.Conv2d(16, 16'],
    ['add_relu', 'Activation', 'relu', 19, 'F.relu(out + identity)'],
    ['pool', 'GlobalAveragePooling2D', null, 11, 'nn.AdaptiveAvgPool2d(1)'],
    ['head', 'Dense', null, 12, 'nn.Linear(16, 10)'],
  ]);
  const addJson = (spec.topology.config.layers as { name: string; inbound_nodes: unknown }[]).find(
    (l) => l.name === 'add',
  )!;
  assert.deepEqual(addJson.inbound_nodes, [
    [
      ['conv_b', 0, 0, {}],
      ['conv_in_relu', 0, 0, {}],
    ],
  ]);
  assert.equal(spec.omitted, undefined);
  issueAt(spec, 8, 'assuming 28×28×1');
});

test('a subclassed keras.Model is a UserError naming the class line and what to do', () => {
  assert.throws(
    () => parsePythonModel(fixtureText('keras_subclassed_model.py'), 'keras_subclassed_model.py'),
    (e: unknown) =>
      isUserError(e) &&
      e.file === 'keras_subclassed_model.py' &&
      e.line === 5 &&
      /subclassed keras\.Model/.test(e.message) &&
      e.hint !== null,
  );
});

test('no model at all is a UserError with file and line', () => {
  assert.throws(
    () => parsePythonModel(fixtureText('not_a_model.py'), 'not_a_model.py'),
    (e: unknown) =>
      isUserError(e) &&
      e.file === 'not_a_model.py' &&
      e.line === 1 &&
      /no Keras or PyTorch model/.test(e.message),
  );
});

test('garbage and half-typed input never crash: either a model with issues or a UserError', () => {
  const samples = [
    '',
    'import torch.nn as nn\nclass Net(nn.Module):\n    def forward(self, x):\n        return self.fc(x)\n',
    'from keras.layers import Dense\nmodel = Sequential(\n',
    'import keras\nmodel = keras.Sequential([keras.layers.Dense(\n',
    'def f(:\n  pass\n)))]]}}',
    'import tensorflow as tf\nm = tf.keras.Sequential()\nm.add(tf.keras.layers.Dense(units=n))\nm.add(tf.keras.layers.Dense(4, input_shape=(3,)))\n',
    'import torch\nx = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Conv2d(2, 2, 3))\n',
  ];
  for (const source of samples) {
    try {
      const spec = parsePythonModel(source, 'sample.py');
      assert.ok(spec.layers.length > 0);
    } catch (e) {
      assert.ok(isUserError(e), `not a UserError for ${JSON.stringify(source)}: ${String(e)}`);
    }
  }
});

test('an unreadable required argument leaves the layer out with an error on its line', () => {
  const spec = parsePythonModel(
    'import tensorflow as tf\nm = tf.keras.Sequential()\nm.add(tf.keras.layers.Dense(units=n, input_shape=(3,)))\nm.add(tf.keras.layers.Dense(4))\n',
    'sample.py',
  );
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.source?.line]),
    [['dense_1', 4]],
  );
  issueAt(spec, 3, "'units'");
});

test('an activation held in a variable: the quick-fix range is the string literal where it is defined', () => {
  const text =
    "from keras.layers import Dense\nfrom keras.models import Sequential\nact = 'relu'\nm = Sequential([Dense(8, activation=act, input_shape=(4,))])\n";
  const spec = parsePythonModel(text, 'v.py');
  assert.equal(spec.layers[0]!.activation, 'relu');
  assert.deepEqual(spec.layers[0]!.source!.activationRange, {
    start: { line: 3, column: 7 },
    end: { line: 3, column: 13 },
  });
});

test("hard_sigmoid in a source is not TF.js's: Keras 3 computes relu6(x + 3) / 6, so the layer is flagged, never built as TF.js's", () => {
  for (const text of [
    "import keras\nm = keras.Sequential([keras.layers.Dense(8, activation='hard_sigmoid', input_shape=(4,))])\n",
    'import keras\ni = keras.Input((4,))\nx = keras.layers.Dense(8)(i)\nx = keras.activations.hard_sigmoid(x)\nm = keras.Model(i, x)\n',
  ]) {
    const spec = parsePythonModel(text, 'h.py');
    const configs = (spec.topology.config.layers as { config: { activation?: unknown } }[]).map(
      (l) => l.config.activation,
    );
    assert.ok(!configs.includes('hard_sigmoid'), JSON.stringify(configs));
    assert.ok((spec.omitted?.length ?? 0) > 0, `not partial: ${JSON.stringify(spec.issues)}`);
  }
});

test('a layer built otherwise than written (a default for an unreadable value, a GRU variant) makes the model partial', () => {
  for (const [line, text] of [
    [
      3,
      "import keras\nm = keras.Sequential([\n  keras.layers.Dense(8, activation='crelu', input_shape=(4,)),\n])\n",
    ],
    [
      3,
      'import keras\nm = keras.Sequential([\n  keras.layers.Dense(8, kernel_initializer=make_init(), input_shape=(4,)),\n])\n',
    ],
    [3, 'import keras\nm = keras.Sequential([\n  keras.layers.GRU(8, input_shape=(5, 4)),\n])\n'],
  ] as const) {
    const spec = parsePythonModel(text, 'p.py');
    assert.equal(spec.layers.length, 1, text);
    assert.deepEqual(
      spec.omitted?.map((o) => o.line),
      [line],
      `${text}: ${JSON.stringify(spec.issues)}`,
    );
  }
});
