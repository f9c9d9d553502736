import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyEngineEvent,
  baselineArm,
  comparisonArm,
  emptyDashboardState,
  layerTimelines,
  MAX_PROBES,
  MAX_PROGRESS_POINTS,
  probeCap,
  thinOnStepGrid,
} from '../../../src/dashboard-state';
import { layerHealth, sortBySeverity } from '../../../webview/layer-health';
import {
  fromPersisted,
  persistedProbes,
  PERSISTED_STATE_VERSION,
  throttledSave,
  toPersisted,
} from '../../../webview/persisted-state';
import { statusText } from '../../../webview/status-header';
import { clippedNote, shapeScale } from '../../../webview/histogram-scale';
import { probe, probeEvent, runStarted } from '../extension/fixtures';
import type { EngineEvent, Finding } from '../../../src/protocol';

const progress = (runId: string, step: number): EngineEvent => ({
  v: 1,
  runId,
  type: 'progress',
  step,
  totalSteps: 300,
  loss: 2 - step / 300,
  accuracy: step / 300,
  samplesPerSecond: 250,
});

test('events fold into the state; other runs are ignored; a new run resets', () => {
  let s = applyEngineEvent(emptyDashboardState(), runStarted('a', '/w/m.py'));
  assert.equal(s.status, 'running');
  s = applyEngineEvent(s, progress('a', 10));
  s = applyEngineEvent(s, progress('stale', 20));
  s = applyEngineEvent(s, probeEvent('a', 10, [probe('dense', 10, 1, 8, 0.2)]));
  assert.equal(s.progress.length, 1);
  assert.equal(s.probes.length, 1);
  assert.equal(
    statusText(s),
    'Running sequential on wasm · step 10/300 · loss 1.967 · acc 0.033 · 250 samples/s',
  );
  const failed = applyEngineEvent(s, {
    v: 1,
    runId: 'a',
    type: 'error',
    message: 'no GPU',
    file: null,
    line: null,
  });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.probes.length, 1, 'the last data stays');
  assert.match(statusText(failed), /^Failed: no GPU/);
  // A live run: no known length, and PyTorch reports no accuracy.
  const live = applyEngineEvent(s, {
    ...(progress('a', 12) as Extract<EngineEvent, { type: 'progress' }>),
    totalSteps: 0,
    accuracy: NaN,
  });
  assert.equal(statusText(live), 'Running sequential on wasm · step 12 · loss 1.960 · 250 samples/s');
  const next = applyEngineEvent(failed, runStarted('b', null));
  assert.equal(next.probes.length, 0);
  assert.equal(next.runId, 'b');
});

test('long runs are thinned, keeping step 0 and the latest', () => {
  let s = applyEngineEvent(emptyDashboardState(), runStarted('a', null));
  for (let i = 0; i <= MAX_PROGRESS_POINTS + 10; i++) s = applyEngineEvent(s, progress('a', i));
  assert.ok(s.progress.length <= MAX_PROGRESS_POINTS);
  assert.equal(s.progress[0]?.step, 0);
  assert.equal(s.progress.at(-1)?.step, MAX_PROGRESS_POINTS + 10);
});

test('thinning on a step grid keeps step 0, the newest, and even spacing', () => {
  let kept: { step: number }[] = [];
  for (let step = 0; step <= 5000; step += 3) kept = thinOnStepGrid([...kept, { step }], 400);
  assert.ok(kept.length <= 400 && kept.length >= 200, `${kept.length} kept`);
  assert.equal(kept[0]?.step, 0);
  assert.equal(kept.at(-1)?.step, 4998);
  const gaps = kept.slice(1, -1).map((e, i) => e.step - kept[i]!.step);
  assert.ok(Math.max(...gaps) <= 2 * Math.min(...gaps), `gaps ${Math.min(...gaps)}…${Math.max(...gaps)}`);
  const short = [{ step: 0 }, { step: 1 }, { step: 100000 }];
  assert.deepEqual(thinOnStepGrid(short, 400), short, 'a short list is left alone');
});

