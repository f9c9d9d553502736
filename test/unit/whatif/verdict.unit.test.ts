// The verdict rules on crafted arms: honest in both directions, with the numbers in the words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainingSummary, WhatIfArm, WhatIfLayerFinal } from '../../../src/protocol';
import { compareLoss, whatIfVerdict } from '../../../src/whatif/verdict';

function training(loss: number[], valLoss: number[], valAccuracy = valLoss.map(() => 0.9)): TrainingSummary {
  const every = Math.floor(loss.length / valLoss.length);
  return {
    steps: loss.length,
    loss,
    accuracy: loss.map(() => 0.9),
    valLoss,
    valAccuracy,
    valSteps: valLoss.map((_, i) => (i + 1) * every),
    samplesPerSecond: 100,
    wallSeconds: 1,
    probeSeconds: 0,
  };
}

const falling = (n: number, from: number, to: number) =>
  Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

function layer(name: string, activation: string, over: Partial<WhatIfLayerFinal> = {}): WhatIfLayerFinal {
  return {
    layer: name,
    dead: 0,
    dormant: 0,
    saturated: 0,
    mean: 0.2,
    meanAbs: 0.2,
    units: 256,
    activation,
    mean0: 0.1,
    switched: activation === 'elu',
    ...over,
  };
}

function arm(name: string, t: TrainingSummary, final: WhatIfLayerFinal[], msPerStep: number): WhatIfArm {
  return {
    name,
    layers: name === 'ELU' ? final.filter((l) => l.switched).map((l) => l.layer) : [],
    training: t,
    final,
    msPerStep,
    meanDrift: [],
  };
}

