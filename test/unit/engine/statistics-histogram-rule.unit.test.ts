// The histogram rule of src/histogram.ts on its own: first ranges, doubling, exact re-binning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HISTOGRAM_BINS,
  doublingsBetween,
  initialRange,
  rangeEdges,
  rangeHi,
  rebin,
  widenRange,
  type BinnedHistogram,
  type HistogramRange,
} from '../../../src/histogram';
import { seededRandom } from '../../../src/training/rng';

const B = HISTOGRAM_BINS;

/** Plain counting at a range; values are dyadic, so (v − lo) / w is exact and no edge is ambiguous. */
function histogramOf(values: number[], range: HistogramRange): BinnedHistogram {
  const counts = new Array<number>(B).fill(0);
  let underflow = 0;
  let overflow = 0;
  for (const v of values) {
    if (v === -Infinity) underflow++;
    else if (v === Infinity) overflow++;
    else if (Number.isFinite(v)) {
      const bin = Math.floor((v - range.lo) / range.width);
      assert.ok(bin >= 0 && bin < B, `${v} outside [${range.lo}, ${rangeHi(range)})`);
      counts[bin]!++;
    }
  }
  return { edges: rangeEdges(range), counts, underflow, overflow };
}

test('first range: known ranges for bounded activations, else the smallest power-of-two width', () => {
  assert.deepEqual(initialRange('sigmoid', null, 0.2, 0.7), { lo: 0, width: 1 / 64 });
  assert.deepEqual(initialRange('tanh', null, -0.2, 0.7), { lo: -1, width: 1 / 32 });
  assert.deepEqual(initialRange('relu6', null, 0, 6), { lo: 0, width: 6 / 64 });
  // m ≥ 0: lo = 0 and 64·w > M. 2.5 needs w = 1/16 (64/32 = 2 is too small).
  assert.deepEqual(initialRange('relu', null, 0, 2.5), { lo: 0, width: 1 / 16 });
  // M must be strictly below hi: 4 does not fit [0, 4).
  assert.deepEqual(initialRange('relu', null, 0, 4), { lo: 0, width: 1 / 8 });
  // m < 0: symmetric, −32w ≤ m and M < 32w.
  assert.deepEqual(initialRange('elu', 1, -1, 0.5), { lo: -1, width: 1 / 32 });
  assert.deepEqual(initialRange('linear', null, -0.1, 3), { lo: -4, width: 1 / 8 });
  // All zero (a dead layer) or no finite values: the smallest width, 2^-24.
  assert.deepEqual(initialRange('relu', null, 0, 0), { lo: 0, width: 2 ** -24 });
  assert.deepEqual(initialRange('relu', null, NaN, NaN), { lo: 0, width: 2 ** -24 });
  // Large values: still a power of two.
  const big = initialRange('linear', null, 0, 3e6);
  assert.equal(Math.log2(big.width) % 1, 0);
  assert.ok(rangeHi(big) > 3e6 && rangeHi(big) / 2 <= 3e6);
});

test('widening doubles toward the side that overflowed, the larger excess first', () => {
  const r = { lo: 0, width: 1 / 16 }; // [0, 4)
  assert.deepEqual(widenRange(r, 0, 3.9), { range: r, doublings: 0, directions: [] });
  assert.deepEqual(widenRange(r, 0, 4), {
    range: { lo: 0, width: 1 / 8 },
    doublings: 1,
    directions: ['above'],
  });
  assert.deepEqual(widenRange(r, 0, 12).range, { lo: 0, width: 1 / 4 });
  // Below: lo moves down by the old span, hi stays.
  assert.deepEqual(widenRange(r, -0.5, 1), {
    range: { lo: -4, width: 1 / 8 },
    doublings: 1,
    directions: ['below'],
  });
  // Both: 40 above (excess 36) before −3 below (excess 3), until above fits.
  const both = widenRange({ lo: 0, width: 1 / 32 }, -3, 40);
  assert.deepEqual(both.directions, ['above', 'above', 'above', 'above', 'above', 'below']);
  assert.deepEqual(both.range, { lo: -64, width: 2 });
  // A tie goes above first.
  assert.deepEqual(widenRange({ lo: 0, width: 1 }, -1, 65).directions, ['above', 'below']);
  // Non-finite extremes never widen.
  assert.equal(widenRange(r, -Infinity, NaN).doublings, 0);
});