test('probe history: bounded per arm, thinned evenly, older probes without per-unit lists', () => {
  assert.equal(probeCap(4), MAX_PROBES);
  assert.equal(probeCap(200), 250);
  assert.equal(probeCap(5000), 64);
  let s = applyEngineEvent(emptyDashboardState(), runStarted('a', null));
  const layers = (step: number, edges: number[]) =>
    ['conv', 'dense'].map((name) =>
      probe(name, step, 1, 8, 0.1, {
        histogram: { edges: [...edges], counts: [1, 2, 3], underflow: 0, overflow: 0 },
      }),
    );
  for (let step = 0; step <= 3000; step += 5) {
    // A what-if run interleaves its two arms; the ranges widen once, at step 1000.
    const edges = step < 1000 ? [0, 1, 2, 3] : [0, 2, 4, 6];
    s = applyEngineEvent(s, probeEvent('a', step, layers(step, edges), 'ReLU'));
    s = applyEngineEvent(s, probeEvent('a', step, layers(step, edges), 'ELU'));
  }
  for (const arm of ['ReLU', 'ELU']) {
    const ofArm = s.probes.filter((e) => e.arm === arm);
    assert.ok(ofArm.length <= MAX_PROBES && ofArm.length >= MAX_PROBES / 2, `${arm}: ${ofArm.length}`);
    assert.equal(ofArm[0]?.step, 0, 'step 0 stays: the drift reference');
    assert.equal(ofArm.at(-1)?.step, 3000);
    const newest = ofArm.at(-1)!.layers[0]!;
    assert.equal(newest.fireCount.length, 8, 'the newest keeps its per-unit lists');
    for (const e of ofArm.slice(0, -1)) {
      const l = e.layers[0]!;
      assert.deepEqual([l.fireCount.length, l.dead.units.length, l.dead.count], [0, 0, 1]);
    }
    // Equal edges are one array: the history costs one histogram per layer-probe, not two.
    const early = ofArm.filter((e) => e.step < 1000);
    const late = ofArm.filter((e) => e.step >= 1000 && e.step < 3000);
    assert.ok(early.every((e) => e.layers[0]!.histogram.edges === early[0]!.layers[0]!.histogram.edges));
    assert.ok(late.every((e) => e.layers[0]!.histogram.edges === late[0]!.layers[0]!.histogram.edges));
    assert.deepEqual(late[0]!.layers[0]!.histogram.edges, [0, 2, 4, 6]);
  }
  const timeline = layerTimelines(s.probes, 'ReLU').get('dense')!;
  assert.equal(timeline.first.step, 0);
});

test('baseline and comparison arms of a what-if run', () => {
  assert.equal(baselineArm([]), undefined);
  assert.equal(baselineArm([{ arm: 'ELU' }, { arm: 'ReLU' }]), 'ReLU');
  assert.equal(comparisonArm([{ arm: 'ELU' }, { arm: 'ReLU' }]), 'ELU');
  assert.equal(baselineArm([{ arm: 'ELU' }, {}]), undefined);
  assert.equal(comparisonArm([{ arm: 'ELU' }, {}]), 'ELU');
  assert.equal(comparisonArm([{}, {}]), undefined);
});

test('timelines per layer (first arm only), health and severity order', () => {
  const events = [
    probeEvent('a', 0, [probe('conv2d', 0, 0, 32, 0.1), probe('dense', 0, 0, 256, 0.1)], 'relu'),
    probeEvent('a', 0, [probe('dense', 0, 0, 256, 0.0)], 'elu'),
    probeEvent('a', 50, [probe('conv2d', 50, 1, 32, 0.2), probe('dense', 50, 140, 256, 0.4)], 'relu'),
  ];
  const t = layerTimelines(events);
  assert.deepEqual([...t.keys()], ['conv2d', 'dense']);
  assert.equal(t.get('dense')?.probes.length, 2);
  assert.equal(t.get('dense')?.first.step, 0);
  assert.equal(t.get('dense')?.latest.dead.count, 140);
  const drift: Finding = {
    kind: 'mean-drift',
    layer: 'conv2d',
    severity: 'warning',
    message: '',
    evidence: {},
    source: null,
  };
  const rows = [...t.values()].map((x) => ({ probe: x.latest, health: layerHealth(x.latest, [drift]) }));
  assert.deepEqual(
    sortBySeverity(rows).map((r) => [r.probe.layer, r.health]),
    [
      ['dense', 'error'],
      ['conv2d', 'warning'],
    ],
  );
  assert.equal(layerHealth(probe('x', 0, 0, 10, 0, { nonFinite: 3 }), []), 'error');
  assert.equal(layerHealth(probe('x', 0, 0, 10, 0), []), 'ok');
});

