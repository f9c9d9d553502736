// Each real-world-shaped TF.js fixture parses to the exact layers, default names and lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTfjsSource } from '../../../src/model/readers/tfjs-source/index';
import type { ModelSpec } from '../../../src/model/spec';
import { fixture } from './fixture-path';

function parse(name: string): ModelSpec {
  const { text, file } = fixture(name);
  return parseTfjsSource(text, file);
}

/** name, className, activation, line — the four facts a lens needs. */
function summary(spec: ModelSpec): [string, string, string | null, number][] {
  return spec.layers.map((l) => [l.name, l.className, l.activation, l.source?.line ?? -1]);
}

test('tf.sequential({layers: [...]}) with namespace import', () => {
  const spec = parse('sequential-layers-array.ts');
  assert.equal(spec.origin, 'tfjs-ts');
  assert.deepEqual(summary(spec), [
    ['conv2d', 'Conv2D', 'relu', 6],
    ['max_pooling2d', 'MaxPooling2D', null, 7],
    ['flatten', 'Flatten', null, 8],
    ['dense', 'Dense', 'softmax', 9],
  ]);
  assert.deepEqual(spec.issues, []);
  assert.deepEqual(spec.training, { optimizer: 'adam', loss: 'categorical_crossentropy' });
  const conv = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.deepEqual(conv[0]!.config, {
    name: 'conv2d',
    trainable: true,
    batch_input_shape: [null, 28, 28, 1],
    filters: 32,
    kernel_size: [3, 3],
    activation: 'relu',
  });
  assert.deepEqual(conv[1]!.config, { name: 'max_pooling2d', trainable: true, pool_size: [2, 2] });
});

test('require(@tensorflow/tfjs-node) + model.add, compile and fit read into training', () => {
  const spec = parse('mnist-dense-node.js');
  assert.deepEqual(summary(spec), [
    ['dense', 'Dense', 'relu', 5],
    ['dropout', 'Dropout', null, 6],
    ['dense_1', 'Dense', 'relu', 7],
    ['dense_2', 'Dense', 'softmax', 8],
  ]);
  assert.deepEqual(spec.training, {
    optimizer: 'adam',
    learningRate: 0.001,
    loss: 'categorical_crossentropy',
    batchSize: 128,
    epochs: 5,
    validationSplit: 0.2,
  });
  const first = spec.layers[0]!.source!;
  assert.deepEqual([first.line, first.column, first.end], [5, 11, { line: 5, column: 79 }]);
  // `'relu'` including its quotes: columns 52..58 (exclusive) on line 5.
  assert.deepEqual(first.activationRange, { start: { line: 5, column: 52 }, end: { line: 5, column: 58 } });
  assert.equal(first.initializerRange, null);
  assert.equal(spec.layers[0]!.kernelInitializer, 'glorot_normal');
});

test('the activation range covers exactly the string literal', () => {
  const { text, file } = fixture('mnist-dense-node.js');
  const spec = parseTfjsSource(text, file);
  for (const layer of spec.layers) {
    const r = layer.source?.activationRange;
    if (!r) continue;
    const line = text.split('\n')[r.start.line - 1]!;
    assert.equal(r.start.line, r.end.line);
    assert.equal(line.slice(r.start.column - 1, r.end.column - 1), `'${layer.activation}'`);
  }
});

