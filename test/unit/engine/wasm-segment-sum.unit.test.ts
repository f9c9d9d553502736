// The wasm UnsortedSegmentSum (an Embedding's gradient) agrees with the cpu backend's kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmSegmentSum } from '../../../src/backend/wasm-segment-sum';
import { seededRandom } from '../../../src/training/rng';

/** The gradient of an Embedding lookup of `ids` (with repeats and id 0) into a [vocabulary, 3] table. */
async function embeddingGradient(ids: number[][], vocabulary: number): Promise<Float32Array> {
  const r = seededRandom(5);
  const table = tf.tensor2d(
    Float32Array.from({ length: vocabulary * 3 }, () => r() - 0.5),
    [vocabulary, 3],
  );
  const idx = tf.tensor2d(ids, [ids.length, ids[0]!.length], 'int32');
  const g = tf.grad((t: tf.Tensor) => tf.gather(t, idx).mul(tf.range(1, 4)).sum())(table);
  const out = (await g.data()) as Float32Array;
  [table, idx, g].forEach((t) => t.dispose());
  return out;
}

test('Embedding gradients on wasm match cpu (repeated ids, unused rows stay 0)', async () => {
  const ids = [
    [1, 2, 2, 0],
    [7, 1, 1, 1],
    [0, 0, 9, 3],
  ];
  await tf.setBackend('cpu');
  const expected = await embeddingGradient(ids, 12);
  assert.ok(await tf.setBackend('wasm'));
  installWasmSegmentSum(tf);
  const before = tf.memory().numTensors;
  const actual = await embeddingGradient(ids, 12);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `[${i}] ${v} vs ${expected[i]}`));
  // Row 1 appears 4 times: its gradient is 4 × (1, 2, 3); row 4 never: 0.
  assert.deepEqual([...actual.slice(3, 6)], [4, 8, 12]);
  assert.deepEqual([...actual.slice(12, 15)], [0, 0, 0]);
});

test('a direct unsortedSegmentSum on wasm sums the rows of each segment', async () => {
  assert.ok(await tf.setBackend('wasm'));
  installWasmSegmentSum(tf);
  const out = tf.unsortedSegmentSum(
    tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]),
    tf.tensor1d([2, 0, 2], 'int32'),
    3,
  );
  assert.deepEqual(Array.from(await out.data()), [3, 4, 0, 0, 6, 8]);
  out.dispose();
});
