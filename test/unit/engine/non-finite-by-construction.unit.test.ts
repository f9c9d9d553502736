// Ground truth by construction for NaN / Inf: units with a NaN bias are neither dead nor firing (on
// every backend, also where a fused ReLU turns NaN into 0), and a run stops at the first non-finite
// probe or loss, naming where it came from: the data, a layer's weights, or the first layer whose
// output is non-finite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { runArms, type CancelToken } from '../../../src/analysis/arm-runner';
import { runFindings } from '../../../src/analysis/findings';
import { buildModel } from '../../../src/model/build/build';
import { diagnoseNonFinite } from '../../../src/probe/non-finite-origin';
import { Prober } from '../../../src/probe/prober';
import { createEmitter, type EngineEvent } from '../../../src/protocol';
import { seededRandom } from '../../../src/training/rng';
import { preparedFor, tinySpec, whatIfConfig } from '../whatif/fixtures';

const NAN_UNITS = [2, 5];
const DEAD_UNITS = [0, 11];

function inputs(n: number, size: number): Float32Array {
  const r = seededRandom(3);
  return Float32Array.from({ length: n * size }, () => r());
}

/** Sets `layer`'s bias: NaN for NAN_UNITS, −1e4 (dead) for DEAD_UNITS, 0.5 elsewhere. */
function poisonBias(m: tf.LayersModel, layer: string, units: number): void {
  const l = m.getLayer(layer);
  const [k] = l.getWeights();
  const bias = tf.tensor1d(
    Array.from({ length: units }, (_, u) =>
      NAN_UNITS.includes(u) ? NaN : DEAD_UNITS.includes(u) ? -1e4 : 0.5,
    ),
  );
  const kernel = tf.abs(k!).mul(0.1);
  l.setWeights([kernel, bias]);
  [kernel, bias].forEach((t) => t.dispose());
}

/**
 * A poisoned bias in a fused Dense+ReLU, or in a linear Dense followed by a ReLU layer (the PyTorch
 * way). One poisoned layer per model: on cpu a NaN reaches every unit of the next layer.
 */
function model(kind: 'fused' | 'separate'): tf.LayersModel {
  const hidden =
    kind === 'fused'
      ? [tf.layers.dense({ inputShape: [6], units: 12, activation: 'relu', name: 'fused' })]
      : [tf.layers.dense({ inputShape: [6], units: 12, name: 'linear' }), tf.layers.reLU({ name: 'relu' })];
  const m = tf.sequential({
    layers: [...hidden, tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' })],
  });
  poisonBias(m, kind === 'fused' ? 'fused' : 'linear', 12);
  return m;
}

for (const backend of ['cpu', 'wasm']) {
  test(`a NaN bias: its units are neither dead nor firing; dead units stay exactly the constructed ones (${backend})`, async () => {
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    assert.ok(await tf.setBackend(backend));
    for (const kind of ['fused', 'separate'] as const) {
      const m = model(kind);
      const prober = new Prober(tf, m, inputs(20, 6), [6], 0.025);
      const layers = await prober.probe(0);
      const name = kind === 'fused' ? 'fused' : 'relu';
      const l = layers.find((x) => x.layer === name)!;
      assert.deepEqual(l.dead.units, DEAD_UNITS, `${name}: only the −1e4 units are dead`);
      for (const u of NAN_UNITS) {
        assert.equal(l.fireCount[u], 0, `${name}[${u}] never fired`);
        assert.ok(!l.dormant.units.includes(u), `${name}[${u}] is not dormant either`);
      }
      // The poisoned layer's weights are seen even where its fused ReLU swallows the NaN (wasm).
      assert.deepEqual(prober.nonFiniteWeights, [kind === 'fused' ? 'fused' : 'linear']);
      if (kind === 'separate')
        assert.equal(layers.find((x) => x.layer === 'linear')!.nonFinite, 20 * NAN_UNITS.length);
      prober.dispose();
      m.dispose();
    }
  });
}

test('the origin: data first, then the first layer with NaN weights, then the first non-finite output', async () => {
  await tf.setBackend('cpu');
  const clean = inputs(20, 6);
  const sampleShape = [6];
  const m = model('fused');
  const weights = await diagnoseNonFinite(tf, m, { probe: clean, train: clean, sampleShape });
  assert.deepEqual(weights, { kind: 'weights', layer: 'fused', weight: 'bias', values: 2, size: 12 });

  const probe = clean.slice();
  probe[6 * 7 + 3] = NaN;
  probe[6 * 9] = Infinity;
  assert.deepEqual(await diagnoseNonFinite(tf, m, { probe, train: clean, sampleShape }), {
    kind: 'input',
    split: 'probe set',
    values: 2,
    samples: 2,
    firstSample: 7,
  });
  const train = clean.slice();
  train[6 * 13] = NaN;
  const fromTrain = await diagnoseNonFinite(tf, m, { probe: clean, train, sampleShape });
  assert.equal(fromTrain.kind === 'input' && fromTrain.split, 'training data');
  m.dispose();

  // Finite weights so large that the second layer's output overflows: that layer is named. Every
  // unit of 'first' outputs ≥ 1 (weights and bias 1, inputs ≥ 0), so 8 × 1e38 overflows float32 always.
  const big = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [6],
        units: 8,
        activation: 'relu',
        name: 'first',
        kernelInitializer: 'ones',
        biasInitializer: 'ones',
      }),
      tf.layers.dense({
        units: 4,
        name: 'overflows',
        kernelInitializer: tf.initializers.constant({ value: 1e38 }),
      }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  assert.deepEqual(await diagnoseNonFinite(tf, big, { probe: clean, train: clean, sampleShape }), {
    kind: 'output',
    layer: 'overflows',
    values: 20 * 4,
    size: 20 * 4,
  });
  big.dispose();
});

