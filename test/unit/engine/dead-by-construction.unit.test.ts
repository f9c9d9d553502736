// Ground truth by construction: biases that make exactly chosen units / channels dead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Prober } from '../../../src/probe/prober';
import { neverFiringUnits } from '../../../src/probe/never-fires';
import { seededRandom } from '../../../src/training/rng';

const DEAD_CHANNELS = [1, 4];
const DEAD_UNITS = [0, 5, 11, 12];

function model(): tf.LayersModel {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 6,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv',
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  const conv = m.getLayer('conv');
  const [k, b] = conv.getWeights();
  // Non-negative kernels + large negative bias → the channel's pre-activation is < 0 for any
  // input in [0, 1]; positive bias elsewhere keeps the others firing.
  const kernel = tf.abs(k!).mul(0.1);
  const bias = tf.tensor1d(Array.from({ length: 6 }, (_, c) => (DEAD_CHANNELS.includes(c) ? -100 : 0.5)));
  conv.setWeights([kernel, bias]);
  const hidden = m.getLayer('hidden');
  const [hk] = hidden.getWeights();
  const hb = tf.tensor1d(Array.from({ length: 16 }, (_, u) => (DEAD_UNITS.includes(u) ? -1e4 : 5)));
  hidden.setWeights([hk!, hb]);
  // getWeights() returns the variables themselves: only dispose what was made here.
  void b;
  [kernel, bias, hb].forEach((t) => t.dispose());
  return m;
}

function inputs(n: number): Float32Array {
  const r = seededRandom(3);
  return Float32Array.from({ length: n * 64 }, () => r());
}

for (const backend of ['cpu', 'wasm']) {
  test(`exactly the constructed dead units and channels are reported (${backend})`, async () => {
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    assert.ok(await tf.setBackend(backend));
    const m = model();
    const prober = new Prober(tf, m, inputs(20), [8, 8, 1], 0.025);
    const layers = await prober.probe(0);
    const conv = layers.find((l) => l.layer === 'conv')!;
    const hidden = layers.find((l) => l.layer === 'hidden')!;
    assert.deepEqual(conv.dead.units, DEAD_CHANNELS);
    assert.equal(conv.dead.count, 2);
    assert.equal(conv.dead.fraction, 2 / 6);
    assert.equal(conv.observationsPerUnit, 20 * 6 * 6);
    for (const c of [0, 2, 3, 5]) assert.equal(conv.fireCount[c], 20 * 36, `channel ${c} fires everywhere`);
    assert.deepEqual(hidden.dead.units, DEAD_UNITS);
    assert.equal(hidden.observationsPerUnit, 20);
    assert.deepEqual(
      layers.map((l) => l.layer),
      ['conv', 'hidden', 'out'],
    );
    // The static check agrees before any data is seen.
    const never = await neverFiringUnits(m, [0, 1]);
    assert.deepEqual(never.get('conv'), DEAD_CHANNELS);
    assert.deepEqual(never.get('hidden'), DEAD_UNITS);
    prober.dispose();
    m.dispose();
  });
}

test('the static check is sound: it never flags a unit that fires', async () => {
  await tf.setBackend('cpu');
  const m = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [5],
        units: 40,
        activation: 'relu',
        biasInitializer: tf.initializers.randomNormal({ stddev: 1, seed: 4 }),
        kernelInitializer: tf.initializers.randomNormal({ stddev: 0.3, seed: 5 }),
      }),
      tf.layers.dense({
        units: 30,
        activation: 'relu',
        biasInitializer: tf.initializers.randomNormal({ stddev: 1, seed: 6 }),
      }),
    ],
  });
  const never = await neverFiringUnits(m, [0, 1]);
  const prober = new Prober(tf, m, inputs(200).subarray(0, 1000), [5], 0.025);
  const layers = await prober.probe(0);
  for (const l of layers) {
    for (const u of never.get(l.layer) ?? [])
      assert.equal(l.fireCount[u], 0, `${l.layer}[${u}] flagged never-fires but fired`);
  }
  assert.ok((never.get(m.layers[0]!.name) ?? []).length > 0, 'with N(0,1) biases some units cannot fire');
  prober.dispose();
  m.dispose();
});
