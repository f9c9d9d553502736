// The interleaved what-if on a tiny model (cpu backend): repeatable, same start, equal series, clean cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createEmitter, type EngineEvent, type WhatIfReport } from '../../../src/protocol';
import { buildModel } from '../../../src/model/build/build';
import { eluVariant } from '../../../src/whatif/elu-variant';
import { runWhatIfPrepared } from '../../../src/whatif/run-what-if';
import { copyMatchingWeights } from '../../../src/whatif/shared-weights';
import { preparedFor, tinySpec, whatIfConfig } from './fixtures';

async function run(
  steps: number,
  overrides = {},
  onEvent: (e: EngineEvent, cancel: { cancelled: boolean }) => void = () => undefined,
) {
  const p = await preparedFor(tinySpec(), steps);
  const cancel = { cancelled: false };
  const events: EngineEvent[] = [];
  const report = await runWhatIfPrepared(
    p,
    whatIfConfig(overrides),
    createEmitter('test', (e) => {
      events.push(e);
      onEvent(e, cancel);
    }),
    cancel,
  );
  return { report, whatIf: report.whatIf as WhatIfReport, events };
}

const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

test("both arms share every initial weight whose shape matches; He kernels are B's own draw", async () => {
  await tf.setBackend('cpu');
  const spec = tinySpec();
  const v = eluVariant(spec, { switchLayers: ['hidden', 'hidden2'], heInitLayers: ['hidden2'], alpha: 1 });
  const a = await buildModel(tf, spec, 5);
  const b = await buildModel(tf, v.spec, 5);
  const shared = copyMatchingWeights(a, b, new Set(v.heInit));
  assert.deepEqual(shared.ownInit, ['hidden2/kernel']);
  assert.deepEqual(shared.unmatched, []);
  assert.equal(shared.copied.length, a.weights.length - 1);
  const wa = values(a);
  const wb = values(b);
  a.weights.forEach((w, i) => {
    if (w.originalName === 'hidden2/kernel') assert.notDeepEqual(wb[i], wa[i], 'He kernel is its own');
    else assert.deepEqual(wb[i], wa[i], w.originalName);
  });
  // He normal (std √(2/fan_in)) is wider than Glorot uniform here (std √(2/(fan_in+fan_out))).
  const std = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
  const k = a.weights.findIndex((w) => w.originalName === 'hidden2/kernel');
  assert.ok(std(wb[k]!) > std(wa[k]!));
  a.dispose();
  b.dispose();
});

test('same seed → identical loss series in both arms, run after run', async () => {
  const first = await run(16);
  const second = await run(16);
  for (const i of [0, 1]) {
    assert.deepEqual(second.whatIf.arms[i]!.training.loss, first.whatIf.arms[i]!.training.loss);
    assert.deepEqual(second.whatIf.arms[i]!.training.valLoss, first.whatIf.arms[i]!.training.valLoss);
  }
  assert.notDeepEqual(
    first.whatIf.arms[0]!.training.loss,
    first.whatIf.arms[1]!.training.loss,
    'the arms differ (ELU is not ReLU)',
  );
});

test('a layer before the switched one sees the same weights and input: identical step-0 probe', async () => {
  const { whatIf } = await run(4, { whatIfLayers: ['hidden2'] });
  const [a, b] = whatIf.arms;
  const hiddenA = a!.final.find((l) => l.layer === 'hidden')!;
  const hiddenB = b!.final.find((l) => l.layer === 'hidden')!;
  assert.equal(hiddenA.mean0, hiddenB.mean0);
  assert.equal(hiddenB.switched, false);
  assert.equal(b!.final.find((l) => l.layer === 'hidden2')!.switched, true);
  assert.equal(b!.final.find((l) => l.layer === 'hidden2')!.activation, 'elu');
  assert.deepEqual(b!.layers, ['hidden2']);
});

test('equal-length series, the report holds both arms, events name their arm', async () => {
  const { report, whatIf, events } = await run(20);
  assert.equal(whatIf.arms.length, 2);
  assert.deepEqual(
    whatIf.arms.map((a) => a.name),
    ['ReLU', 'ELU'],
  );
  const [a, b] = whatIf.arms;
  for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'valSteps'] as const) {
    assert.equal(a!.training[key].length, b!.training[key].length, key);
  }
  assert.equal(a!.training.loss.length, 20);
  assert.deepEqual(a!.training.valSteps, b!.training.valSteps);
  assert.deepEqual(a!.meanDrift[0]!.steps, b!.meanDrift[0]!.steps);
  assert.ok(a!.msPerStep > 0 && b!.msPerStep > 0);
  assert.ok(Number.isFinite(whatIf.stepTimeRatio));
  assert.equal(typeof whatIf.verdict.summary, 'string');
  assert.ok(whatIf.verdict.details.some((d) => /time per step/.test(d)));
  // The baseline is the plain analysis: the report's training is arm A's.
  assert.deepEqual(report.training.loss, a!.training.loss);
  assert.deepEqual(
    report.layers.map((l) => l.name),
    ['hidden', 'hidden2', 'out'],
  );
  for (const type of ['progress', 'probe', 'validation'] as const) {
    const arms = new Set(events.filter((e) => e.type === type).map((e) => (e as { arm?: string }).arm));
    assert.deepEqual(arms, new Set(['ReLU', 'ELU']), type);
  }
  assert.equal(events.filter((e) => e.type === 'run-started').length, 1);
  assert.deepEqual(whatIf.heInit, ['hidden', 'hidden2'], 'Glorot-default layers get He init in the ELU arm');
});

test('cancel in the middle of a round leaves two equal-length partial results', async () => {
  const { report, whatIf } = await run(30, { every: 1 }, (e, cancel) => {
    // Cancel right after arm A's probe at step 7, before arm B's.
    if (e.type === 'probe' && e.arm === 'ReLU' && e.step === 7) cancel.cancelled = true;
  });
  assert.equal(report.cancelled, true);
  assert.equal(whatIf.cancelled, true);
  const [a, b] = whatIf.arms;
  assert.equal(a!.training.loss.length, 7);
  assert.equal(b!.training.loss.length, 7);
  assert.deepEqual(a!.meanDrift[0]!.steps, b!.meanDrift[0]!.steps);
  assert.equal(a!.meanDrift[0]!.steps.at(-1), 7);
});

test('no tensors leak across a what-if run', async () => {
  await run(2);
  const before = tf.memory().numTensors;
  await run(6);
  assert.equal(tf.memory().numTensors, before);
});
