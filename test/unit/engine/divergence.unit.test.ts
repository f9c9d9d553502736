// Divergence named first, from the series alone (engine or live), with "lower the learning rate";
// the units it killed get no ELU advice and its loss is never called overfitting. Series shaped like
// the learning-rate sweep of the example (docs/elu.md, "When training diverges").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectDivergence, chanceCeiling } from '../../../src/advisor/divergence';
import { advise, type LayerHistory } from '../../../src/advisor/rules';
import { UNKNOWN_RUN, type RunContext } from '../../../src/advisor/run-fault';
import { runFindings } from '../../../src/analysis/findings';
import type { LayerProbe, TrainingSummary } from '../../../src/protocol';
import { defaultRunConfig } from '../../../src/run-config';
import { probe } from '../extension/fixtures';
import { specOf } from '../whatif/fixtures';

const STEPS = 40;

function training(loss: number[], accuracy: number[], valLoss: number[] = []): TrainingSummary {
  return {
    steps: loss.length,
    loss,
    accuracy,
    valLoss,
    valAccuracy: valLoss.map(() => 0.1),
    valSteps: valLoss.map((_, i) => Math.round(((i + 1) * loss.length) / valLoss.length)),
    samplesPerSecond: 1,
    wallSeconds: 1,
    probeSeconds: 0,
  };
}

/** lr = 10 on the example: 2.29 at step 1, then the clipped loss ≈ 14.6 and one class predicted. */
const divergedLoss = [2.29, ...Array.from({ length: STEPS - 1 }, (_, i) => 14.5 + 0.1 * (i % 3))];
const divergedAccuracy = [0.1, ...Array.from({ length: STEPS - 1 }, (_, i) => 0.08 + 0.01 * (i % 3))];
/** lr = 0.001: the loss falls, accuracy climbs past 90%. */
const healthyLoss = Array.from({ length: STEPS }, (_, i) => 2.29 * Math.exp(-i / 19));
const healthyAccuracy = Array.from({ length: STEPS }, (_, i) => Math.min(0.93, 0.1 + i * 0.03));

/** A ReLU layer whose mean |activation| goes from `from` to `to` over the run; `dead` at the end. */
function layer(
  name: string,
  from: number,
  to: number,
  dead: number,
  units = 256,
  extra: Partial<LayerProbe> = {},
): LayerHistory {
  const probes = [0, 10, 20, 40].map((step, i) => {
    const m = from * (to / from) ** (i / 3);
    return probe(name, step, i === 3 ? dead : 0, units, m, i === 3 ? extra : {});
  });
  return {
    name,
    activation: 'relu',
    spec: {
      name,
      className: 'Dense',
      activation: 'relu',
      kernelInitializer: 'glorot_uniform',
      source: { file: '/m.py', line: 7, column: 1 },
    },
    probes,
    neverFires: null,
  };
}

const known = (over: Partial<RunContext>): RunContext => ({ ...UNKNOWN_RUN, ...over });

test('the measured divergence: first, an error, with the rate and the evidence; no ELU for its dead units', () => {
  const histories = [layer('conv2d', 0.028, 67, 7, 32), layer('dense', 0.0565, 9.9e9, 99)];
  // A validation loss that "rises while training loss falls" inside a diverged run is not overfitting.
  const t = training(divergedLoss, divergedAccuracy, [14.8, 13.9, 14.2, 14.9]);
  const f = advise(
    histories,
    t,
    undefined,
    known({ learningRate: 10, classes: 10, optimizer: 'adam', usualLearningRate: 0.001 }),
  );
  const d = f[0]!;
  assert.equal(d.kind, 'divergence');
  assert.equal(d.severity, 'error');
  assert.equal(d.layer, null);
  assert.match(
    d.message,
    /^Training diverged: the loss rose from 2\.29 at step 1 to 14\.6 \(median of the last 5 steps\)/,
  );
  assert.match(d.message, /training accuracy 9\.\d% at chance \(10\.0% for 10 classes\)/);
  assert.match(
    d.message,
    /dense's activations exploded: mean \|activation\| 0\.0565 at step 0 → 9\.9e9 at step 40 \(1\.8e11×\)/,
  );
  assert.match(
    d.message,
    /Lower the learning rate: it was 10; try 1 \(10× lower\).*Adam's usual rate is 0\.001/,
  );
  assert.equal(d.evidence.startLoss, 2.29);
  assert.equal(d.evidence.endLoss, 14.6);
  assert.equal(d.evidence.chance, 0.1);
  assert.equal(d.evidence.explodedLayer, 'dense');
  assert.equal(d.evidence.learningRate, 10);
  assert.equal(d.evidence.suggestedLearningRate, 1);
  assert.deepEqual(d.source, { file: '/m.py', line: 7, column: 1 }, 'points at the exploded layer');
  const dead = f.filter((x) => x.kind === 'dead-units');
  assert.equal(dead.length, 2, 'the dead units are still reported');
  for (const x of dead) assert.match(x.message, /Follows the divergence above: no ELU advice/);
  assert.ok(!f.some((x) => x.suggestion), 'no ELU suggestion anywhere');
  assert.ok(!f.some((x) => x.kind === 'overfitting'));
  assert.ok(!f.slice(1).some((x) => x.kind === 'divergence'), 'named once');
});

