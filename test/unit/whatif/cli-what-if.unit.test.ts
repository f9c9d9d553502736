// The CLI end to end on a tiny MLP over the bundled digits (cpu backend, a few steps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEngineEvent } from '../../../src/protocol';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'al-whatif-'));
const model = join(tmp, 'model.json');
writeFileSync(
  model,
  JSON.stringify({
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: 'mlp',
        layers: [
          { class_name: 'Flatten', config: { name: 'flatten', batch_input_shape: [null, 28, 28, 1] } },
          { class_name: 'Dense', config: { name: 'dense', units: 24, activation: 'relu' } },
          { class_name: 'Dense', config: { name: 'dense_1', units: 12, activation: 'relu' } },
          { class_name: 'Dense', config: { name: 'dense_2', units: 10, activation: 'softmax' } },
        ],
      },
    },
  }),
);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('analyze --what-if elu --layers: report.whatIf with two equal-length arms and a side-by-side table', () => {
  const out = join(tmp, 'whatif.json');
  const r = cli(
    'analyze',
    model,
    '--what-if',
    'elu',
    '--layers',
    'dense_1',
    '--steps',
    '10',
    '--batch',
    '32',
    '--probe',
    '32',
    '--every',
    '5',
    '--backend',
    'cpu',
    '--json',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const parsed = checkEngineEvent({ v: 1, runId: 'cli', type: 'run-finished', report });
  assert.ok(parsed.ok, `the what-if report is what the protocol declares: ${parsed.ok ? '' : parsed.error}`);
  const [a, b] = report.whatIf.arms;
  assert.deepEqual([a.name, b.name], ['ReLU', 'ELU']);
  assert.deepEqual(b.layers, ['dense_1']);
  assert.equal(a.training.loss.length, 10);
  assert.equal(b.training.loss.length, 10);
  assert.equal(a.training.valLoss.length, b.training.valLoss.length);
  assert.ok(a.training.valLoss.length > 0);
  assert.deepEqual(
    b.final.map((l: { activation: string }) => l.activation),
    ['relu', 'elu', 'softmax'],
  );
  assert.ok(['boolean', 'object'].includes(typeof report.whatIf.verdict.helps));
  assert.equal(typeof report.whatIf.verdict.earlyStopping, 'boolean');
  assert.match(r.stdout, /dense_1 \*\s+relu\s+elu/);
  assert.match(r.stdout, /ms per step \(median\)/);
  assert.match(r.stdout, /Verdict: /);
});

test('--what-if with a --layers name that is not a ReLU layer: one clear line, exit 1', () => {
  const r = cli(
    'analyze',
    model,
    '--what-if',
    'elu',
    '--layers',
    'dense_2',
    '--steps',
    '2',
    '--backend',
    'cpu',
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /layer 'dense_2' has activation 'softmax'.*choose from: dense, dense_1/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

test('experiment seed-grid: four arms scored on the 2,000 held-out digits, per-layer dead and mean', () => {
  const out = join(tmp, 'grid.json');
  const r = cli(
    'experiment',
    'seed-grid',
    model,
    '--steps',
    '4',
    '--batch',
    '32',
    '--probe',
    '32',
    '--backend',
    'cpu',
    '--json',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const grid = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(
    grid.arms.map((a: { name: string }) => a.name),
    ['ReLU / Glorot', 'ELU / Glorot', 'ReLU / He', 'ELU / He'],
  );
  assert.deepEqual(grid.data, { name: grid.data.name, train: 8000, test: 2000, probe: 32 });
  assert.deepEqual(grid.budget, { epochs: null, steps: 4, batch: 32, samplesPerArm: 128 });
  assert.deepEqual(grid.switched, ['dense', 'dense_1']);
  for (const arm of grid.arms) {
    assert.ok(Number.isFinite(arm.testLoss) && arm.testAccuracy >= 0 && arm.testAccuracy <= 1, arm.name);
    assert.deepEqual(
      arm.layers.map((l: { layer: string }) => l.layer),
      ['dense', 'dense_1', 'dense_2'],
    );
    assert.equal(arm.layers[1].activation, arm.activation);
  }
  assert.match(r.stdout, /ELU \/ He\s+\d\.\d{4}\s+0\.\d{4}\s+0\.0293\s+0\.9922/);
  assert.match(r.stdout, /seed 42; backend cpu/);
});
