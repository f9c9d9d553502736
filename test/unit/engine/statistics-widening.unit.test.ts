// A layer whose activations grow 100× over a run: the Prober's ranges widen by doubling, every
// finite value stays inside the range at every step, and the earlier histograms re-bin exactly
// onto the last step's edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Prober } from '../../../src/probe/prober';
import { binOf, doublingsBetween, rangeOfEdges, rebin, type HistogramRange } from '../../../src/histogram';
import type { LayerProbe } from '../../../src/protocol';
import { seededRandom } from '../../../src/training/rng';

const STEPS = 16;
const PROBE = 40;

function growingModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu', useBias: false, name: 'grow' }),
      tf.layers.dense({ units: 6, activation: 'linear', useBias: false, name: 'mix' }),
    ],
  });
}

/** Counted independently, by comparison with the exact edges (what every engine's kernel computes). */
function freshCounts(values: Float32Array, range: HistogramRange): number[] {
  const counts = new Array<number>(64).fill(0);
  for (const v of values) counts[binOf(v, range)]!++;
  return counts;
}

for (const backend of ['cpu', 'wasm']) {
  test(`activations that grow 100× keep every value in range and re-bin exactly (${backend})`, async () => {
    assert.ok(await tf.setBackend(backend));
    const random = seededRandom(21);
    const model = growingModel();
    const grow = model.getLayer('grow');
    const base = tf.tensor2d(
      Array.from({ length: 8 * 16 }, () => random() * 2 - 1),
      [8, 16],
    );
    // Every weight from the seeded generator, so the values (and their distance to edges) repeat.
    const mixKernel = tf.tensor2d(
      Array.from({ length: 16 * 6 }, () => random() * 2 - 1),
      [16, 6],
    );
    model.getLayer('mix').setWeights([mixKernel]);
    mixKernel.dispose();
    const probeX = Float32Array.from({ length: PROBE * 8 }, () => random());
    const prober = new Prober(tf, model, probeX, [8], 0.025);
    const taps = tf.model({
      inputs: model.inputs,
      outputs: ['grow', 'mix'].map((n) => model.getLayer(n).output) as tf.SymbolicTensor[],
    });
    const x = tf.tensor2d(probeX, [PROBE, 8]);
    const history = new Map<string, { probes: LayerProbe[]; values: Float32Array[] }>(
      ['grow', 'mix'].map((n) => [n, { probes: [], values: [] }]),
    );
    let tensorsAtProbe: number | null = null;
    for (let s = 0; s < STEPS; s++) {
      const kernel = tf.tidy(() => base.mul(100 ** (s / (STEPS - 1))));
      grow.setWeights([kernel]);
      kernel.dispose();
      const before = tf.memory().numTensors;
      const layers = await prober.probe(s);
      assert.equal(tf.memory().numTensors, before, `step ${s}: the probe leaks no tensors`);
      tensorsAtProbe ??= before;
      assert.equal(before, tensorsAtProbe);
      const outputs = taps.predict(x) as tf.Tensor[];
      const values = (await Promise.all(outputs.map((o) => o.data()))) as Float32Array[];
      tf.dispose(outputs);
      layers.forEach((l, i) => {
        const h = history.get(l.layer)!;
        h.probes.push(l);
        h.values.push(values[i]!);
        const { edges, counts, underflow, overflow } = l.histogram;
        assert.ok(
          edges[0]! <= l.min && l.max < edges[64]!,
          `${l.layer} step ${s}: [${l.min}, ${l.max}] inside [${edges[0]}, ${edges[64]})`,
        );
        assert.equal(underflow + overflow + l.nonFinite, 0);
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          values[i]!.length,
          `${l.layer} step ${s}: counts sum to the number of finite values`,
        );
      });
    }
    for (const [name, { probes, values }] of history) {
      const first = probes[0]!.histogram;
      const last = probes.at(-1)!.histogram;
      const reach = doublingsBetween(first.edges, last.edges);
      // 100× is 6.6 doublings; the first range may have had up to 2× headroom.
      assert.ok(reach && reach.doublings >= 5, `${name}: ${reach?.doublings} doublings`);
      const finalRange = rangeOfEdges(last.edges);
      probes.forEach((p, s) => {
        assert.deepEqual(
          rebin(p.histogram, last.edges).counts,
          freshCounts(values[s]!, finalRange),
          `${name} step ${s}: re-binned = fresh at the final edges`,
        );
      });
    }
    prober.dispose();
    tf.dispose([base, x]);
    model.dispose();
  });
}
