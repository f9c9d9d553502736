// The CLI end to end on a tiny budget, and its errors on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEngineEvent } from '../../../src/protocol';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'al-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('analyze --example writes a report@1 JSON with every tapped layer', () => {
  const out = join(tmp, 'report.json');
  const r = cli(
    'analyze',
    '--example',
    'mnist-cnn',
    '--steps',
    '4',
    '--batch',
    '32',
    '--probe',
    '64',
    '--every',
    '2',
    '--backend',
    'wasm',
    '--json',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(report.schema, 'activation-lens/report@1');
  assert.equal(report.backend, 'wasm');
  assert.deepEqual(
    report.layers.map((l: { name: string }) => l.name),
    ['conv2d', 'conv2d_1', 'dense', 'dense_1'],
  );
  assert.deepEqual(
    report.layers.map((l: { activation: string }) => l.activation),
    ['relu', 'relu', 'relu', 'softmax'],
  );
  const dense = report.layers[2];
  assert.equal(dense.units, 256);
  assert.equal(dense.histogram.edges.length, 65);
  assert.equal(dense.histogram.counts.length, 64);
  assert.equal(
    dense.histogram.counts.reduce((a: number, b: number) => a + b, 0) +
      dense.histogram.underflow +
      dense.histogram.overflow,
    64 * 256,
  );
  assert.deepEqual(
    dense.meanDrift.map((m: { step: number }) => m.step),
    [0, 2, 4],
  );
  assert.equal(report.training.steps, 4);
  assert.equal(report.training.loss.length, 4);
  assert.equal(report.data.probe, 64);
  assert.ok(Array.isArray(report.findings));
  assert.match(r.stdout, /conv2d_1\s+relu\s+64/);
});

test('--events prints protocol JSON lines ending with run-finished', () => {
  const r = cli(
    'analyze',
    '--steps',
    '2',
    '--batch',
    '16',
    '--probe',
    '32',
    '--backend',
    'cpu',
    '--events',
    '--no-validate',
  );
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const types = events.map((e) => e.type);
  assert.equal(types[types.indexOf('run-started')], 'run-started');
  assert.ok(types.includes('probe'));
  assert.equal(types[types.length - 1], 'run-finished');
  assert.ok(events.every((e) => e.v === 1));
  for (const e of events) {
    const parsed = checkEngineEvent(e);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  }
  assert.equal(events.find((e) => e.type === 'run-started').backend, 'cpu');
});

test('--steps 0 probes only', () => {
  const out = join(tmp, 'probe-only.json');
  const r = cli('analyze', '--steps', '0', '--probe', '32', '--backend', 'cpu', '--json', out);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(report.training.steps, 0);
  assert.deepEqual(
    report.layers[0].meanDrift.map((m: { step: number }) => m.step),
    [0],
  );
});

test('bad inputs: one clear line naming the file, non-zero exit, no stack trace', () => {
  const missing = join(tmp, 'nope.json');
  let r = cli('analyze', missing, '--steps', '1');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `activation-lens: ${missing}: file not found — check the path`);

  const corrupt = join(tmp, 'model.json');
  writeFileSync(corrupt, '{"modelTopology": {"class_name": "Sequential",\n  "config": [}');
  r = cli('analyze', corrupt, '--steps', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^activation-lens: ${corrupt}:2: corrupt model.json`));
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);

  const unknown = join(tmp, 'unknown.json');
  writeFileSync(
    unknown,
    JSON.stringify({
      modelTopology: {
        class_name: 'Sequential',
        config: {
          layers: [{ class_name: 'FancyLayer', config: { name: 'f', batch_input_shape: [null, 784] } }],
        },
      },
    }),
  );
  r = cli('analyze', unknown, '--steps', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown\.json: unsupported layer class 'FancyLayer'/);

  const mismatch = join(tmp, 'mismatch.json');
  writeFileSync(
    mismatch,
    JSON.stringify({
      modelTopology: {
        class_name: 'Sequential',
        config: {
          layers: [
            {
              class_name: 'Dense',
              config: { name: 'd', units: 10, activation: 'softmax', batch_input_shape: [null, 100] },
            },
          ],
        },
      },
    }),
  );
  r = cli('analyze', mismatch, '--steps', '1', '--backend', 'cpu');
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /mismatch\.json: the samples of the bundled digits .* have shape \[28, 28, 1\] but the model's input is \[100\] — pass --data PATH: an \.npz with x_train \[N, 100\]/,
  );

  r = cli('analyze', '--steps', 'many');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--steps must be an integer/);
  r = cli('analyze', '--backend', 'tpu');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown backend 'tpu'/);
});
