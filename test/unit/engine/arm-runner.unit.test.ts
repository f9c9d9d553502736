// The one training loop on a tiny model (cpu): the analysis is its one-arm case, and a cancel means
// the same for one arm as for several — the round finishes, the state reached is probed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { runArms, type ArmSetup, type CancelToken } from '../../../src/analysis/arm-runner';
import type { Prepared } from '../../../src/analysis/prepare';
import { buildModel } from '../../../src/model/build/build';
import { createEmitter, type EngineEvent, type RunConfig } from '../../../src/protocol';
import { preparedFor, tinySpec, whatIfConfig } from '../whatif/fixtures';

async function run(
  arms: number,
  steps: number,
  overrides: Partial<RunConfig>,
  onEvent: (e: EngineEvent, cancel: CancelToken) => void = () => undefined,
  cancelled = false,
) {
  const p: Prepared = await preparedFor(tinySpec(), steps);
  const config = whatIfConfig({ whatIf: null, ...overrides });
  const setups: ArmSetup[] = [];
  for (let i = 0; i < arms; i++)
    setups.push({ name: `arm${i}`, spec: p.spec, model: await buildModel(tf, p.spec, 3), layers: [] });
  const cancel: CancelToken = { cancelled };
  const events: EngineEvent[] = [];
  const emit = createEmitter('t', (e) => {
    events.push(e);
    onEvent(e, cancel);
  });
  try {
    return { runs: await runArms(p, setups, config, emit, cancel), events };
  } finally {
    setups.forEach((s) => s.model.dispose());
  }
}

const probeSteps = (events: EngineEvent[], arm?: string) =>
  events.filter((e) => e.type === 'probe' && e.arm === arm).map((e) => (e as { step: number }).step);

test('one arm: events carry no arm name; the budget is trained and the last step probed', async () => {
  const { runs, events } = await run(1, 12, { every: 5 });
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.training.steps, 12);
  assert.ok(events.every((e) => !('arm' in e)));
  assert.deepEqual(probeSteps(events), [0, 5, 10, 12]);
  const last = events.filter((e) => e.type === 'progress').at(-1);
  assert.equal(last?.type === 'progress' && last.step, 12, 'the last step always reports progress');
});

for (const arms of [1, 3]) {
  test(`${arms} arm(s): a cancel during a step → the round finishes, scheduled work is skipped, one final probe`, async () => {
    // 8 steps: a validation is due after every step, and with --every 1 a probe too.
    const { runs, events } = await run(arms, 8, { every: 1 }, (e, cancel) => {
      // The first progress event is sent after the round's steps, before the scheduled probe and
      // validation: as if Stop came during step 1.
      if (e.type === 'progress' && e.step === 1) cancel.cancelled = true;
    });
    const arm = (i: number) => (arms > 1 ? `arm${i}` : undefined);
    for (let i = 0; i < arms; i++) {
      assert.equal(runs[i]!.training.steps, 1);
      assert.equal(runs[i]!.training.loss.length, 1);
      assert.deepEqual(probeSteps(events, arm(i)), [0, 1], 'the state reached is probed once');
      assert.ok(runs[i]!.histories.every((h) => h.probes.at(-1)?.step === 1));
      assert.deepEqual(runs[i]!.training.valSteps, [], 'the due validation is skipped');
    }
    assert.equal(events.filter((e) => e.type === 'progress').length, arms, 'one progress per arm');
  });
}

test('a cancel right after a scheduled probe takes no second probe of the same step', async () => {
  const { runs, events } = await run(2, 30, { every: 1 }, (e, cancel) => {
    if (e.type === 'probe' && e.arm === 'arm1' && e.step === 7) cancel.cancelled = true;
  });
  assert.deepEqual(
    runs.map((r) => r.training.steps),
    [7, 7],
  );
  assert.deepEqual(probeSteps(events, 'arm0').slice(-2), [6, 7]);
  assert.deepEqual(probeSteps(events, 'arm1').slice(-2), [6, 7]);
});

test('cancelled before the first step: the step-0 probe only, equal (empty) series', async () => {
  const { runs, events } = await run(2, 30, { every: 1 }, () => undefined, true);
  assert.deepEqual(
    runs.map((r) => r.training.steps),
    [0, 0],
  );
  assert.deepEqual(probeSteps(events, 'arm0'), [0]);
  assert.ok(runs.every((r) => Number.isNaN(r.msPerStep)));
});

test('a non-finite loss stops every arm at that step, probed and said', async () => {
  const { runs, events } = await run(2, 30, { every: 10, learningRate: 1e30 });
  const steps = runs.map((r) => r.training.steps);
  assert.equal(steps[0], steps[1]);
  assert.ok(steps[0]! < 30, `stopped at ${steps[0]}`);
  assert.ok(
    !Number.isFinite(runs[0]!.training.loss.at(-1)!) || !Number.isFinite(runs[1]!.training.loss.at(-1)!),
  );
  assert.equal(probeSteps(events, 'arm0').at(-1), steps[0]);
  assert.ok(events.some((e) => e.type === 'log' && /loss became .* every arm stopped here/.test(e.message)));
});