test('tfjs-examples mnist shape: constants inside the builder, multi-line call, MnistData hint', () => {
  const spec = parse('tfjs-examples-mnist.js');
  assert.deepEqual(summary(spec), [
    ['conv2d', 'Conv2D', 'relu', 9],
    ['max_pooling2d', 'MaxPooling2D', null, 15],
    ['conv2d_1', 'Conv2D', 'relu', 16],
    ['max_pooling2d_1', 'MaxPooling2D', null, 17],
    ['conv2d_2', 'Conv2D', 'relu', 18],
    ['flatten', 'Flatten', null, 19],
    ['dense', 'Dense', 'relu', 20],
    ['dense_1', 'Dense', 'softmax', 21],
  ]);
  assert.deepEqual(spec.layers[0]!.source!.end, { line: 14, column: 5 });
  assert.deepEqual(spec.layers[0]!.source!.activationRange, {
    start: { line: 13, column: 17 },
    end: { line: 13, column: 23 },
  });
  const first = (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config;
  assert.deepEqual(first.batch_input_shape, [null, 28, 28, 1]);
  assert.deepEqual(spec.training, {
    optimizer: 'rmsprop',
    loss: 'categorical_crossentropy',
    batchSize: 320,
    validationSplit: 0.15,
    epochs: 3,
    dataset: 'mnist',
  });
  assert.deepEqual(spec.issues, []);
});

test('named imports, separate rectifier layers and initializers', () => {
  const spec = parse('named-imports-activations.ts');
  assert.equal(spec.name, 'rectifiers');
  assert.deepEqual(summary(spec), [
    ['dense', 'Dense', null, 8],
    ['batch_normalization', 'BatchNormalization', null, 9],
    ['re_lu', 'ReLU', 'relu', 10],
    ['dense_1', 'Dense', null, 11],
    ['elu', 'ELU', 'elu', 12],
    ['dense_2', 'Dense', null, 13],
    ['leaky_re_lu', 'LeakyReLU', 'leaky_relu', 14],
    ['dense_3', 'Dense', null, 15],
    ['p_re_lu', 'PReLU', 'prelu', 16],
    ['dense_4', 'Dense', 'softmax', 17],
  ]);
  assert.deepEqual(
    spec.layers.map((l) => l.kernelInitializer),
    [
      'he_normal',
      undefined,
      undefined,
      'he_uniform',
      undefined,
      'glorot_normal',
      undefined,
      'glorot_normal',
      undefined,
      'glorot_normal',
    ],
  );
  // A separate activation layer: the whole `layers.reLU()` call is what a quick fix rewrites.
  assert.deepEqual(spec.layers[2]!.source!.activationRange, {
    start: { line: 10, column: 11 },
    end: { line: 10, column: 24 },
  });
  // The initializer range is the value expression `initializers.heNormal({ seed: 1 })`.
  assert.deepEqual(spec.layers[0]!.source!.initializerRange, {
    start: { line: 8, column: 79 },
    end: { line: 8, column: 113 },
  });
  const json = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.deepEqual(json[0]!.config.kernel_initializer, { class_name: 'HeNormal', config: { seed: 1 } });
  assert.equal(json[3]!.config.units, 128);
  assert.deepEqual(spec.training, {
    optimizer: 'sgd',
    learningRate: 0.05,
    loss: 'sparse_categorical_crossentropy',
  });
  // TF.js' ELU layer throws for alpha ≠ 1: said at the line, and the analyzed model uses alpha 1.
  assert.deepEqual(
    spec.issues.map((i) => [i.line, i.severity]),
    [[12, 'error']],
  );
  assert.match(spec.issues[0]!.message, /supports only alpha 1/);
  assert.equal(json[4]!.config.alpha, undefined);
});

test('MachineCurve CNN: folded constants, He init, fit options from constants', () => {
  const spec = parse('machinecurve-cnn.ts');
  assert.deepEqual(summary(spec), [
    ['conv2d', 'Conv2D', 'relu', 14],
    ['conv2d_1', 'Conv2D', 'relu', 22],
    ['max_pooling2d', 'MaxPooling2D', null, 23],
    ['dropout', 'Dropout', null, 24],
    ['flatten', 'Flatten', null, 25],
    ['dense', 'Dense', 'relu', 26],
    ['dense_1', 'Dense', 'softmax', 27],
  ]);
  assert.deepEqual(
    spec.layers.map((l) => l.kernelInitializer ?? null),
    ['he_normal', 'he_normal', null, null, null, 'he_normal', 'glorot_normal'],
  );
  assert.deepEqual(spec.layers[0]!.source!.activationRange, {
    start: { line: 17, column: 17 },
    end: { line: 17, column: 23 },
  });
  assert.deepEqual(spec.layers[0]!.source!.initializerRange, {
    start: { line: 19, column: 24 },
    end: { line: 19, column: 34 },
  });
  assert.deepEqual(spec.training, {
    optimizer: 'adam',
    loss: 'categorical_crossentropy',
    batchSize: 250,
    epochs: 25,
    validationSplit: 0.2,
  });
  const json = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.equal(json[6]!.config.units, 10);
  assert.equal(json[3]!.config.rate, 0.25);
});

test('a layer list held in a const; reshape, average and global average pooling', () => {
  const spec = parse('reshape-average-pooling.ts');
  assert.deepEqual(summary(spec), [
    ['reshape', 'Reshape', null, 5],
    ['conv2d', 'Conv2D', 'elu', 6],
    ['average_pooling2d', 'AveragePooling2D', null, 7],
    ['conv2d_1', 'Conv2D', 'relu', 8],
    ['global_average_pooling2d', 'GlobalAveragePooling2D', null, 9],
    ['dense', 'Dense', 'softmax', 10],
  ]);
  const json = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.deepEqual(json[0]!.config, {
    name: 'reshape',
    trainable: true,
    target_shape: [28, 28, 1],
    batch_input_shape: [null, 784],
  });
  assert.deepEqual(json[1]!.config.strides, [1, 1]);
  assert.equal(json[1]!.config.padding, 'same');
});

test('conv1d, an Activation layer and a layer bound to a const', () => {
  const spec = parse('conv1d-activation-layer.js');
  assert.deepEqual(summary(spec), [
    ['conv1d', 'Conv1D', null, 8],
    ['activation', 'Activation', 'relu', 9],
    ['max_pooling1d', 'MaxPooling1D', null, 10],
    ['flatten', 'Flatten', null, 11],
    // `const hidden = tf.layers.dense(...)` on line 5, added on line 12: the definition is the line.
    ['dense', 'Dense', null, 5],
    ['dense_1', 'Dense', 'softmax', 13],
  ]);
  assert.deepEqual(spec.layers[1]!.source!.activationRange, {
    start: { line: 9, column: 45 },
    end: { line: 9, column: 51 },
  });
});

test('browser global tf, a model kept on this, a conditional layer', () => {
  const spec = parse('browser-global-class.js');
  assert.deepEqual(summary(spec), [
    ['flatten', 'Flatten', null, 5],
    ['dense', 'Dense', 'relu', 6],
    ['dense_1', 'Dense', 'relu', 8],
    ['dense_2', 'Dense', 'softmax', 10],
  ]);
  assert.deepEqual(
    spec.issues.map((i) => [i.line, i.severity]),
    [[8, 'warning']],
  );
  assert.match(spec.issues[0]!.message, /conditionally/);
});

test('custom layers, loops, spreads and non-constant args become issues with lines', () => {
  const spec = parse('unsupported-constructs.ts');
  assert.deepEqual(summary(spec), [
    ['dense', 'Dense', 'relu', 12],
    ['dense_1', 'Dense', null, 18],
    ['dense_2', 'Dense', 'softmax', 19],
  ]);
  assert.deepEqual(
    spec.issues.map((i) => [i.line, i.severity]),
    [
      [13, 'error'],
      [15, 'error'],
      [17, 'error'],
      [18, 'warning'],
      [20, 'info'],
      [20, 'error'],
    ],
  );
  assert.match(spec.issues[0]!.message, /new Scale\(\{\}\).*custom layer/);
  assert.match(spec.issues[1]!.message, /loop/);
  assert.match(spec.issues[2]!.message, /units: `width` is not a constant/);
  assert.match(spec.issues[3]!.message, /activation: `pick\(\)`/);
  assert.match(spec.issues[5]!.message, /spread/);
  for (const i of spec.issues) assert.equal(i.file, fixture('unsupported-constructs.ts').file);
});

test('syntax errors become issues, and what parses is still read', () => {
  const spec = parse('syntax-error.js');
  assert.deepEqual(summary(spec), [
    ['dense', 'Dense', 'relu', 4],
    ['dense_1', 'Dense', 'softmax', 5],
  ]);
  assert.deepEqual(
    spec.issues.map((i) => [i.line, i.severity]),
    [
      [5, 'error'],
      [7, 'error'],
    ],
  );
  assert.match(spec.issues[0]!.message, /syntax error: '\)' expected/);
});

test('no model and functional models are UserErrors naming file and line', () => {
  const none = fixture('no-model.ts');
  assert.throws(
    () => parseTfjsSource(none.text, none.file),
    (e: unknown) => {
      const err = e as { name: string; file: string; line: number; message: string };
      return (
        err.name === 'UserError' &&
        err.file === none.file &&
        err.line === 1 &&
        /no tf.sequential/.test(err.message)
      );
    },
  );
  const fn = fixture('functional.ts');
  assert.throws(
    () => parseTfjsSource(fn.text, fn.file),
    (e: unknown) => {
      const err = e as { name: string; file: string; line: number; message: string };
      return (
        err.name === 'UserError' &&
        err.file === fn.file &&
        err.line === 6 &&
        /functional API/.test(err.message)
      );
    },
  );
});