test('persisted state: versioned, compact, restorable', () => {
  let s = applyEngineEvent(emptyDashboardState(), runStarted('a', null));
  s = applyEngineEvent(s, probeEvent('a', 0, [probe('dense', 0, 5, 256, 0.1)]));
  s = applyEngineEvent(s, probeEvent('a', 10, [probe('dense', 10, 6, 256, 0.1)]));
  const stored = JSON.parse(JSON.stringify(toPersisted(s)));
  const back = fromPersisted(stored);
  assert.ok(back);
  assert.equal(back.probes[0]?.layers[0]?.fireCount.length, 0);
  assert.equal(back.probes[1]?.layers[0]?.fireCount.length, 256);
  assert.equal(back.probes[0]?.layers[0]?.dead.count, 5);
  assert.equal(fromPersisted({ ...stored, version: 0 }), null);
  assert.equal(
    fromPersisted({ ...stored, version: 1 }),
    null,
    'states with fixed histogram edges are not reused',
  );
  assert.equal(stored.version, PERSISTED_STATE_VERSION);
  assert.equal(fromPersisted(null), null);
});

test('persisted state of a wide model: a few steps per arm, step 0 and the newest among them', () => {
  const wide = (step: number) => Array.from({ length: 200 }, (_, i) => probe(`l${i}`, step, 0, 4, 0.1));
  const probes = Array.from({ length: 100 }, (_, k) => probeEvent('a', k * 10, wide(k * 10)));
  const kept = persistedProbes(probes);
  assert.ok(kept.length <= 10 && kept.length >= 5, `${kept.length} kept`);
  assert.equal(kept[0]?.step, 0);
  assert.equal(kept.at(-1)?.step, 990);
  const narrow = probes.slice(0, 50).map((e) => ({ ...e, layers: e.layers.slice(0, 4) }));
  assert.equal(persistedProbes(narrow).length, 50, 'a narrow model keeps its history');
});

test('the persisted state is written at most once per interval, the latest value last', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const saved: number[] = [];
    const save = throttledSave((v: number) => saved.push(v), 2000);
    save(1);
    mock.timers.tick(0);
    assert.deepEqual(saved, [1], 'idle: at once');
    save(2);
    save(3);
    mock.timers.tick(1999);
    assert.deepEqual(saved, [1]);
    mock.timers.tick(1);
    assert.deepEqual(saved, [1, 3], 'then the latest when the interval ends');
    mock.timers.tick(5000);
    save(4);
    mock.timers.tick(0);
    assert.deepEqual(saved, [1, 3, 4]);
  } finally {
    mock.timers.reset();
  }
});

test('histogram scale: a zero spike is clipped so the shape shows, and the clip is stated', () => {
  assert.equal(shapeScale([4913, 40, 80, 20]), 80);
  assert.equal(shapeScale([100, 90, 10]), 100, 'no spike: the true maximum');
  assert.equal(shapeScale([0, 0]), 1);
  const h = { edges: [0, 0.5, 1, 1.5, 2], counts: [4913, 40, 80, 20], underflow: 0, overflow: 0 };
  assert.equal(clippedNote(h), 'tallest bar clipped: 4,913 at 0.25');
  assert.equal(clippedNote({ ...h, counts: [100, 90, 10, 0] }), null);
});
