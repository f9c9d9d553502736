// The wasm conv gradients (as forward convs) agree with the cpu backend's reference kernels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmConvGradients } from '../../../src/backend/wasm-conv-grads';
import { seededRandom } from '../../../src/training/rng';

const cases = [
  { name: 'valid, stride 1', x: [3, 9, 8, 2], f: [3, 3, 2, 4], strides: 1, pad: 'valid' as const },
  { name: 'same, stride 1', x: [2, 7, 7, 3], f: [3, 3, 3, 5], strides: 1, pad: 'same' as const },
  { name: 'same, 5×5, stride 1', x: [2, 8, 6, 1], f: [5, 5, 1, 2], strides: 1, pad: 'same' as const },
  { name: 'valid, stride 2', x: [2, 9, 9, 2], f: [3, 3, 2, 3], strides: 2, pad: 'valid' as const },
  { name: 'same, stride 2', x: [2, 8, 8, 2], f: [3, 3, 2, 3], strides: 2, pad: 'same' as const },
];

async function grads(c: (typeof cases)[number]): Promise<[Float32Array, Float32Array]> {
  const r = seededRandom(9);
  const x = tf.tensor4d(
    Float32Array.from({ length: c.x.reduce((a, b) => a * b) }, () => r() - 0.5),
    c.x as [number, number, number, number],
  );
  const f = tf.tensor4d(
    Float32Array.from({ length: c.f.reduce((a, b) => a * b) }, () => r() - 0.5),
    c.f as [number, number, number, number],
  );
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf
      .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad)
      .square()
      .sum(),
  );
  const [dx, df] = g([x, f]);
  const out: [Float32Array, Float32Array] = [
    (await dx!.data()) as Float32Array,
    (await df!.data()) as Float32Array,
  ];
  [x, f, dx!, df!].forEach((t) => t.dispose());
  return out;
}

for (const c of cases) {
  test(`conv2d gradients on wasm match cpu: ${c.name}`, async () => {
    await tf.setBackend('cpu');
    const [dxRef, dfRef] = await grads(c);
    assert.ok(await tf.setBackend('wasm'));
    installWasmConvGradients(tf);
    const before = tf.memory().numTensors;
    const [dx, df] = await grads(c);
    assert.equal(tf.memory().numTensors, before, 'no tensors leak');
    const maxDiff = (a: Float32Array, b: Float32Array) =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    assert.equal(dx.length, dxRef.length);
    assert.equal(df.length, dfRef.length);
    assert.ok(maxDiff(dx, dxRef) < 1e-4, `dx differs by ${maxDiff(dx, dxRef)}`);
    assert.ok(maxDiff(df, dfRef) < 1e-4, `dfilter differs by ${maxDiff(df, dfRef)}`);
  });
}
