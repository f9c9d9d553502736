// A saved run and back: what is kept (the report, the probe history within its budget), the finished
// dashboard state rebuilt from it (valid on the wire, drawing what the live one drew), the ghost
// series of a comparison, and the headline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkHostMessage,
  checkSavedRun,
  hostMessage,
  type ProbeEvent,
  type Report,
  type SavedRun,
} from '../../../src/protocol';
import {
  comparisonFromReport,
  probesForSaving,
  runHeadline,
  SAVED_LAYER_PROBES,
  savedRunFromState,
  stateFromSavedRun,
} from '../../../src/saved-run';
import { layerTimelines } from '../../../src/dashboard-state';
import { emptyReport, probe, probeEvent } from '../extension/fixtures';
import { finishedState } from './finished-run';

/** Through JSON and the validator, as the store and the webview read it. */
function roundTrip(saved: SavedRun): SavedRun {
  const parsed = checkSavedRun(JSON.parse(JSON.stringify(saved)));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.value;
}

test('a run without a report is not saved; a finished one is, under a file-safe id', () => {
  const state = finishedState({ runId: '5f0c8a7e-1d2b-4c3d-9e8f-0123456789ab' });
  assert.equal(savedRunFromState({ ...state, report: null }), null);
  const saved = savedRunFromState(state, new Date('2025-03-12T14:02:15.123Z'))!;
  assert.equal(saved.id, '20250312T140215Z-5f0c8a7e-1d2');
  assert.equal(saved.savedAt, '2025-03-12T14:02:15.123Z');
  assert.equal(saved.report, state.report);
  assert.equal(saved.probes.length, 5);
});

test('the saved state draws what the live one drew: same layers, steps, series and findings', () => {
  const live = finishedState();
  const state = stateFromSavedRun(roundTrip(savedRunFromState(live)!));
  const message = checkHostMessage(hostMessage({ type: 'state', state }));
  assert.ok(message.ok, message.ok ? '' : message.error);
  assert.equal(state.status, 'finished');
  assert.equal(state.started?.model.name, 'mnist_cnn');
  assert.equal(state.started?.backend, 'wasm');
  const timelines = layerTimelines(state.probes);
  const liveTimelines = layerTimelines(live.probes);
  assert.deepEqual([...timelines.keys()], [...liveTimelines.keys()]);
  assert.deepEqual(
    timelines.get('dense')!.probes.map((p) => [p.step, p.dead.count, p.histogram.counts]),
    liveTimelines.get('dense')!.probes.map((p) => [p.step, p.dead.count, p.histogram.counts]),
  );
  // Loss and accuracy for every step (the report's), validation at its steps.
  assert.deepEqual(
    state.progress.map((p) => p.step),
    Array.from({ length: 40 }, (_, i) => i + 1),
  );
  assert.equal(state.progress[0]!.loss, 2.3);
  assert.deepEqual(
    state.validation.map((v) => [v.step, v.valLoss]),
    [[40, 1.5]],
  );
  assert.deepEqual(state.findings, live.report!.findings);
  // The newest probe keeps its unit lists (the dashboard shows them); older ones are compacted.
  assert.equal(state.probes.at(-1)!.layers[1]!.dead.units.length, 26);
  assert.ok(state.probes.slice(0, -1).every((p) => p.layers.every((l) => l.compacted === true)));
  const stopped = stateFromSavedRun(roundTrip(savedRunFromState(finishedState({ cancelled: true }))!));
  assert.equal(stopped.status, 'cancelled');
});