async function runTiny(
  steps: number,
  prepare: (m: tf.LayersModel) => void,
  lr: number | null = null,
  poisonTrain = -1,
) {
  const p = await preparedFor(tinySpec(), steps);
  if (poisonTrain >= 0) {
    // A private copy: the fixture's splits share one buffer.
    const x = p.splits.train.x.slice();
    x[poisonTrain * 6 + 1] = NaN;
    p.splits.train = { ...p.splits.train, x };
  }
  const config = whatIfConfig({ whatIf: null, every: 1, learningRate: lr });
  const m = await buildModel(tf, p.spec, 3);
  prepare(m);
  const events: EngineEvent[] = [];
  const emit = createEmitter('t', (e) => events.push(e));
  const cancel: CancelToken = { cancelled: false };
  try {
    const [run] = await runArms(
      p,
      [{ name: 'tiny', spec: p.spec, model: m, layers: [] }],
      config,
      emit,
      cancel,
    );
    const findings = runFindings(p.spec, run!.histories, run!.training, config, emit, {
      learningRate: run!.learningRate,
      classes: p.splits.classes,
      fault: run!.fault,
    });
    return { run: run!, findings, events };
  } finally {
    m.dispose();
  }
}

test('NaN weights before any step: training stops at the step-0 probe, naming the layer — not divergence', async () => {
  const { run, findings, events } = await runTiny(20, (m) => {
    const l = m.getLayer('hidden2');
    const [k, b] = l.getWeights();
    const bias = tf.fill(b!.shape, NaN);
    l.setWeights([k!, bias]);
    bias.dispose();
  });
  assert.equal(run.training.steps, 0, 'not one step trained on NaN');
  assert.equal(run.fault?.step, 0);
  assert.deepEqual(run.fault?.origin, {
    kind: 'weights',
    layer: 'hidden2',
    weight: 'bias',
    values: 8,
    size: 8,
  });
  const first = findings[0]!;
  assert.equal(first.kind, 'non-finite');
  assert.equal(first.layer, 'hidden2');
  assert.match(
    first.message,
    /before any training step.*the weights of hidden2: 8 of 8 values of its bias are NaN\/Inf/,
  );
  assert.ok(!findings.some((f) => f.kind === 'divergence' || f.suggestion));
  assert.ok(
    events.some(
      (e) => e.type === 'log' && e.level === 'warn' && /it came from the weights of hidden2/.test(e.message),
    ),
  );
  // hidden2's units are not dead: their bias is NaN.
  assert.equal(run.histories.find((h) => h.name === 'hidden2')!.probes[0]!.dead.count, 0);
});

test('NaN in one training sample: the loss of its batch stops the run, and the data is named', async () => {
  const { run, findings } = await runTiny(40, () => undefined, null, 37);
  assert.ok(run.training.steps < 40 && run.training.steps >= 1);
  assert.ok(!Number.isFinite(run.training.loss.at(-1)!));
  assert.equal(run.fault?.trigger, 'loss');
  assert.deepEqual(run.fault?.origin, {
    kind: 'input',
    split: 'training data',
    values: 1,
    samples: 1,
    firstSample: 37,
  });
  assert.equal(findings[0]?.kind, 'non-finite');
  assert.match(
    findings[0]!.message,
    /the training data holds 1 NaN\/Inf value in 1 sample \(the first is sample 37\)/,
  );
  assert.doesNotMatch(findings[0]!.message, /learning rate/);
});

test('an absurd learning rate: NaN stops the run, and the finding is divergence with the rate to lower', async () => {
  const { run, findings } = await runTiny(60, () => undefined, 1e25);
  assert.ok(run.fault, 'the run met NaN/Inf');
  assert.ok(run.training.steps < 60, 'and stopped early');
  const first = findings[0]!;
  assert.equal(first.kind, 'divergence');
  assert.match(first.message, /Lower the learning rate: it was 1e25; try 1e24 \(10× lower\)/);
  assert.equal(first.evidence.stoppedAtStep, run.fault.step);
  assert.equal(typeof first.evidence.originDetail, 'string');
});
