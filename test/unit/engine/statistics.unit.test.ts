// Probe statistics vs an independent plain-JS computation on small tensors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { summariseProbe } from '../../../src/probe/statistics';
import { HISTOGRAM_BINS } from '../../../src/histogram';
import type { Tap } from '../../../src/probe/taps';
import { seededRandom } from '../../../src/training/rng';

function tap(units: number, activation: string, alpha: number | null = null): Tap {
  return { layer: null as never, name: `t_${activation}`, className: 'Dense', activation, units, alpha };
}

/**
 * The reference: loops over plain arrays, nothing shared with the implementation. Values are
 * rounded to float32 first (what the tensor holds); bins are taken in float64 from there, which
 * matches the device wherever `v − lo` is exact in float32 — see `assertAwayFromEdges`.
 */
function reference(
  values: number[],
  units: number,
  lo: number,
  width: number,
  tau: number,
  alpha: number | null,
) {
  const rows = values.length / units;
  const fire = new Array(units).fill(0);
  const absMean = new Array(units).fill(0);
  const sat = new Array(units).fill(0);
  const counts = new Array(HISTOGRAM_BINS).fill(0);
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonPositive = 0;
  let nonFinite = 0;
  let negInf = 0;
  let posInf = 0;
  let outside = 0;
  values.forEach((raw, i) => {
    const v = Math.fround(raw);
    const u = i % units;
    if (!Number.isFinite(v)) {
      nonFinite++;
      if (v === -Infinity) negInf++;
      if (v === Infinity) posInf++;
      return;
    }
    if (v > 0) fire[u]++;
    else nonPositive++;
    absMean[u] += Math.abs(v) / rows;
    if (alpha !== null && v <= -alpha * 0.99) sat[u]++;
    sum += v;
    sumSq += v * v;
    n++;
    min = Math.min(min, v);
    max = Math.max(max, v);
    const bin = Math.floor((v - lo) / width);
    if (bin < 0 || bin >= HISTOGRAM_BINS) outside++;
    else counts[bin]++;
  });
  const layerAbs = absMean.reduce((a, b) => a + b, 0) / units;
  const mean = sum / n;
  return {
    fire,
    counts,
    mean,
    std: Math.sqrt(sumSq / n - mean * mean),
    min,
    max,
    sparsity: nonPositive / values.length,
    nonFinite,
    negInf,
    posInf,
    outside,
    dead: fire.flatMap((f, u) => (f === 0 ? [u] : [])),
    dormant: absMean.flatMap((a, u) => (a < tau * layerAbs ? [u] : [])),
    saturated: sat.flatMap((s, u) => (s === rows ? [u] : [])),
  };
}

/**
 * The device subtracts lo in float32 before dividing by the (power-of-two) width, so a value within
 * an ulp of a bin edge may land on either side of it there. The fixtures keep every finite value
 * either exactly representable against the edges (v − lo exact) or clearly inside a bin, so the
 * comparison with the float64 reference can be exact.
 */
function assertAwayFromEdges(values: number[], lo: number, width: number): void {
  for (const raw of values) {
    const v = Math.fround(raw);
    if (!Number.isFinite(v)) continue;
    const exact = Math.fround(v - lo) === v - lo;
    const pos = (v - lo) / width;
    assert.ok(
      exact || Math.abs(pos - Math.round(pos)) > 1e-4,
      `${v} sits on a bin edge of [${lo}, +${width})`,
    );
  }
}

