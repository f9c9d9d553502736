// One grading of severity: the dashboard's live badge and the advisor's findings agree on a probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advise, type LayerHistory } from '../../../src/advisor/rules';
import { probeHealth, worst, worstFirst, type Health } from '../../../src/severity';
import { defaultRunConfig } from '../../../src/run-config';
import { layerHealth } from '../../../webview/layer-health';
import { probe } from '../extension/fixtures';

const T = defaultRunConfig().deadThreshold;

test('the badge from a probe alone: non-finite and half dead are errors, dead at the threshold a warning', () => {
  assert.equal(probeHealth(probe('d', 5, 0, 10, 0, { nonFinite: 1 }), T), 'error');
  assert.equal(probeHealth(probe('d', 5, 5, 10, 0), T), 'error');
  assert.equal(probeHealth(probe('d', 5, 1, 10, 0), T), 'warning');
  assert.equal(probeHealth(probe('d', 5, 1, 20, 0), T), 'info');
  const saturated = { count: 2, fraction: 0.2, units: [0, 1] };
  assert.equal(probeHealth(probe('d', 5, 0, 10, 0, { saturated }), T), 'warning');
  const dormant = { count: 2, fraction: 0.2, units: [0, 1] };
  assert.equal(probeHealth(probe('d', 5, 0, 10, 0, { dormant }), T), 'info');
  assert.equal(probeHealth(probe('d', 5, 0, 10, 0), T), 'ok');
  // The run's own threshold counts: 1 dead of 20 is a warning at 0.05.
  assert.equal(probeHealth(probe('d', 5, 1, 20, 0), 0.05), 'warning');
});

test("the advisor's dead-unit finding and the badge grade a probe alike", () => {
  for (const dead of [1, 2, 3, 6]) {
    const latest = probe('dense', 10, dead, 20, 0.2);
    const history: LayerHistory = {
      name: 'dense',
      activation: 'relu',
      spec: null,
      probes: [probe('dense', 0, 0, 20, 0.2), latest],
      neverFires: null,
    };
    const finding = advise([history], null).find((f) => f.kind === 'dead-units');
    assert.equal(finding?.severity, probeHealth(latest, T), `${dead} of 20 dead`);
    assert.equal(layerHealth(latest, [finding!]), probeHealth(latest, T));
  }
});

test('worst and the sort order agree: error, warning, info, ok', () => {
  const all: Health[] = ['info', 'ok', 'error', 'warning'];
  assert.deepEqual([...all].sort(worstFirst), ['error', 'warning', 'info', 'ok']);
  assert.equal(all.reduce(worst), 'error');
});