test('ELU helps: lower validation loss beyond noise, dead units removed, mean pulled to zero — all in numbers', () => {
  const relu = arm(
    'ReLU',
    training(falling(400, 2, 0.1), [0.2, 0.12, 0.09, 0.085, 0.083]),
    [layer('dense', 'relu', { dead: 98, mean: 0.41, mean0: 0.1 })],
    10,
  );
  const elu = arm(
    'ELU',
    training(falling(400, 2, 0.08), [0.18, 0.1, 0.08, 0.073, 0.071]),
    [layer('dense', 'elu', { mean: 0.06, mean0: 0.02 })],
    11.5,
  );
  const v = whatIfVerdict(relu, elu);
  assert.equal(v.helps, true);
  assert.match(v.summary, /ELU removed 38% dead units in dense and brought its mean from \+0\.41 to \+0\.06/);
  assert.match(v.summary, /validation loss 0\.071 vs 0\.083 after 400 steps/);
  assert.ok(v.details.some((d) => /dense: dead 98\/256 \(38%\) → none/.test(d)));
  assert.ok(v.details.some((d) => /ReLU 10\.0 ms, ELU 11\.5 ms \(\+15% for ELU/.test(d)));
  assert.equal(v.earlyStopping, false);
  // With He init in the ELU arm the verdict names both and says how to separate them.
  const withHe = whatIfVerdict(relu, elu, { deadThreshold: 0.1, heInit: ['dense'] });
  assert.match(withHe.summary, /^ELU with He init helps here/);
  assert.ok(withHe.details.some((d) => /He-initialises dense.*seed-grid/.test(d)));
});

test('the headline names the layer that lost the largest share of dead units', () => {
  const t = training(falling(100, 2, 0.1), [0.2, 0.1, 0.09]);
  const relu = arm(
    'ReLU',
    t,
    [
      layer('a', 'relu', { dead: 10 }),
      layer('b', 'relu', { dead: 100, mean: 0.5 }),
      layer('c', 'relu', { dead: 20 }),
    ],
    10,
  );
  const elu = arm(
    'ELU',
    training(falling(100, 2, 0.05), [0.2, 0.08, 0.06]),
    [layer('a', 'elu'), layer('b', 'elu', { mean: 0.1 }), layer('c', 'elu')],
    10,
  );
  assert.match(
    whatIfVerdict(relu, elu).summary,
    /ELU removed 39% dead units in b and brought its mean from \+0\.50 to \+0\.10/,
  );
});

test('no benefit: nothing died and validation loss is within noise', () => {
  const relu = arm(
    'ReLU',
    training(falling(400, 2, 0.1), [0.2, 0.12, 0.09, 0.085, 0.083]),
    [layer('dense', 'relu')],
    10,
  );
  const elu = arm(
    'ELU',
    training(falling(400, 2, 0.1), [0.2, 0.12, 0.09, 0.085, 0.0825]),
    [layer('dense', 'elu')],
    11,
  );
  const v = whatIfVerdict(relu, elu);
  assert.equal(v.helps, false);
  assert.match(
    v.summary,
    /^No benefit from ELU here: nothing died and validation loss is within noise \(0\.083 vs 0\.083, ±0\.00\d+\) after 400 steps\.$/,
  );
});

test('ELU worse beyond noise is said plainly, even when it removed dead units', () => {
  const relu = arm(
    'ReLU',
    training(falling(400, 2, 0.1), [0.2, 0.1, 0.08, 0.07, 0.07]),
    [layer('dense', 'relu', { dead: 30 })],
    10,
  );
  const elu = arm(
    'ELU',
    training(falling(400, 2, 0.1), [0.2, 0.12, 0.11, 0.1, 0.1]),
    [layer('dense', 'elu')],
    11,
  );
  const v = whatIfVerdict(relu, elu);
  assert.equal(v.helps, false);
  assert.match(
    v.summary,
    /^ELU is worse here: validation loss 0\.100 vs 0\.070 after 400 steps, although ELU removed 12% dead units in dense/,
  );
});

test('dead units removed but loss within noise: undecided, with a longer run suggested', () => {
  const relu = arm(
    'ReLU',
    training(falling(400, 2, 0.1), [0.2, 0.1, 0.08, 0.07, 0.07]),
    [layer('dense', 'relu', { dead: 64 })],
    10,
  );
  const elu = arm(
    'ELU',
    training(falling(400, 2, 0.1), [0.2, 0.1, 0.08, 0.07, 0.0701]),
    [layer('dense', 'elu')],
    11,
  );
  const v = whatIfVerdict(relu, elu);
  assert.equal(v.helps, null);
  assert.match(
    v.summary,
    /^Not decided yet: ELU removed 25% dead units in dense.*within noise.*a longer run would tell\.$/,
  );
});

test('validation loss rising while training loss falls → early stopping with checkpoints, per arm', () => {
  const relu = arm(
    'ReLU',
    training(falling(400, 2, 0.1), [0.2, 0.1, 0.08, 0.07, 0.068]),
    [layer('dense', 'relu')],
    10,
  );
  const elu = arm(
    'ELU',
    training(falling(400, 2, 0.02), [0.15, 0.06, 0.07, 0.09, 0.11]),
    [layer('dense', 'elu')],
    11,
  );
  const v = whatIfVerdict(relu, elu);
  assert.equal(v.earlyStopping, true);
  assert.ok(
    v.details.some((d) =>
      /^ELU: Validation loss rose from 0\.0600 at step 160 to 0\.1100 at step 400 while training loss kept falling.*checkpoint/.test(
        d,
      ),
    ),
  );
  assert.ok(!v.details.some((d) => /^ReLU: Validation loss rose/.test(d)));
});

test('too few steps, divergence, and the training-loss fallback', () => {
  const short = whatIfVerdict(
    arm('ReLU', training([1, 0.9, 0.8], []), [layer('d', 'relu', { dead: 10 })], 5),
    arm('ELU', training([1, 0.8, 0.7], []), [layer('d', 'elu')], 6),
  );
  assert.equal(short.helps, null);
  assert.match(short.summary, /^Too short to judge: 3 steps per arm/);

  const nan = whatIfVerdict(
    arm('ReLU', training([...falling(20, 1, 0.5), NaN], []), [layer('d', 'relu')], 5),
    arm('ELU', training(falling(21, 1, 0.5), []), [layer('d', 'elu')], 6),
  );
  // A diverged arm decides nothing: ELU "keeping on" at a rate where ReLU diverged is no win.
  assert.equal(nan.helps, null);
  assert.match(
    nan.summary,
    /diverged in ReLU \(loss not finite from step 21\); ELU kept training.*lower the learning rate/,
  );

  // No validation: the last quarter of training loss, judged against 2 standard errors.
  const a = training(falling(100, 1, 0.5), []);
  const b = training(falling(100, 1, 0.3), []);
  const c = compareLoss(a, b)!;
  assert.equal(c.metric, 'training loss');
  assert.ok(c.elu < c.baseline);
  const v = whatIfVerdict(arm('ReLU', a, [layer('d', 'relu')], 5), arm('ELU', b, [layer('d', 'elu')], 6));
  assert.equal(v.helps, true);
  assert.match(v.summary, /training loss 0\.3\d\d vs 0\.5\d\d after 100 steps/);
});

test('noise: a steady trend is not noise, jitter is', async () => {
  const { wobble } = await import('../../../src/whatif/verdict');
  assert.ok(wobble([0.3, 0.2, 0.1]) < 1e-12);
  assert.ok(wobble([0.1, 0.2, 0.1]) > 0.05);
  assert.equal(wobble([0.1, 0.2]), 0);
});

test('an arm that diverged without NaN is never an ELU win, however much lower its loss', () => {
  // lr = 10 on the example: both losses far above their start, one class predicted.
  const diverged = (end: number) => {
    const t = training([2.3, ...Array.from({ length: 39 }, () => end)], [end, end, end]);
    return { ...t, accuracy: t.loss.map(() => 0.09) };
  };
  const healthy = training(falling(40, 2.3, 0.3), [0.5, 0.4, 0.35]);
  const reluDead = [layer('dense', 'relu', { dead: 99 })];
  const eluLayer = [layer('dense', 'elu')];
  const both = whatIfVerdict(
    arm('ReLU', diverged(14.8), reluDead, 5),
    arm('ELU', diverged(9.2), eluLayer, 6),
    {
      deadThreshold: 0.1,
      classes: 10,
    },
  );
  assert.equal(both.helps, null, 'a lower diverged loss is no win');
  assert.match(
    both.summary,
    /^Training diverged in both arms \(ReLU: loss 2\.3 → 14\.8, accuracy at chance; ELU: loss 2\.3 → 9\.2/,
  );
  assert.match(both.summary, /lower the learning rate and run the what-if again/);
  const reluOnly = whatIfVerdict(arm('ReLU', diverged(14.8), reluDead, 5), arm('ELU', healthy, eluLayer, 6), {
    deadThreshold: 0.1,
    classes: 10,
  });
  assert.equal(reluOnly.helps, null);
  assert.match(reluOnly.summary, /says nothing about ELU/);
  const eluOnly = whatIfVerdict(arm('ReLU', healthy, reluDead, 5), arm('ELU', diverged(14.8), eluLayer, 6), {
    deadThreshold: 0.1,
    classes: 10,
  });
  assert.equal(eluOnly.helps, false);
  assert.match(
    eluOnly.summary,
    /^ELU diverged here \(loss 2\.3 → 14\.8, accuracy at chance\) while the ReLU arm kept training/,
  );
  // Activations that exploded count where the loss did not fall.
  const flat = training(
    Array.from({ length: 40 }, () => 2.3),
    [2.3, 2.3, 2.3],
  );
  const exploding: WhatIfArm = {
    ...arm('ReLU', flat, reluDead, 5),
    meanDrift: [{ layer: 'dense', steps: [0, 20, 40], mean: [0.05, 40, 9e9] }],
  };
  const v = whatIfVerdict(exploding, arm('ELU', healthy, eluLayer, 6));
  assert.equal(v.helps, null);
  assert.match(v.summary, /dense's activations grew 1\.8e11×/);
});
