// A TF.js source whose reader leaves layers out marks the model partial (spec.omitted), each part
// on its line, never a quiet success; parts of another model of the file do not count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTfjsSource } from '../../../src/model/readers/tfjs-source/index';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'tfjs', 'unsupported-constructs.ts');

test('custom layers, loop adds and unfoldable sizes are omitted parts with their lines', () => {
  const spec = parseTfjsSource(readFileSync(FIXTURE, 'utf8'), FIXTURE);
  assert.deepEqual(
    spec.omitted?.map((o) => [o.line, o.what]),
    [
      [13, '`new Scale({})`'],
      [15, 'the layer added inside a loop or callback'],
      [17, 'tf.layers.dense'],
    ],
  );
  // The spread at line 20 belongs to the second model, which is not analysed.
  assert.ok(!spec.omitted?.some((o) => o.line === 20));
});

test('a model the reader reads whole has no omitted parts', () => {
  const spec = parseTfjsSource(
    [
      "import * as tf from '@tensorflow/tfjs';",
      'const m = tf.sequential();',
      "m.add(tf.layers.dense({ units: 4, inputShape: [2], activation: 'relu' }));",
      "m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));",
    ].join('\n'),
    'm.ts',
  );
  assert.equal(spec.omitted, undefined);
});