test('healthy training is not divergence: the ELU advice stays', () => {
  const histories = [layer('dense', 0.0565, 0.87, 37)];
  const f = advise(
    histories,
    training(healthyLoss, healthyAccuracy),
    undefined,
    known({ learningRate: 0.001, classes: 10 }),
  );
  assert.ok(!f.some((x) => x.kind === 'divergence'));
  assert.equal(f.find((x) => x.kind === 'dead-units')?.suggestion?.kind, 'switch-to-elu');
  assert.equal(detectDivergence(training(healthyLoss, healthyAccuracy), [], 10), null);
});

test('a rate too low (loss flat, accuracy at chance) is not divergence: lowering it would be wrong', () => {
  const flat = Array.from({ length: STEPS }, (_, i) => 2.303 - 0.0004 * i + 0.01 * Math.sin(i));
  const chance = Array.from({ length: STEPS }, (_, i) => 0.09 + 0.02 * Math.sin(i));
  assert.equal(detectDivergence(training(flat, chance), [], 10), null);
  // Even where a layer's scale grows, a falling loss is not divergence.
  const grows = [{ layer: 'd', steps: [0, 40], meanAbs: [0.01, 5], nonFinite: [0, 0] }];
  assert.equal(detectDivergence(training(healthyLoss, healthyAccuracy), grows, 10), null);
});

test('a logits loss that explodes to 1.7e15 is divergence, not overfitting', () => {
  const loss = [2.3, 40, 3e3, 1e6, ...Array.from({ length: 36 }, (_, i) => 1.7e15 * (1 - i / 100))];
  const t = training(
    loss,
    loss.map(() => 0.1),
    [2e15, 1.2e15, 1.5e15, 1.9e15],
  );
  const f = advise([layer('dense', 0.05, 0.05, 0)], t, undefined, known({ learningRate: 1, classes: 10 }));
  assert.equal(f[0]?.kind, 'divergence');
  assert.match(f[0]!.message, /to 1\.\de15/);
  assert.ok(!f.some((x) => x.kind === 'overfitting'));
});

test('a pretrained model wrecked to chance is divergence; chance needs the loss to rise', () => {
  const loss = [0.05, ...Array.from({ length: 39 }, () => 2.31)];
  const d = detectDivergence(
    training(
      loss,
      loss.map(() => 0.1),
    ),
    [],
    10,
  );
  // 2.31 is not 2 × max(0.05, ln 10): the loss rule alone would miss it, guessing at a risen loss does not.
  assert.deepEqual(d?.signs, ['chance']);
  assert.ok(Math.abs(chanceCeiling(10) - 0.15) < 1e-12);
  assert.ok(Math.abs(chanceCeiling(2) - 0.6) < 1e-12);
});

test('a non-finite loss: divergence from the step it appeared, with the rate to lower', () => {
  const loss = [...healthyLoss.slice(0, 30), 1e9, NaN];
  const f = advise(
    [layer('dense', 0.05, 0.5, 0)],
    training(
      loss,
      loss.map(() => 0.5),
    ),
    undefined,
    known({ learningRate: 0.5 }),
  );
  assert.equal(f[0]?.kind, 'divergence');
  assert.match(f[0]!.message, /the first NaN\/Inf appeared in the loss at step 32/);
  assert.match(f[0]!.message, /it was 0\.5; try 0\.05/);
});

