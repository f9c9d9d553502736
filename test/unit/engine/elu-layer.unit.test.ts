// The α-aware ELU layer: Keras configs with α ≠ 1 build and compute α(exp(x) − 1) for x ≤ 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../src/model/build/build';
import type { ModelSpec } from '../../../src/model/spec';

function spec(alpha: number): ModelSpec {
  const layers = [
    { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 5] } },
    { class_name: 'ELU', config: { name: 'elu', alpha } },
  ];
  return {
    name: 'e',
    origin: 'example',
    file: null,
    topology: { class_name: 'Sequential', config: { name: 'e', layers } },
    layers: [],
    training: {},
    issues: [],
  };
}

for (const alpha of [0.1, 1.0, 2.5]) {
  test(`ELU with alpha ${alpha} matches alpha·(exp(x)−1) below zero and x above, gradient included`, async () => {
    await tf.setBackend('cpu');
    const model = await buildModel(tf, spec(alpha), 1);
    const xs = [-3, -0.5, 0, 0.25, 2];
    const out = Array.from(await (model.predict(tf.tensor2d([xs])) as tf.Tensor).data());
    xs.forEach((x, i) =>
      assert.ok(Math.abs(out[i]! - (x > 0 ? x : alpha * (Math.exp(x) - 1))) < 1e-6, `f(${x}) = ${out[i]}`),
    );
    const grad = tf.grad((x: tf.Tensor) => (model.apply(x) as tf.Tensor).sum())(tf.tensor2d([xs]));
    const g = Array.from(await grad.data());
    xs.forEach((x, i) =>
      assert.ok(Math.abs(g[i]! - (x > 0 ? 1 : alpha * Math.exp(x))) < 1e-5, `f'(${x}) = ${g[i]}`),
    );
    assert.equal((model.getLayer('elu').getConfig() as { alpha: number }).alpha, alpha);
    model.dispose();
  });
}
