// Fitting data samples to a model's input shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../../src/errors';
import { checkShape, reshapeForModel } from '../../../src/data/readers/check-shape';
import type { Dataset } from '../../../src/data/readers/dataset';

const digits = (sampleShape: number[]): Dataset => ({
  name: 'd',
  xTrain: new Float32Array(0),
  yTrain: new Int32Array(0),
  xTest: new Float32Array(0),
  yTest: new Int32Array(0),
  sampleShape,
  classes: 10,
  labels: [],
});

test('[28, 28] data fits [28, 28, 1], [784] and a batch-dimensioned [null, 28, 28, 1]', () => {
  assert.deepEqual(checkShape(digits([28, 28]), [28, 28, 1], 'd.npz'), [28, 28, 1]);
  assert.deepEqual(checkShape(digits([28, 28]), [784], 'd.npz'), [784]);
  assert.deepEqual(checkShape(digits([784]), [null, 28, 28, 1], 'd.npz'), [28, 28, 1]);
  assert.deepEqual(checkShape(digits([28, 28, 1]), [null, 784], 'd.npz'), [784]);
  assert.deepEqual(reshapeForModel(digits([784]), [28, 28, 1], 'd.csv').sampleShape, [28, 28, 1]);
});

test('one free dimension is inferred; several must match the data rank', () => {
  assert.deepEqual(checkShape(digits([100]), [null, null, 4], 'd.npz'), [25, 4]);
  assert.deepEqual(checkShape(digits([32, 32, 3]), [null, null, null, 3], 'd.npz'), [32, 32, 3]);
});

test('a mismatch names the file, the data shape and the model input shape', () => {
  assert.throws(
    () => checkShape(digits([28, 28]), [null, 32, 32, 3], '/data/mnist.npz'),
    (e: unknown) =>
      e instanceof UserError &&
      e.file === '/data/mnist.npz' &&
      e.message ===
        "the data's samples have shape [28, 28] (784 values) but the model's input is [32, 32, 3] (3072 values)",
  );
  assert.throws(() => checkShape(digits([28, 28]), [null, null, 3, 5], 'x.npz'), UserError);
  assert.throws(() => checkShape(digits([30]), [7, null], 'x.npz'), /model's input is \[7, \?\]/);
});
