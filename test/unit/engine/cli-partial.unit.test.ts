// Partial is never a quiet success: a model with parts left out exits 3 with a PARTIAL banner (what,
// why, file:line for each) and carries them in the report and the run-started event; a complete
// model exits 0 with no banner. A file with several models says which was analysed and lists the
// others with --model NAME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEngineEvent, type Report } from '../../../src/protocol';
import { spawnSync } from 'node:child_process';
import { CLI, runCli } from '../../support/capped-cli';

const tmp = mkdtempSync(join(tmpdir(), 'al-partial-cli-'));
const fixture = (name: string) => join(__dirname, '..', '..', '..', 'test', 'fixtures', 'python', name);
const RUN = ['--steps', '2', '--backend', 'wasm', '--batch', '16', '--probe', '16'];

test('a model with omitted layers: exit 3, the PARTIAL banner, and model.omitted in the report', async () => {
  const file = fixture('malformed_custom_layers.py');
  const json = join(tmp, 'partial.json');
  const r = await runCli(['analyze', file, ...RUN, '--json', json], { timeoutMs: 120_000 });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.outcome, 'partial');
  const banner = r.stdout.split('\n');
  assert.match(banner[1] ?? '', /^PARTIAL — 3 parts of the file were left out of the model analysed/);
  assert.deepEqual(banner.slice(2, 5), [
    `  ${file}:18: the layer Antirectifier — the custom layer class Antirectifier runs arbitrary Python, which the reader does not execute`,
    `  ${file}:19: keras.layers.Lambda — a Lambda layer runs arbitrary Python, which the reader does not execute`,
    `  ${file}:21: the layer SomethingNew — keras.layers.SomethingNew is not supported by the reader`,
  ]);
  assert.match(r.stdout, /Activation Lens — model \(keras-py: .*\) — PARTIAL/);
  assert.match(
    r.stderr,
    /activation-lens: PARTIAL model: 3 parts of .*malformed_custom_layers\.py left out of the analysis \(listed above\); exit 3/,
  );
  assert.doesNotMatch(r.stderr, /internal error/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.deepEqual(
    report.model.omitted?.map((o) => [o.what, o.source?.line]),
    [
      ['the layer Antirectifier', 18],
      ['keras.layers.Lambda', 19],
      ['the layer SomethingNew', 21],
    ],
  );
  // Each omitted part is a warning on its line (the Problems panel shows it there).
  assert.deepEqual(
    report.findings.filter((f) => f.evidence.omitted !== undefined).map((f) => [f.severity, f.source?.line]),
    [
      ['warning', 18],
      ['warning', 19],
      ['warning', 21],
    ],
  );
});

test('--events: run-started carries the omitted parts and passes the protocol validator', async () => {
  // The whole stdout (the capped runner keeps only its tail).
  const r = spawnSync(
    process.execPath,
    [CLI, 'analyze', fixture('malformed_custom_layers.py'), ...RUN, '--events'],
    {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  assert.equal(r.status, 3, r.stderr);
  const started = r.stdout
    .trim()
    .split('\n')
    .map((l) => checkEngineEvent(JSON.parse(l)))
    .find((e) => e.ok && e.value.type === 'run-started');
  assert.ok(started?.ok && started.value.type === 'run-started');
  assert.equal(started.value.model.omitted?.length, 3);
  // With --events the stdout is JSON lines only: no banner.
  assert.doesNotMatch(r.stdout, /PARTIAL/);
});

test('a complete model: exit 0, no banner', async () => {
  const r = await runCli(['analyze', fixture('keras_comment_in_list.py'), ...RUN], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /PARTIAL/);
  assert.doesNotMatch(r.stderr, /PARTIAL/);
});

test('several models: which was analysed, the others, and --model NAME', async () => {
  const file = fixture('keras_gan_two_models.py');
  const json = join(tmp, 'gan.json');
  const data = join(tmp, 'latent.npz');
  const { writeNpz, floats, classIndices } = await import('../../support/generated-data');
  writeNpz(data, { x: floats(80, [100], 1), y: classIndices(80, 2) });
  const r = await runCli(['analyze', file, '--data', data, ...RUN, '--json', json], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /the file defines 3 models: analysed combined; the others: generator \(line 8\), discriminator \(line 17\) — choose one with --model NAME/,
  );
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.deepEqual(
    report.model.alternatives?.map((a) => [a.name, a.source?.line]),
    [
      ['generator', 8],
      ['discriminator', 17],
    ],
  );
  const named = await runCli(['analyze', file, '--model', 'nope', ...RUN], { timeoutMs: 60_000 });
  assert.equal(named.code, 1);
  assert.match(
    named.stderr,
    /no model named 'nope' in this file — choose one of: generator \(line 8\), discriminator \(line 17\), combined \(line 31\)/,
  );
});
