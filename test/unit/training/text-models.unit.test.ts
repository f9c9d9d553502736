// Text models (an Embedding reading integer token ids, then LSTM/GRU): the bundled digits are
// refused with what data the model wants; token data given with --data trains, ids unscaled and
// checked against the vocabulary. Through the real CLI on wasm (which trains an Embedding only with
// the segment-sum kernel of src/backend/wasm-segment-sum.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../../src/protocol';
import { runCli } from '../../support/capped-cli';
import { floats, tokenSequences, writeNpz } from '../../support/generated-data';

const dir = mkdtempSync(join(tmpdir(), 'al-text-'));
const fixture = (name: string) => join(__dirname, '..', '..', '..', 'test', 'fixtures', 'python', name);
const RUN = ['--steps', '2', '--backend', 'wasm', '--batch', '16', '--probe', '16'];

async function analyse(args: string[]): Promise<Report> {
  const json = join(dir, `report-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  const r = await runCli(['analyze', ...args, ...RUN, '--json', json], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(json, 'utf8')) as Report;
}

async function refused(args: string[]): Promise<string> {
  const r = await runCli(['analyze', ...args, ...RUN], { timeoutMs: 60_000 });
  assert.equal(r.outcome, 'refusal', `exit ${r.code}: ${r.stderr}`);
  return r.stderr.trim();
}

// A tiny vocabulary (ids below 41) and 20 tokens per review: 300 sequences, 2 classes.
const reviews = tokenSequences(300, 20, 41, 2, 1);
const imdb = writeNpz(join(dir, 'reviews.npz'), { x: reviews.x, y: reviews.y });
// 4 topics for the PyTorch classifier.
const topics = tokenSequences(300, 20, 81, 4, 2);
const news = writeNpz(join(dir, 'topics.npz'), { x: topics.x, y: topics.y });

test('Keras Embedding + Bidirectional LSTM trains on token ids from --data', async () => {
  const report = await analyse([fixture('keras_imdb_bilstm.py'), '--data', imdb]);
  assert.equal(report.training.steps, 2);
  assert.ok(report.training.loss.every(Number.isFinite), String(report.training.loss));
  assert.deepEqual(
    report.losses?.map((l) => [l.loss, l.chosenBy]),
    [['binary_crossentropy', 'file']],
  );
  assert.ok(report.model.layers.some((l) => l.className === 'Bidirectional'));
});

test('PyTorch nn.Embedding + nn.LSTM trains on token ids (sequence length from --input-shape)', async () => {
  const report = await analyse([fixture('torch_lstm_classifier.py'), '--input-shape', '20', '--data', news]);
  assert.equal(report.training.steps, 2);
  assert.ok(report.training.loss.every(Number.isFinite));
  // nn.CrossEntropyLoss: softmax cross-entropy on the logits of 4 classes.
  assert.deepEqual(report.losses?.[0], {
    output: 'fc',
    loss: 'categorical_crossentropy',
    fromLogits: true,
    chosenBy: 'file',
    note: null,
  });
});

test('the bundled digits are refused for a text model, saying what data it wants', async () => {
  const file = fixture('keras_imdb_bilstm.py');
  const line = await refused([file]);
  assert.ok(line.startsWith(`activation-lens: ${file}:12: `), line);
  assert.match(
    line,
    /reads integer token ids through the Embedding embedding \(line 12\): vocabulary 20000, 200 tokens per sample, and the bundled digits are images/,
  );
  assert.match(
    line,
    /pass --data PATH: an \.npz with x_train \[N, 200\] integer token ids 0–19999 and y_train \[N\] 0\/1 labels/,
  );
  assert.match(line, /numpy\.savez\("imdb\.npz", x_train=x_train/);
});

test('token ids at or above the vocabulary are refused on the Embedding line', async () => {
  const wide = tokenSequences(100, 20, 6000, 4, 3);
  const data = writeNpz(join(dir, 'wide.npz'), { x: wide.x, y: wide.y });
  const file = fixture('torch_lstm_classifier.py');
  const line = await refused([file, '--input-shape', '20', '--data', data]);
  assert.ok(line.startsWith(`activation-lens: ${file}:12: `), line);
  assert.match(
    line,
    /the Embedding embedding has a vocabulary of 5000 \(token ids 0–4999\), but (training|held-out) sample \d+ of wide holds token id \d{4}/,
  );
});

test('float features are not token ids', async () => {
  const data = writeNpz(join(dir, 'floats.npz'), {
    x: floats(50, [20], 4),
    y: tokenSequences(50, 20, 41, 2, 5).y,
  });
  const line = await refused([fixture('torch_lstm_classifier.py'), '--input-shape', '20', '--data', data]);
  assert.match(
    line,
    /x\.npy in floats\.npz sample 0 value 0 is 0\.\d+; a text model's input is token ids, non-negative integers/,
  );
});
