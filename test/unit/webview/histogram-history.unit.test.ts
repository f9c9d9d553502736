// The heatmap's history: every probe's histogram re-binned exactly onto the newest edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histogramHistory } from '../../../webview/histogram-history';
import { rangeEdges, rebin, widenRange, type HistogramRange } from '../../../src/histogram';
import { probe } from '../extension/fixtures';
import type { Histogram } from '../../../src/protocol';

/** Dyadic values (multiples of 1/64): their bin is exact at every power-of-two width used here. */
function histogramOf(values: number[], range: HistogramRange): Histogram {
  const counts = new Array<number>(64).fill(0);
  for (const v of values) counts[Math.floor((v - range.lo) / range.width)]!++;
  return { edges: rangeEdges(range), counts, underflow: 0, overflow: 0 };
}

test('every step is drawn on the newest edges, with no value outside them', () => {
  const stepValues = [
    [0, 0.25, 0.5, 1.5],
    [0, 0.75, 3, 3.5],
    [-2, 0, 6, 9.25],
  ];
  let range: HistogramRange = { lo: 0, width: 1 / 32 };
  const probes = stepValues.map((values, s) => {
    range = widenRange(range, Math.min(...values), Math.max(...values)).range;
    return probe('dense', s * 10, 0, 8, 0.1, { histogram: histogramOf(values, range) });
  });
  const history = histogramHistory(probes);
  assert.deepEqual(history.steps, [0, 10, 20]);
  assert.deepEqual(history.edges, rangeEdges(range));
  stepValues.forEach((values, s) => {
    assert.deepEqual(history.counts[s], histogramOf(values, range).counts, `step ${s * 10}`);
    assert.equal(
      history.counts[s]!.reduce((a, b) => a + b, 0),
      values.length,
    );
  });
  // The same again (a render without new data) comes from the cache, equal.
  assert.deepEqual(histogramHistory(probes), history);
  assert.deepEqual(history.counts[0], rebin(probes[0]!.histogram, history.edges).counts);
});

test('histograms whose edges no doubling reaches (a state saved by an older build) are left out', () => {
  const old = probe('dense', 0, 0, 8, 0.1, {
    histogram: {
      edges: Array.from({ length: 65 }, (_, i) => i * 0.03),
      counts: new Array(64).fill(1),
      underflow: 0,
      overflow: 0,
    },
  });
  const now = probe('dense', 10, 0, 8, 0.1, { histogram: histogramOf([0.5], { lo: 0, width: 1 / 16 }) });
  const history = histogramHistory([old, now]);
  assert.deepEqual(history.steps, [10]);
  assert.deepEqual(histogramHistory([]), { steps: [], edges: [], counts: [] });
});