for (const backend of ['cpu', 'wasm']) {
  test(`statistics match an independent computation (ReLU layer, with dead, dormant and non-finite values) on ${backend}`, async () => {
    assert.ok(await tf.setBackend(backend));
    const random = seededRandom(7);
    const [rows, units] = [37, 9];
    const values: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < units; u++) {
        let v = Math.max(0, random() * 4 - 1.5);
        if (u === 2 || u === 6) v = 0; // dead by construction
        if (u === 4) v = v * 1e-4; // dormant by construction
        values.push(v);
      }
    }
    values[5 * units + 1] = NaN;
    values[9 * units + 3] = Infinity;
    values[13 * units + 8] = -Infinity;
    values[11 * units + 7] = 12; // outside the previous probe's [0, 4)
    const x = tf.tensor2d(values, [rows, units]);
    const [probe] = await summariseProbe(tf, [x], [tap(units, 'relu')], {
      step: 3,
      ranges: [{ lo: 0, width: 1 / 16 }],
      dormantTau: 0.025,
    });
    x.dispose();
    // 12 needs two doublings above: [0, 4) → [0, 8) → [0, 16), bins 0.25 wide.
    const [lo, width] = [0, 0.25];
    assertAwayFromEdges(values, lo, width);
    const ref = reference(values, units, lo, width, 0.025, null);
    assert.equal(ref.outside, 0);
    assert.ok(probe);
    assert.deepEqual(probe.fireCount, ref.fire);
    assert.deepEqual(probe.dead.units, [2, 6]);
    assert.deepEqual(probe.dead.units, ref.dead);
    assert.deepEqual(probe.dormant.units, ref.dormant);
    assert.ok(probe.dormant.units.includes(4));
    assert.deepEqual(probe.histogram.counts, ref.counts);
    assert.deepEqual(
      probe.histogram.edges,
      Array.from({ length: 65 }, (_, i) => i / 4),
    );
    // Under/overflow hold only −∞ / +∞; NaN is only in nonFinite.
    assert.equal(probe.histogram.underflow, 1);
    assert.equal(probe.histogram.overflow, 1);
    assert.equal(ref.negInf + ref.posInf, 2);
    assert.equal(probe.nonFinite, 3);
    assert.equal(
      probe.histogram.counts.reduce((a, b) => a + b, 0),
      values.length - 3,
      'every finite value is in a bin',
    );
    assert.equal(probe.observationsPerUnit, rows);
    assert.ok(Math.abs(probe.mean - ref.mean) < 1e-5, `${probe.mean} vs ${ref.mean}`);
    assert.ok(Math.abs(probe.std - ref.std) < 1e-4, `${probe.std} vs ${ref.std}`);
    assert.ok(Math.abs(probe.min - ref.min) < 1e-6);
    assert.ok(Math.abs(probe.max - ref.max) < 1e-6);
    assert.ok(Math.abs(probe.sparsity - ref.sparsity) < 1e-9);
    assert.equal(probe.saturated, null);
  });

  test(`conv outputs count every spatial position; ELU saturation is exact on ${backend}`, async () => {
    assert.ok(await tf.setBackend(backend));
    const random = seededRandom(11);
    const [n, h, w, c] = [4, 3, 5, 6];
    const alpha = 1;
    const values: number[] = [];
    for (let i = 0; i < n * h * w; i++) {
      for (let ch = 0; ch < c; ch++) {
        let v = random() * 3 - 1;
        v = v > 0 ? v : alpha * (Math.exp(v) - 1);
        if (ch === 3) v = -alpha * (1 - 0.005 * random()); // saturated everywhere
        if (ch === 5 && i === 7) v = -0.999; // saturated but one position
        if (ch === 5 && i !== 7) v = -alpha; // … all other positions saturated
        values.push(v);
      }
    }
    values[3 * c + 5] = -0.5; // channel 5 has one unsaturated position → not saturated
    const x = tf.tensor4d(values, [n, h, w, c]);
    const [probe] = await summariseProbe(tf, [x], [tap(c, 'elu', alpha)], {
      step: 0,
      ranges: [null],
      dormantTau: 0.025,
    });
    x.dispose();
    // First probe, values in [−1, 2): symmetric, and w = 1/16 is the smallest power of two with
    // −32w ≤ min and max < 32w.
    const [lo, width] = [-2, 1 / 16];
    const ref = reference(values, c, lo, width, 0.025, alpha);
    assert.ok(ref.min >= -1 && ref.min < 0 && ref.max >= 1 && ref.max < 2, `${ref.min} … ${ref.max}`);
    assertAwayFromEdges(values, lo, width);
    assert.deepEqual(
      probe?.histogram.edges,
      Array.from({ length: 65 }, (_, i) => -2 + i / 16),
    );
    assert.ok(probe?.saturated);
    assert.equal(probe.observationsPerUnit, n * h * w);
    assert.deepEqual(probe.fireCount, ref.fire);
    assert.deepEqual(probe.saturated.units, ref.saturated);
    assert.deepEqual(probe.saturated.units, [3]);
    assert.deepEqual(probe.dead.units, [], 'ELU units are never called dead');
    assert.deepEqual(probe.histogram.counts, ref.counts);
    assert.equal(ref.outside, 0);
  });
}

test('no tensors leak from a probe summary, with widening and non-finite values', async () => {
  await tf.setBackend('cpu');
  const x = tf.randomNormal([16, 8]);
  const y = tf.tensor2d([1, NaN, Infinity, -Infinity, 40, -3, 0, 2], [2, 4]);
  const before = tf.memory().numTensors;
  const probes = await summariseProbe(tf, [x, y], [tap(8, 'relu'), tap(4, 'linear')], {
    step: 0,
    ranges: [null, { lo: 0, width: 1 / 32 }],
    dormantTau: 0.025,
  });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(probes[1]?.histogram.edges[0], -64, 'widened below and above');
  tf.dispose([x, y]);
});
