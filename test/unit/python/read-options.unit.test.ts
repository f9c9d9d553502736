/**
 * `--model NAME` and `--input-shape 28,28,1`: parsed by the CLI into RunConfig, passed to
 * `loadModelSpec(file, { model, inputShape })`, and refused (not ignored) for files they do not
 * apply to.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { isUserError } from '../../../src/errors';
import { loadModelSpec } from '../../../src/model/load';
import { parseModelSource } from '../../../src/model/readers/source';
import { fixtureDir, fixtureText } from './python-fixtures';

/** The built CLI (importing src/cli.ts would run it: it starts when it is the main module). */
const cli = resolve(__dirname, '../../../dist/cli.js');

test('the CLI refuses a malformed --input-shape and --model without a file, with exit 1 and one line', () => {
  for (const bad of ['28,x', '0', '1,2,3,4,5', '2.5']) {
    const r = spawnSync(process.execPath, [cli, 'analyze', 'net.py', '--input-shape', bad], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 1, bad);
    assert.match(
      r.stderr,
      new RegExp(
        `--input-shape must be 1 to 4 positive integers separated by commas, got '${bad.replace('.', '\\.')}'`,
      ),
    );
    assert.match(r.stderr, /e\.g\. --input-shape 28,28,1/);
  }
  const r = spawnSync(process.execPath, [cli, 'analyze', '--model', 'generator'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--model and --input-shape need a model FILE/);
  const usage = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.match(usage.stdout, /\[--model NAME\] \[--input-shape 28,28,1\]/);
});

test('loadModelSpec(file, { model, inputShape }) reaches the Python reader', async () => {
  const gan = await loadModelSpec(join(fixtureDir, 'keras_gan_two_models.py'), { model: 'generator' });
  assert.equal(gan.name, 'generator');
  await assert.rejects(
    () => loadModelSpec(join(fixtureDir, 'torch_flatten_first.py')),
    (e: unknown) => isUserError(e) && e.line === 4,
  );
  const flat = await loadModelSpec(join(fixtureDir, 'torch_flatten_first.py'), { inputShape: [28, 28, 1] });
  assert.deepEqual(
    (flat.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config.batch_input_shape,
    [null, 28, 28, 1],
  );
  // Null options are the reader's defaults (what the engine passes when the person gave none).
  const again = await loadModelSpec(join(fixtureDir, 'keras_gan_two_models.py'), {
    model: null,
    inputShape: null,
  });
  assert.equal(again.name, 'combined');
});

test('--model and --input-shape are refused for files they do not apply to', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'al-options-'));
  const ts = join(dir, 'model.ts');
  writeFileSync(
    ts,
    "import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.dense({ units: 2, inputShape: [4] }));\n",
  );
  await assert.rejects(
    () => loadModelSpec(ts, { model: 'm' }),
    (e: unknown) => isUserError(e) && /--model applies to Python model sources only/.test(e.message),
  );
  const json = join(dir, 'model.json');
  writeFileSync(json, '{}');
  await assert.rejects(
    () => loadModelSpec(json, { inputShape: [4] }),
    (e: unknown) => isUserError(e) && /--input-shape applies to Python model sources only/.test(e.message),
  );
});

test('lenses never throw: a file whose input shape is not stated still gives its layers', () => {
  const spec = parseModelSource(
    join(fixtureDir, 'torch_flatten_first.py'),
    fixtureText('torch_flatten_first.py'),
  );
  assert.ok(spec);
  assert.equal(spec.layers.length, 4);
});
