// The model overview's numbers and colours, without a DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  columnStarts,
  driftValue,
  niceLimit,
  overviewGrid,
  type OverviewCache,
  type OverviewInput,
  type OverviewLayer,
} from '../../../webview/overview-grid';
import {
  colorTable,
  divergingColor,
  LUT_STEPS,
  luminance,
  sequentialColor,
  type Rgb,
} from '../../../webview/overview-palette';
import { probe } from '../extension/fixtures';
import type { LayerProbe } from '../../../src/protocol';

function layer(
  name: string,
  rank: number,
  deadByStep: [number, number][],
  extra: Partial<LayerProbe> = {},
): OverviewLayer {
  return {
    name,
    severity: rank,
    probes: deadByStep.map(([step, dead]) => probe(name, step, dead, 100, 0.1 + step / 1000, extra)),
  };
}

test('columns: at most one per pixel, step 0 in the first and the newest in the last', () => {
  assert.deepEqual([...columnStarts(5, 10)], [0, 1, 2, 3, 4, 5]);
  const starts = columnStarts(500, 120);
  assert.equal(starts.length, 121);
  assert.equal(starts[0], 0);
  assert.equal(starts[120], 500);
  for (let c = 0; c < 120; c++)
    assert.ok(starts[c + 1]! - starts[c]! >= 4 && starts[c + 1]! - starts[c]! <= 5);
  assert.deepEqual([...columnStarts(0, 100)], [0, 0]);
});

test('health mode: dead or saturated share per step; a merged column shows its worst step', () => {
  const input: OverviewInput = {
    steps: [0, 10, 20, 30],
    layers: [
      layer('conv', 0, [
        [0, 0],
        [10, 40],
        [20, 10],
        [30, 5],
      ]),
      layer('late', 0, [
        [20, 3],
        [30, 7],
      ]),
      {
        name: 'elu',
        severity: 0,
        probes: [0, 10, 20, 30].map((s) =>
          probe('elu', s, 0, 100, 0.1, { saturated: { count: s, fraction: s / 100, units: [] } }),
        ),
      },
    ],
  };
  const full = overviewGrid(input, 'health', 'model', 100);
  assert.deepEqual(
    full.rows.map((r) => r.name),
    ['conv', 'late', 'elu'],
  );
  assert.deepEqual([...full.rows[0]!.values], [0, 0.4, 0.1, 0.05]);
  assert.ok(Number.isNaN(full.rows[1]!.values[0]!), 'no probe at step 0: empty');
  assert.equal(full.rows[2]!.metric, 'saturated');
  assert.deepEqual([...full.rows[2]!.values], [0, 0.1, 0.2, 0.3]);
  assert.deepEqual(full.columnSteps, [
    [0, 0],
    [10, 10],
    [20, 20],
    [30, 30],
  ]);
  const merged = overviewGrid(input, 'health', 'model', 2);
  assert.deepEqual([...merged.rows[0]!.values], [0.4, 0.1], 'the 40% at step 10 is not averaged away');
  assert.deepEqual(merged.columnSteps, [
    [0, 10],
    [20, 30],
  ]);
});

test("severity order: the host's rank, then the newest share, then model order", () => {
  const input: OverviewInput = {
    steps: [0, 10],
    layers: [
      layer('a', 0, [
        [0, 0],
        [10, 0],
      ]),
      layer('b', 2, [
        [0, 0],
        [10, 10],
      ]),
      layer('c', 2, [
        [0, 0],
        [10, 30],
      ]),
      layer('d', 0, [
        [0, 0],
        [10, 0],
      ]),
    ],
  };
  assert.deepEqual(
    overviewGrid(input, 'health', 'severity', 50).rows.map((r) => r.name),
    ['c', 'b', 'a', 'd'],
  );
  assert.deepEqual(
    overviewGrid(input, 'health', 'model', 50).rows.map((r) => r.name),
    ['a', 'b', 'c', 'd'],
  );
});