test('non-finite activations after training steps lead as divergence; the layer keeps its own error', () => {
  const h = layer('dense', 0.1, 0.1, 0, 10, { nonFinite: 40, mean: NaN, meanAbs: NaN });
  const f = advise([h], null);
  assert.equal(f[0]?.kind, 'divergence');
  assert.match(f[0]!.message, /first NaN\/Inf appeared in dense's output at step 40/);
  assert.match(
    f[0]!.message,
    /Lower the learning rate \(e\.g\. 10× lower\)/,
    'rate unknown: no number invented',
  );
  assert.equal(f[1]?.kind, 'non-finite');
  assert.equal(f[1]?.severity, 'error');
});

test('NaN already at step 0 is not divergence: the data or the weights hold it', () => {
  const h: LayerHistory = {
    ...layer('dense', 0.1, 0.1, 0, 10),
    probes: [probe('dense', 0, 0, 10, NaN, { nonFinite: 5 })],
  };
  const f = advise([h], null);
  assert.equal(f[0]?.kind, 'non-finite');
  assert.equal(f[0]?.layer, null);
  assert.match(f[0]!.message, /before any training step/);
  assert.ok(!f.some((x) => x.kind === 'divergence'));
});

test("the engine's diagnosis goes into the message: NaN in the data → non-finite, never 'lower the rate'", () => {
  const h = layer('dense', 0.1, 0.1, 3, 10);
  const loss = [...healthyLoss.slice(0, 5), NaN];
  const fault = {
    step: 6,
    trigger: 'loss' as const,
    origin: {
      kind: 'input' as const,
      split: 'training data' as const,
      values: 3,
      samples: 1,
      firstSample: 117,
    },
  };
  const f = advise(
    [h],
    training(
      loss,
      loss.map(() => 0.5),
    ),
    undefined,
    known({ learningRate: 0.001, fault }),
  );
  assert.equal(f[0]?.kind, 'non-finite');
  assert.match(
    f[0]!.message,
    /the input data: the training data holds 3 NaN\/Inf values in 1 sample \(the first is sample 117\)/,
  );
  assert.match(f[0]!.message, /Fix or drop those samples/);
  assert.doesNotMatch(f[0]!.message, /learning rate/);
  assert.equal(f[0]?.evidence.origin, 'input');
  assert.ok(!f.some((x) => x.suggestion), 'no ELU advice from a run that stopped on NaN');

  // Weights that became NaN during training: divergence, with where it showed first.
  const grown = {
    step: 12,
    trigger: 'probe' as const,
    origin: { kind: 'weights' as const, layer: 'dense', weight: 'bias', values: 4, size: 10 },
  };
  const g = advise(
    [h],
    training(healthyLoss.slice(0, 12), healthyAccuracy.slice(0, 12)),
    undefined,
    known({ learningRate: 3, fault: grown }),
  );
  assert.equal(g[0]?.kind, 'divergence');
  assert.match(g[0]!.message, /the weights of dense: 4 of 10 values of its bias are NaN\/Inf/);
  assert.equal(g[0]?.evidence.stoppedAtStep, 12);
});

test('runFindings: the divergence leads even the reader findings; live runs without a rate or classes too', () => {
  const spec = specOf([
    {
      class_name: 'Dense',
      config: { name: 'dense', units: 256, activation: 'relu', batch_input_shape: [null, 6] },
    },
    { class_name: 'Dense', config: { name: 'out', units: 10, activation: 'softmax' } },
  ]);
  spec.issues.push({
    file: '/m.py',
    line: 3,
    column: 1,
    message: 'a custom layer was skipped',
    severity: 'error',
  });
  const events: unknown[] = [];
  const f = runFindings(
    spec,
    [layer('dense', 0.0565, 9.9e9, 99)],
    training(divergedLoss, divergedAccuracy),
    { ...defaultRunConfig(), learningRate: null },
    (e) => events.push(e),
  );
  assert.equal(f[0]?.kind, 'divergence');
  assert.equal(f[1]?.kind, 'source');
  // Classes from the output layer (10): accuracy is judged against chance even for a live run.
  assert.match(f[0]!.message, /at chance \(10\.0% for 10 classes\)/);
  // A live run's rate is unknown unless its source or config says it: no number is invented.
  assert.match(f[0]!.message, /Lower the learning rate \(e\.g\. 10× lower\)/);
  assert.equal(events.length, 1);
});