test('a what-if run keeps both arms: progress and probes under their arm names', () => {
  const live = finishedState();
  const arm = (name: string) => ({
    name,
    layers: name === 'ELU' ? ['dense'] : [],
    training: live.report!.training,
    final: [],
    msPerStep: 10,
    meanDrift: [],
  });
  const report: Report = {
    ...live.report!,
    whatIf: {
      arms: [arm('ReLU'), arm('ELU')],
      verdict: { helps: true, summary: 'ELU helps', details: [], earlyStopping: true },
      alpha: 1,
      heInit: ['dense'],
      sharedWeights: { copied: 4, ownInit: [], unmatched: [] },
      stepTimeRatio: 1.1,
      notes: [],
      cancelled: false,
    },
  };
  const probes: ProbeEvent[] = [
    ...live.probes.map((p) => ({ ...p, arm: 'ReLU' })),
    ...live.probes.map((p) => ({ ...p, arm: 'ELU' })),
  ];
  const state = stateFromSavedRun(roundTrip(savedRunFromState({ ...live, report, probes })!));
  assert.deepEqual([...new Set(state.progress.map((p) => p.arm))], ['ReLU', 'ELU']);
  assert.equal(state.probes.filter((p) => p.arm === 'ELU').length, 5);
  assert.equal(runHeadline(report), 'ELU what-if: helps · dense 41% dead');
});

test('a wide model keeps a bounded history: SAVED_LAYER_PROBES per arm, step 0 and the newest', () => {
  const layers = Array.from({ length: 200 }, (_, i) => `layer${i}`);
  const probes = Array.from({ length: 300 }, (_, step) =>
    probeEvent(
      'w',
      step,
      layers.map((name) => probe(name, step, 0, 8, 0.1)),
    ),
  );
  const kept = probesForSaving(probes);
  assert.ok(kept.length * layers.length <= SAVED_LAYER_PROBES, `${kept.length} probe steps kept`);
  assert.ok(kept.length >= SAVED_LAYER_PROBES / layers.length / 2, `${kept.length} probe steps kept`);
  assert.equal(kept[0]!.step, 0);
  assert.equal(kept.at(-1)!.step, 299);
  assert.equal(kept.at(-1)!.layers[0]!.fireCount.length, 8);
  const narrow = probesForSaving(probes.slice(0, 10).map((p) => ({ ...p, layers: p.layers.slice(0, 4) })));
  assert.equal(narrow.length, 10, 'a narrow model keeps every step');
});

test('a comparison carries only the series the trend charts draw, and passes the wire check', () => {
  const report = finishedState({ deadAtEnd: 0.14 }).report!;
  const comparison = comparisonFromReport(report, 'previous run · 12 Mar 14:02');
  assert.deepEqual(
    comparison.layers.map((l) => l.name),
    ['conv2d', 'dense'],
  );
  assert.deepEqual(
    comparison.layers[1]!.deadFraction.map((p) => p.step),
    [0, 10, 20, 30, 40],
  );
  const parsed = checkHostMessage(hostMessage({ type: 'run-view', view: { saved: null, comparison } }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  const refused = checkHostMessage({
    v: 1,
    type: 'run-view',
    view: {
      saved: null,
      comparison: { ...comparison, layers: [{ name: '<b>', deadFraction: [], meanDrift: [] }] },
    },
  });
  assert.ok(!refused.ok);
  assert.match(refused.error, /view\.comparison\.layers\[0\]\.name/);
});

test('headlines: the worst layer by dead or saturated share; stopped runs say so', () => {
  const report = finishedState().report!;
  assert.equal(runHeadline(report), 'dense 41% dead');
  assert.equal(runHeadline({ ...report, cancelled: true }), 'dense 41% dead (stopped)');
  const elu = {
    ...report,
    layers: report.layers.map((l) => ({
      ...l,
      dead: { count: 0, fraction: 0, units: [] },
      saturated: l.name === 'dense' ? { count: 2, fraction: 2 / 64, units: [0, 1] } : null,
    })),
  };
  assert.equal(runHeadline(elu), 'dense 3% saturated');
  const healthy = { ...elu, layers: elu.layers.map((l) => ({ ...l, saturated: null })) };
  assert.equal(runHeadline(healthy), 'no dead units');
  assert.equal(runHeadline(emptyReport()), '0 findings');
});
