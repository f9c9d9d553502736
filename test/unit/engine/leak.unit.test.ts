// No tensor leaks: ≥ 500 training steps with probes keep tf.memory().numTensors flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { runArms } from '../../../src/analysis/arm-runner';
import type { Prepared } from '../../../src/analysis/prepare';
import { buildModel } from '../../../src/model/build/build';
import type { ModelSpec } from '../../../src/model/spec';
import { defaultRunConfig } from '../../../src/run-config';
import { trainingPlan } from '../../../src/training/plan';
import { seededRandom } from '../../../src/training/rng';
import { classSplits } from '../../support/class-data';

function tinySpec(): ModelSpec {
  const layers = [
    {
      class_name: 'Dense',
      config: { name: 'hidden', units: 12, activation: 'relu', batch_input_shape: [null, 6] },
    },
    { class_name: 'Dropout', config: { name: 'drop', rate: 0.2 } },
    { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'softmax' } },
  ];
  return {
    name: 'tiny',
    origin: 'example',
    file: null,
    topology: { class_name: 'Sequential', config: { name: 'tiny', layers } },
    layers: layers.map((l) => ({
      name: l.config.name,
      className: l.class_name,
      activation: (l.config as { activation?: string }).activation ?? null,
      source: null,
    })),
    training: { optimizer: 'adam' },
    issues: [],
  };
}

test('500 instrumented steps leak no tensors', async () => {
  await tf.setBackend('cpu');
  const r = seededRandom(1);
  const n = 300;
  const x = Float32Array.from({ length: n * 6 }, () => r());
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const splits = classSplits('synthetic', x, y, [6], { train: 200, probe: 50, validation: 50 });
  const spec = tinySpec();
  const planned = await buildModel(tf, spec, 1);
  const plan = trainingPlan(planned, spec, splits);
  planned.dispose();
  const prepared: Prepared = {
    tf,
    backend: { name: 'cpu', detail: 'cpu', software: true, attempts: [] },
    spec,
    splits,
    batchSize: 16,
    totalSteps: 520,
    plan,
  };
  const before = tf.memory().numTensors;
  const model = await buildModel(tf, prepared.spec, 1);
  const config = { ...defaultRunConfig(), every: 5 };
  const atProbe: number[] = [];
  const [run] = await runArms(
    prepared,
    [{ name: 'tiny', spec: prepared.spec, model, layers: [] }],
    config,
    (e) => e.type === 'probe' && atProbe.push(tf.memory().numTensors),
    { cancelled: false },
  );
  assert.equal(run!.training.steps, 520);
  assert.ok(atProbe.length >= 100, `probed ${atProbe.length} times`);
  // From the second probe on (optimizer slots exist after the first step) the count never moves.
  assert.deepEqual(
    new Set(atProbe.slice(1)),
    new Set([atProbe[1]]),
    `tensor counts at probes: ${[...new Set(atProbe)].join(', ')}`,
  );
  model.dispose();
  assert.equal(tf.memory().numTensors, before, 'everything is released with the model');
});