test('one doubling merges bins pairwise, as CONTRACTS states', () => {
  const old = {
    edges: rangeEdges({ lo: -2, width: 1 / 16 }),
    counts: [...Array(B).keys()],
    underflow: 2,
    overflow: 3,
  };
  const above = rebin(old, rangeEdges({ lo: -2, width: 1 / 8 }));
  const below = rebin(old, rangeEdges({ lo: -6, width: 1 / 8 }));
  for (let j = 0; j < B; j++) {
    const pair = j < B / 2 ? old.counts[2 * j]! + old.counts[2 * j + 1]! : 0;
    assert.equal(above.counts[j], pair, `above, bin ${j}`);
    const k = j - B / 2;
    assert.equal(
      below.counts[j],
      j < B / 2 ? 0 : old.counts[2 * k]! + old.counts[2 * k + 1]!,
      `below, bin ${j}`,
    );
  }
  assert.equal(above.underflow, 2);
  assert.equal(below.overflow, 3, 'non-finite counts carry over unchanged');
  assert.deepEqual(rebin(old, old.edges), old, 'the same edges: a copy');
});

test('the re-binned past equals a fresh histogram at the new edges (random runs of growth)', () => {
  const random = seededRandom(5);
  const seen = new Set<string>();
  for (let run = 0; run < 40; run++) {
    // Dyadic values (multiples of 2^-20): every (v − lo)/w below is exact, so no edge is ambiguous.
    const draw = (scale: number, shift: number) =>
      Array.from({ length: 200 }, () => Math.round((random() * scale + shift) * 2 ** 20) / 2 ** 20);
    const steps: number[][] = [];
    let range: HistogramRange | null = null;
    const past: BinnedHistogram[] = [];
    for (let s = 0; s < 8; s++) {
      const scale = 2 ** (random() * 6 * s * 0.3);
      const values = draw(scale, random() < 0.5 ? 0 : -scale * random());
      values.push(Infinity, -Infinity, NaN);
      const finite = values.filter(Number.isFinite);
      const [min, max] = [Math.min(...finite), Math.max(...finite)];
      const widening = widenRange(range ?? initialRange('linear', null, min, max), min, max);
      widening.directions.forEach((d) => seen.add(d));
      range = widening.range;
      const h = histogramOf(values, range);
      assert.equal(
        h.counts.reduce((a, b) => a + b, 0),
        finite.length,
      );
      steps.push(values);
      past.push(h);
    }
    const last = past.at(-1)!;
    steps.forEach((values, s) => {
      assert.deepEqual(rebin(past[s]!, last.edges), histogramOf(values, range!), `run ${run}, step ${s}`);
    });
  }
  assert.deepEqual([...seen].sort(), ['above', 'below'], 'both directions were exercised');
});

test('edges that no doubling reaches are refused', () => {
  const from = rangeEdges({ lo: 0, width: 1 / 16 });
  const h = { edges: from, counts: new Array<number>(B).fill(1), underflow: 0, overflow: 0 };
  assert.equal(doublingsBetween(from, rangeEdges({ lo: 0, width: 1 / 32 })), null, 'narrower');
  assert.equal(
    doublingsBetween(from, rangeEdges({ lo: 0, width: 3 / 32 })),
    null,
    'not a power of two wider',
  );
  assert.equal(doublingsBetween(from, rangeEdges({ lo: -1, width: 1 / 8 })), null, 'not on a block boundary');
  assert.equal(
    doublingsBetween(from, rangeEdges({ lo: 4, width: 1 / 8 })),
    null,
    'does not contain the old range',
  );
  assert.equal(doublingsBetween(from, [0, 1, 2]), null, 'another bin count');
  assert.deepEqual(doublingsBetween(from, rangeEdges({ lo: -12, width: 1 / 4 })), { doublings: 2, block: 3 });
  assert.throws(() => rebin(h, rangeEdges({ lo: -1, width: 1 / 8 })), RangeError);
  // Edges that crossed JSON keep working.
  const json = JSON.parse(JSON.stringify(rangeEdges({ lo: -6, width: 3 / 16 }))) as number[];
  assert.deepEqual(doublingsBetween(rangeEdges({ lo: 0, width: 3 / 32 }), json), { doublings: 1, block: 1 });
});
