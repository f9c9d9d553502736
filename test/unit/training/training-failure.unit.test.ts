// A TF.js failure of a model's first step says where (file, layer, line) and what to do; later
// failures and our own refusals pass through unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../src/errors';
import { buildModel } from '../../../src/model/build/build';
import { trainingPlan } from '../../../src/training/plan';
import { Trainer } from '../../../src/training/trainer';
import { explainTrainingFailure } from '../../../src/training/training-failure';
import { seededRandom } from '../../../src/training/rng';
import { classSplits } from '../../support/class-data';
import { specOf, tinySpec } from '../whatif/fixtures';

const FILE = '/w/model.py';

function located() {
  const spec = tinySpec();
  spec.file = FILE;
  spec.layers = spec.layers.map((l, i) => ({ ...l, source: { file: FILE, line: 10 + i, column: 5 } }));
  return spec;
}

test('the layer TF.js names is found as a whole word (dense_1, not dense), with its line', () => {
  const spec = { file: FILE, layers: specOf([]).layers };
  spec.layers = [
    { name: 'dense', className: 'Dense', activation: 'relu', source: { file: FILE, line: 3, column: 1 } },
    { name: 'dense_1', className: 'Dense', activation: null, source: { file: FILE, line: 4, column: 1 } },
  ];
  const e = explainTrainingFailure(
    new Error(
      'Error when checking target: expected dense_1 to have shape [,10] but got array with shape [16,3].\nmore',
    ),
    spec,
    'train',
  );
  assert.ok(e instanceof UserError);
  assert.equal(e.file, FILE);
  assert.equal(e.line, 4);
  assert.equal(
    e.message,
    'TF.js cannot train this model as it was read, at layer dense_1 (Dense): Error when checking target: expected dense_1 to have shape [,10] but got array with shape [16,3].',
  );
  assert.match(e.hint ?? '', /--input-shape.*--data PATH.*--backend cpu.*--debug/);
  const ours = new UserError('already clear', FILE, 2);
  assert.equal(explainTrainingFailure(ours, spec, 'train'), ours);
});

test("the Trainer's first step failing in TF.js is a UserError on the layer's line; a later one is not wrapped", async () => {
  await tf.setBackend('cpu');
  const spec = located();
  const r = seededRandom(3);
  const x = Float32Array.from({ length: 120 * 6 }, () => r());
  const y = Int32Array.from({ length: 120 }, (_, i) => i % 3);
  const splits = classSplits('s', x, y, [6], { train: 80, probe: 20, validation: 20 });
  const model = await buildModel(tf, spec, 1);
  const plan = trainingPlan(model, spec, splits);
  // Targets one-hot to 5 for a 3-unit output: what a label check would have refused.
  const broken = { ...plan, targets: plan.targets.map((t) => ({ ...t, width: 5, shape: [5] })) };
  const trainer = new Trainer(tf, model, splits, { batchSize: 16, seed: 1 }, broken);
  try {
    await assert.rejects(trainer.step(), (e: unknown) => {
      assert.ok(e instanceof UserError, String(e));
      assert.equal(e.file, FILE);
      assert.equal(e.line, 13, e.message);
      assert.match(e.message, /^TF\.js cannot train this model as it was read, at layer out \(Dense\): /);
      return true;
    });
    // Once a step has succeeded, a failure is ours: it stays a plain error (exit 2, "internal error").
    const good = new Trainer(tf, model, splits, { batchSize: 16, seed: 1 }, plan);
    await good.step();
    (good as unknown as { plan: typeof plan }).plan = broken;
    await assert.rejects(good.step(), (e: unknown) => !(e instanceof UserError));
    good.dispose();
  } finally {
    trainer.dispose();
    model.dispose();
  }
});
