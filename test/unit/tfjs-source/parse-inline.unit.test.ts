// Import spellings, folding and hostile input, from small inline sources.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTfjsSource } from '../../../src/model/readers/tfjs-source/index';
import { UserError } from '../../../src/errors';

const names = (src: string, file = 'm.ts'): string[] =>
  parseTfjsSource(src, file).layers.map((l) => `${l.name}@${l.source?.line}`);

test('destructured require and an alias of tf.layers', () => {
  const src = [
    "const { sequential, layers: L } = require('@tensorflow/tfjs');",
    'const m = sequential();',
    "m.add(L.dense({ units: 4, inputShape: [2], activation: 'relu' }));",
  ].join('\n');
  assert.deepEqual(names(src, 'm.js'), ['dense@3']);
});

test('const { dense } = tf.layers and a default import', () => {
  const src = [
    "import tf from '@tensorflow/tfjs-node-gpu';",
    'const { dense, dropout } = tf.layers;',
    'const m = tf.sequential({ layers: [dense({ units: 4, inputDim: 3 }), dropout({ rate: 0.5 })] });',
  ].join('\n');
  const spec = parseTfjsSource(src, 'm.ts');
  assert.deepEqual(
    spec.layers.map((l) => l.name),
    ['dense', 'dropout'],
  );
  assert.deepEqual(
    (spec.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config.batch_input_shape,
    [null, 3],
  );
});

test('arithmetic, object constants and shorthand properties fold', () => {
  const src = [
    "import * as tf from '@tensorflow/tfjs';",
    'const CFG = { side: 14, hidden: [32, 16] };',
    'const units = CFG.hidden[0]! * 2;',
    'const model = tf.sequential();',
    "model.add(tf.layers.dense({ units, inputShape: [CFG.side * CFG.side], activation: 'relu' as const }));",
    'model.add(tf.layers.dense({ units: -(-10) }));',
  ].join('\n');
  const spec = parseTfjsSource(src, 'm.ts');
  const json = spec.topology.config.layers as { config: Record<string, unknown> }[];
  assert.equal(json[0]!.config.units, 64);
  assert.deepEqual(json[0]!.config.batch_input_shape, [null, 196]);
  assert.equal(json[1]!.config.units, 10);
  assert.equal(spec.layers[0]!.activation, 'relu');
});

test('a reassigned let is not folded; a forEach callback is reported as a loop', () => {
  const src = [
    "import * as tf from '@tensorflow/tfjs';",
    'let n = 8;',
    'n = n + 1;',
    'const model = tf.sequential();',
    'model.add(tf.layers.dense({ units: 3, inputShape: [4] }));',
    'model.add(tf.layers.dense({ units: n }));',
    '[1, 2].forEach(() => model.add(tf.layers.dense({ units: 2 })));',
  ].join('\n');
  const spec = parseTfjsSource(src, 'm.ts');
  assert.deepEqual(
    spec.layers.map((l) => l.name),
    ['dense'],
  );
  assert.deepEqual(
    spec.issues.map((i) => [i.line, i.severity]),
    [
      [6, 'error'],
      [7, 'error'],
    ],
  );
});

test('a missing inputShape is an error issue; an unknown activation a warning', () => {
  const src = [
    "import * as tf from '@tensorflow/tfjs';",
    "const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, activation: 'relux' })] });",
  ].join('\n');
  const spec = parseTfjsSource(src, 'm.ts');
  assert.deepEqual(
    spec.issues.map((i) => [i.line, i.severity]),
    [
      [2, 'error'],
      [2, 'warning'],
    ].sort(),
  );
  assert.equal(spec.layers[0]!.activation, null);
});

test('an unsupported tf.layers factory is reported, not guessed', () => {
  const src = [
    "import * as tf from '@tensorflow/tfjs';",
    'const m = tf.sequential();',
    'm.add(tf.layers.dense({ units: 2, inputShape: [2] }));',
    'm.add(tf.layers.lstm({ units: 2 }));',
  ].join('\n');
  const spec = parseTfjsSource(src, 'm.ts');
  assert.equal(spec.layers.length, 1);
  assert.deepEqual(
    spec.issues.map((i) => i.line),
    [4],
  );
  assert.match(spec.issues[0]!.message, /tf\.layers\.lstm is not understood/);
});

test('garbage never crashes: issues or a UserError', () => {
  const inputs = [
    '',
    '}}}{{{',
    'tf.sequential({layers: [tf.layers.dense({units: })]})',
    'const model = tf.sequential(; model.add(',
    '\u0000\u0001binary',
    'tf.sequential({layers: 5})',
  ];
  for (const src of inputs) {
    try {
      const spec = parseTfjsSource(src, 'bad.js');
      assert.ok(spec.issues.length > 0, `expected issues for ${JSON.stringify(src)}`);
    } catch (e) {
      assert.ok(e instanceof UserError, `expected a UserError for ${JSON.stringify(src)}, got ${String(e)}`);
      assert.equal(e.file, 'bad.js');
      assert.ok(e.line !== null && e.line >= 1);
    }
  }
});
