// One histogram rule across engines: the cases python/activation_lens wrote (its exact host
// reference, python/tests/make_histogram_cases.py) are reproduced EXACTLY by src/histogram.ts and by
// the engine's device kernel (src/probe/statistics.ts on TF.js cpu and wasm) — same values, same
// starting range, doublings, edges and counts, and the same re-binning onto the final range. The
// cases hold bounded activations at their bounds (a closed range keeps relu6 = 6, sigmoid = 1,
// tanh = ±1 in its last bin) and every edge with its float32 neighbours on ranges where a plain
// float32 floor((v − lo)/w) would misplace them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  HISTOGRAM_BINS,
  binOf,
  initialRange,
  isClosedRange,
  rangeEdges,
  rebin,
  widenRange,
  type HistogramRange,
} from '../../../src/histogram';
import { summariseProbe } from '../../../src/probe/statistics';
import type { Tap } from '../../../src/probe/taps';
import { fixtures } from './live-python';

interface CaseProbe {
  values: number[];
  start: { lo: number; width: number; closed: boolean };
  directions: ('above' | 'below')[];
  lo: number;
  width: number;
  closed: boolean;
  edges: number[];
  counts: number[];
  rebinnedToFinal: number[];
}

const CASES = JSON.parse(readFileSync(join(fixtures, 'histogram-cases.json'), 'utf8')) as {
  activation: string;
  probes: CaseProbe[];
}[];

const finiteMin = (values: number[]) => Math.min(...values);
const finiteMax = (values: number[]) => Math.max(...values);

test('the cases cover bounds held by a closed range, a bound exceeded, and edge neighbours', () => {
  const all = CASES.flatMap((c) => c.probes.map((p) => ({ activation: c.activation, p })));
  assert.ok(all.some(({ activation, p }) => activation === 'relu6' && p.closed && p.values.includes(6)));
  assert.ok(
    all.some(({ p }) => p.start.closed && !p.closed),
    'a closed range that had to double',
  );
  assert.ok(
    all.some(({ p }) => !Number.isInteger(p.lo / p.width)),
    'lo/w not an integer',
  );
  assert.ok(all.some(({ p }) => p.values.length > 150 && new Set(p.values).size === p.values.length));
});

test('src/histogram.ts: same start, doublings, edges, counts and re-binning as the Python rule', () => {
  for (const [k, c] of CASES.entries()) {
    let range: HistogramRange | null = null;
    const finalEdges = c.probes.at(-1)!.edges;
    for (const [s, p] of c.probes.entries()) {
      const what = `case ${k} (${c.activation}) probe ${s}`;
      const [min, max] = [finiteMin(p.values), finiteMax(p.values)];
      const start: HistogramRange = range ?? initialRange(c.activation, null, min, max);
      assert.deepEqual(
        { ...start, closed: isClosedRange(c.activation, start) },
        p.start,
        `${what}: starting range`,
      );
      const widened = widenRange(start, min, max, p.start.closed);
      assert.deepEqual(widened.directions, p.directions, `${what}: doublings`);
      range = widened.range;
      assert.deepEqual(
        [range.lo, range.width, isClosedRange(c.activation, range)],
        [p.lo, p.width, p.closed],
      );
      assert.deepEqual(rangeEdges(range), p.edges, `${what}: edges`);
      const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
      for (const v of p.values) counts[binOf(v, range, p.closed)]!++;
      assert.deepEqual(counts, p.counts, `${what}: counts`);
      const h = { edges: p.edges, counts: p.counts, underflow: 0, overflow: 0 };
      assert.deepEqual(rebin(h, finalEdges).counts, p.rebinnedToFinal, `${what}: re-binned`);
    }
  }
});

/** The engine's probe statistics for one layer of one unit holding exactly these values. */
function tapOf(activation: string): Tap {
  return { name: 'layer', className: 'Activation', activation, units: 1, alpha: null } as unknown as Tap;
}

for (const backend of ['cpu', 'wasm']) {
  test(`the engine's device kernel bins every case exactly like the taps (${backend})`, async () => {
    assert.ok(await tf.setBackend(backend));
    for (const [k, c] of CASES.entries()) {
      let range: HistogramRange | null = null;
      for (const [s, p] of c.probes.entries()) {
        const output = tf.tensor2d(p.values, [p.values.length, 1], 'float32');
        try {
          const [layer] = await summariseProbe(tf, [output], [tapOf(c.activation)], {
            step: s,
            ranges: [range],
            dormantTau: 0.025,
          });
          assert.deepEqual(layer!.histogram.edges, p.edges, `case ${k} (${c.activation}) probe ${s}: edges`);
          assert.deepEqual(
            layer!.histogram.counts,
            p.counts,
            `case ${k} (${c.activation}) probe ${s}: counts`,
          );
          range = { lo: p.lo, width: p.width };
        } finally {
          output.dispose();
        }
      }
    }
  });
}
