import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyEngineEvent,
  baselineArm,
  comparisonArm,
  emptyDashboardState,
  layerTimelines,
  MAX_PROGRESS_POINTS,
} from '../../../src/dashboard-state';
import { layerHealth, sortBySeverity } from '../../../webview/layer-health';
import { fromPersisted, toPersisted } from '../../../webview/persisted-state';
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
  assert.equal(fromPersisted(null), null);
});

test('histogram scale: a zero spike is clipped so the shape shows, and the clip is stated', () => {
  assert.equal(shapeScale([4913, 40, 80, 20]), 80);
  assert.equal(shapeScale([100, 90, 10]), 100, 'no spike: the true maximum');
  assert.equal(shapeScale([0, 0]), 1);
  const h = { edges: [0, 0.5, 1, 1.5, 2], counts: [4913, 40, 80, 20], underflow: 0, overflow: 0 };
  assert.equal(clippedNote(h), 'tallest bar clipped: 4,913 at 0.25');
  assert.equal(clippedNote({ ...h, counts: [100, 90, 10, 0] }), null);
});
