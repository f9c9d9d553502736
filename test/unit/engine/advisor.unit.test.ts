// Advisor rules on crafted summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  advise,
  overfittingFinding,
  DEFAULT_THRESHOLDS,
  type LayerHistory,
} from '../../../src/advisor/rules';
import type { LayerProbe, TrainingSummary } from '../../../src/protocol';

function probe(
  step: number,
  units: number,
  dead: number[],
  mean: number,
  std = 0.1,
  extra: Partial<LayerProbe> = {},
): LayerProbe {
  return {
    layer: 'dense',
    step,
    units,
    observationsPerUnit: 256,
    fireCount: Array.from({ length: units }, (_, u) => (dead.includes(u) ? 0 : 100)),
    dead: { count: dead.length, fraction: dead.length / units, units: dead },
    dormant: { count: dead.length, fraction: dead.length / units, units: dead },
    saturated: null,
    sparsity: 0.5,
    mean,
    std,
    min: 0,
    max: 3,
    meanAbs: Math.abs(mean),
    histogram: { edges: [], counts: [], underflow: 0, overflow: 0 },
    nonFinite: 0,
    ...extra,
  };
}

function history(
  probes: LayerProbe[],
  activation = 'relu',
  init: string | null = 'glorot_uniform',
): LayerHistory {
  return {
    name: 'dense',
    activation,
    spec: {
      name: 'dense',
      className: 'Dense',
      activation,
      kernelInitializer: init,
      source: { file: '/m.py', line: 12, column: 5 },
    },
    probes,
    neverFires: null,
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('≥ 10% dead is a warning with evidence, the probe size and an ELU + He suggestion', () => {
  const f = advise([history([probe(0, 100, [], 0.1), probe(50, 100, range(12), 0.1)])], null);
  const dead = f.find((x) => x.kind === 'dead-units');
  assert.ok(dead);
  assert.equal(dead.severity, 'warning');
  assert.equal(dead.evidence.deadCount, 12);
  assert.equal(dead.evidence.observationsPerUnit, 256);
  assert.match(dead.message, /12 of 100 units \(12%\)/);
  assert.deepEqual(dead.source, { file: '/m.py', line: 12, column: 5 });
  assert.equal(dead.suggestion?.kind, 'switch-to-elu');
  assert.equal(dead.suggestion?.heInit, true);
  assert.equal(dead.suggestion?.earlyStopping, true);
});

test('below the threshold dead units are info; He-initialised layers get no He suggestion', () => {
  const f = advise(
    [history([probe(0, 100, [], 0.1), probe(50, 100, range(3), 0.1)], 'relu', 'he_normal')],
    null,
  );
  const dead = f.find((x) => x.kind === 'dead-units')!;
  assert.equal(dead.severity, 'info');
  assert.equal(dead.suggestion?.heInit, false);
});

test('no findings for a healthy layer', () => {
  assert.deepEqual(
    advise([history([probe(0, 64, [], 0.2), probe(10, 64, [], 0.21), probe(20, 64, [], 0.2)])], null),
    [],
  );
});

test('dying: dead count rising across probes', () => {
  const f = advise(
    [history([probe(0, 100, [], 0.1), probe(10, 100, range(2), 0.1), probe(20, 100, range(6), 0.1)])],
    null,
  );
  const dying = f.find((x) => x.kind === 'dying');
  assert.ok(dying);
  assert.deepEqual(dying.evidence.deadCount, [0, 2, 6]);
});

test('mean drift: says how far since step 0; none for softmax outputs', () => {
  const f = advise([history([probe(0, 10, [], 0.05, 0.1), probe(30, 10, [], 0.43, 0.1)])], null);
  const drift = f.find((x) => x.kind === 'mean-drift')!;
  assert.equal(drift.evidence.drift, 0.38);
  assert.match(drift.message, /\+0\.05 at step 0 → \+0\.43 at step 30/);
  assert.equal(drift.severity, 'warning');
  assert.equal(advise([history([probe(0, 10, [], 0.1), probe(30, 10, [], 0.9)], 'softmax')], null).length, 0);
});

test('non-finite activations are an error; after training steps they mean divergence, named first', () => {
  const f = advise([history([probe(0, 10, [], 0.1), probe(5, 10, [], NaN, NaN, { nonFinite: 40 })])], null);
  assert.equal(f[0]?.kind, 'divergence');
  assert.equal(f[0]?.severity, 'error');
  assert.equal(f[1]?.kind, 'non-finite');
  assert.equal(f[1]?.severity, 'error');
});

test('saturation for ELU layers, never "dead"', () => {
  const sat = probe(9, 20, [], -0.5, 0.1, {
    saturated: { count: 5, fraction: 0.25, units: [0, 1, 2, 3, 4] },
  });
  const f = advise([history([probe(0, 20, [], -0.5), sat], 'elu')], null);
  assert.ok(f.some((x) => x.kind === 'saturation'));
  assert.ok(!f.some((x) => x.suggestion));
});

test('overfitting: validation loss rising while training loss falls', () => {
  const loss = Array.from({ length: 100 }, (_, i) => 1 - i * 0.009);
  const training: TrainingSummary = {
    steps: 100,
    loss,
    accuracy: [],
    valLoss: [0.5, 0.3, 0.25, 0.28, 0.35],
    valAccuracy: [],
    valSteps: [20, 40, 60, 80, 100],
    samplesPerSecond: 1,
    wallSeconds: 1,
    probeSeconds: 0,
  };
  const f = overfittingFinding(training);
  assert.ok(f);
  assert.equal(f.evidence.bestStep, 60);
  assert.equal(overfittingFinding({ ...training, valLoss: [0.5, 0.3, 0.25, 0.24, 0.2] }), null);
  assert.equal(DEFAULT_THRESHOLDS.deadThreshold, 0.1);
});