test('drift mode: mean change since step 0 in step-0 standard deviations, largest drift first', () => {
  // Dyadic means, so the expected quotients are exact.
  const first = probe('x', 0, 0, 10, 0.25, { std: 0.5 });
  assert.equal(driftValue(probe('x', 10, 0, 10, 0.75), first), 1);
  assert.equal(driftValue(probe('x', 10, 0, 10, 0.25), first), 0);
  // A layer silent at step 0 (std 0) falls back to its mean |activation|, then to absolute units.
  assert.equal(
    driftValue(probe('x', 10, 0, 10, 0.4), probe('x', 0, 0, 10, 0.2, { std: 0, meanAbs: 0.1 })),
    2,
  );
  assert.equal(driftValue(probe('x', 10, 0, 10, 0.3), probe('x', 0, 0, 10, 0, { std: 0, meanAbs: 0 })), 0.3);
  const input: OverviewInput = {
    steps: [0, 10],
    layers: ['small', 'big'].map((name, i) => ({
      name,
      severity: 0,
      probes: [
        probe(name, 0, 0, 10, 0, { std: 1 }),
        probe(name, 10, 0, 10, i === 0 ? 0.3 : -1.5, { std: 1 }),
      ],
    })),
  };
  const grid = overviewGrid(input, 'drift', 'severity', 50);
  assert.deepEqual(
    grid.rows.map((r) => r.name),
    ['big', 'small'],
  );
  assert.deepEqual([...grid.rows[0]!.values], [0, -1.5]);
  assert.equal(grid.driftLimit, 2);
  assert.deepEqual([0.1, 0.5, 0.6, 1, 3, 7, 20].map(niceLimit), [0.5, 0.5, 1, 1, 5, 10, 20]);
});

test('the render-to-render cache gives exactly what a fresh computation gives', () => {
  const cache: OverviewCache = new Map();
  let probes: LayerProbe[][] = [[], []];
  let steps: number[] = [];
  for (let s = 0; s < 120; s++) {
    const step = s * 10;
    // Like the reducer: the previous newest is replaced by a compacted copy, then thinning drops some.
    probes = probes.map((ps, i) => {
      const compacted = ps.map((p, k) => (k === ps.length - 1 ? { ...p, fireCount: [] } : p));
      const next = [...compacted, probe(`l${i}`, step, (s * (i + 1)) % 50, 50, Math.sin(s / 7) * (i + 1))];
      return next.length > 40 ? next.filter((_, k) => k % 2 === 0 || k === next.length - 1) : next;
    });
    steps = probes[0]!.map((p) => p.step);
    for (const mode of ['health', 'drift'] as const) {
      const input: OverviewInput = {
        steps,
        layers: probes.map((ps, i) => ({ name: `l${i}`, severity: 0, probes: ps })),
      };
      const cached = overviewGrid(input, mode, 'severity', 30, cache);
      assert.deepEqual(cached, overviewGrid(input, mode, 'severity', 30), `step ${step}, ${mode}`);
    }
  }
});

test('palette: the sequential ramp brightens monotonically; drift is blue below, orange above, empty at 0', () => {
  let previous = -1;
  for (let i = 0; i <= 100; i++) {
    const l = luminance(sequentialColor(i / 100));
    assert.ok(l > previous, `luminance at ${i / 100}`);
    previous = l;
  }
  const middle: Rgb = [24, 24, 24];
  assert.deepEqual(divergingColor(0, middle), middle, 'no drift: the background');
  const [r1, , b1] = divergingColor(-1, middle);
  const [r2, , b2] = divergingColor(1, middle);
  assert.ok(b1 > r1 && r2 > b2);
  assert.deepEqual(divergingColor(5, middle), divergingColor(1, middle), 'clamped');
  const table = colorTable('sequential', middle);
  assert.equal(table.length, 3 * LUT_STEPS);
  assert.deepEqual([...table.subarray(3 * (LUT_STEPS - 1))], sequentialColor(1));
  assert.deepEqual([...colorTable('diverging', middle).subarray(0, 3)], divergingColor(-1, middle));
});
