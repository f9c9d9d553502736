// The wire this work added, refused where it must be: focus-layer and run-view from the host, the
// sidebar's open-in-editor, and saved runs and their summaries read back from disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkHostMessage,
  checkSavedRun,
  checkSavedRunSummary,
  checkWebviewRequest,
  isSavedRunId,
} from '../../../src/protocol';
import { savedRunFromState, summarize } from '../../../src/saved-run';
import { finishedState } from './finished-run';

const refusedAt = (r: { ok: boolean; error?: string }, at: RegExp) => {
  assert.ok(!r.ok, 'refused');
  assert.match(r.error ?? '', at);
};

test('focus-layer and run-view: layer names and labels are checked like every other', () => {
  assert.ok(checkHostMessage({ v: 1, type: 'focus-layer', layer: 'layer1.0.relu' }).ok);
  assert.ok(checkHostMessage({ v: 1, type: 'focus-layer', layer: 'Net.forward:42:relu' }).ok);
  refusedAt(checkHostMessage({ v: 1, type: 'focus-layer', layer: '<img src=x>' }), /message\.layer/);
  refusedAt(checkHostMessage({ v: 1, type: 'focus-layer' }), /message\.layer/);
  assert.ok(
    checkHostMessage({ v: 1, type: 'run-view', view: { saved: 'm.py · today', comparison: null } }).ok,
  );
  refusedAt(
    checkHostMessage({ v: 1, type: 'run-view', view: { saved: 'x'.repeat(201), comparison: null } }),
    /message\.view\.saved: 201 characters/,
  );
  refusedAt(checkHostMessage({ v: 1, type: 'run-view', view: { saved: null } }), /view\.comparison/);
});

test('open-in-editor: a layer name or null, nothing else', () => {
  assert.ok(checkWebviewRequest({ v: 1, type: 'open-in-editor', layer: 'dense' }).ok);
  assert.ok(checkWebviewRequest({ v: 1, type: 'open-in-editor', layer: null }).ok);
  refusedAt(checkWebviewRequest({ v: 1, type: 'open-in-editor', layer: 3 }), /request\.layer/);
  refusedAt(checkWebviewRequest({ v: 1, type: 'open-in-editor' }), /request\.layer/);
  // Extra fields are dropped, not passed on.
  const clear = checkWebviewRequest({ v: 1, type: 'clear-comparison', path: '/etc' });
  assert.ok(clear.ok);
  assert.deepEqual(clear.value, { v: 1, type: 'clear-comparison' });
});

test('saved runs from disk: ids that name files, probes as a state keeps them, a valid report', () => {
  for (const id of ['20250312T140215Z-5f0c8a7e', 'a', 'run_1.x']) assert.ok(isSavedRunId(id), id);
  for (const id of ['', '.hidden', '../x', 'a/b', 'a\\b', 'x'.repeat(121), 'a b'])
    assert.ok(!isSavedRunId(id), id);
  const saved = JSON.parse(JSON.stringify(savedRunFromState(finishedState())));
  assert.ok(checkSavedRun(saved).ok);
  refusedAt(checkSavedRun({ ...saved, id: '../../x' }), /saved run\.id/);
  refusedAt(checkSavedRun({ ...saved, schema: 'activation-lens/saved-run@2' }), /saved run\.schema/);
  refusedAt(
    checkSavedRun({ ...saved, report: { ...saved.report, layers: 'x' } }),
    /saved run\.report\.layers/,
  );
  const probes = structuredClone(saved.probes);
  probes[0].layers[0].histogram.counts.pop();
  refusedAt(checkSavedRun({ ...saved, probes }), /saved run\.probes\[0\]\.layers\[0\]\.histogram\.counts/);
  const summary = summarize(saved, 1234);
  assert.ok(checkSavedRunSummary(summary).ok);
  refusedAt(checkSavedRunSummary({ ...summary, bytes: -1 }), /summary\.bytes/);
  refusedAt(checkSavedRunSummary({ ...summary, origin: 'cloud' }), /summary\.origin/);
  refusedAt(checkSavedRunSummary({ ...summary, headline: 'x'.repeat(201) }), /summary\.headline/);
});
