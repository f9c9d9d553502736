// The extension with a scripted engine: Analyze on a file that defines several models asks which
// (and passes --model), a lens naming its model skips the question, and a partial model says
// "partial" in the status bar and the progress notification. The real parser reads the file.
import { reset, recorded, Uri, fakeDocument } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { activate } from '../../../extension/extension';
import { emptyReport } from './fixtures';
import { PARSER_SCRIPT } from './parser-fixture';

const TWO_MODELS = `from tensorflow import keras
from tensorflow.keras import layers

generator = keras.Sequential([layers.Dense(784, activation="relu", input_shape=(100,))], name="generator")
discriminator = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(784,))], name="discriminator")
discriminator.compile(loss="binary_crossentropy", optimizer="adam")
`;

/** An engine that reports the --model it was given, a partial model, and finishes. */
const ENGINE = `process.on('message', (m) => {
  if (m.type !== 'start') return;
  const b = { v: 1, runId: m.runId };
  const file = m.config.file;
  const model = { name: m.config.model ?? 'none', origin: 'keras-py', file, layers: [],
    omitted: [{ what: 'keras.layers.Lambda', reason: 'a Lambda layer runs arbitrary Python', source: { file, line: 4, column: 1 } }] };
  process.send({ ...b, type: 'run-started', backend: 'wasm', backendDetail: 'wasm', model, probeSize: 8, totalSteps: 2, definitions: {} });
  process.send({ ...b, type: 'progress', step: 1, totalSteps: 2, loss: 0.5, accuracy: 0.5, samplesPerSecond: 10 });
  process.send({ ...b, type: 'run-finished', report: { ...REPORT, model } });
});
process.on('disconnect', () => process.exit(0));`;

function context(extensionPath: string) {
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalStorageUri: Uri.file(join(extensionPath, 'global')),
    extension: { packageJSON: { version: '9.9.9' } },
  };
}

beforeEach(reset);

test('several models: a quick pick passes --model; a lens skips it; a partial run says so', async () => {
  const root = mkdtempSync(join(tmpdir(), 'al-partial-'));
  mkdirSync(join(root, 'dist'));
  symlinkSync(PARSER_SCRIPT, join(root, 'dist', 'parser.js'));
  writeFileSync(join(root, 'dist', 'engine.js'), ENGINE.replace('REPORT', JSON.stringify(emptyReport())));
  const file = join(root, 'gan.py');
  writeFileSync(file, TWO_MODELS);
  recorded.documents.push(fakeDocument(file, TWO_MODELS));
  const ctx = context(root);
  activate(ctx as unknown as vscode.ExtensionContext);
  const analyze = recorded.registeredCommands.get('activationLens.analyze')!;
  try {
    recorded.pickAnswer = (items) => items.find((i) => i.label === 'generator');
    await analyze(Uri.file(file));
    assert.deepEqual(recorded.quickPicks, [
      { title: 'gan.py defines 2 models — analyze which?', labels: ['discriminator', 'generator'] },
    ]);
    assert.match(recorded.statusBarText, /wasm · finished · partial/);
    assert.ok(
      recorded.progress.some((m) => /step 1\/2 .* · partial model \(1 part left out\)$/.test(m)),
      recorded.progress.join(' | '),
    );
    assert.ok(
      recorded.log.some((l) => /warn partial model: keras\.layers\.Lambda left out \(.*gan\.py:4\)/.test(l)),
    );
    const started = () =>
      JSON.stringify(recorded.log.filter((l) => /model (generator|discriminator),/.test(l)));
    assert.match(started(), /model generator,/);

    // The same file again: remembered, no second question.
    await analyze(Uri.file(file));
    assert.equal(recorded.quickPicks.length, 1);
    // A lens on the discriminator's definition names it: no question either.
    await analyze(Uri.file(file), 'discriminator');
    assert.equal(recorded.quickPicks.length, 1);
    assert.match(started(), /model discriminator,/);

    // Dismissing the pick (a file never answered before) starts no run.
    const other = join(root, 'gan2.py');
    writeFileSync(other, TWO_MODELS);
    recorded.documents.push(fakeDocument(other, TWO_MODELS));
    recorded.pickAnswer = () => undefined;
    const runsBefore = recorded.log.filter((l) => /^info run [0-9a-f-]{36}: /.test(l)).length;
    await analyze(Uri.file(other));
    assert.equal(recorded.quickPicks.length, 2);
    assert.equal(
      recorded.log.filter((l) => /^info run [0-9a-f-]{36}: /.test(l)).length,
      runsBefore,
      recorded.log.join('\n'),
    );
  } finally {
    for (const s of ctx.subscriptions) s.dispose();
  }
});
