// Any output head trains with the loss the file names (or one that fits, said so), and labels that
// do not fit the output are refused before step 0 — naming the output, its line, the labels and
// the data that would fit. In process on the cpu backend with data files written here; through the
// real CLI where the bundled digits are the data (they are found beside dist/).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runAnalysis } from '../../../src/analysis/run-analysis';
import { prepare } from '../../../src/analysis/prepare';
import { UserError } from '../../../src/errors';
import type { EventBody, Report, RunConfig } from '../../../src/protocol';
import { defaultRunConfig } from '../../../src/run-config';
import { classIndices, floats, oneHotRows, targets, writeNpz } from '../../support/generated-data';
import { npyBytes } from '../data-readers/npy-writer';
import { runCli } from '../../support/capped-cli';

const dir = mkdtempSync(join(tmpdir(), 'al-heads-'));
const fixture = (name: string) => join(__dirname, '..', '..', '..', 'test', 'fixtures', 'python', name);

function config(file: string, overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    ...defaultRunConfig(),
    file,
    backend: 'cpu',
    steps: 3,
    batch: 16,
    probe: 16,
    seed: 1,
    ...overrides,
  };
}

async function analyse(c: RunConfig): Promise<{ report: Report; events: EventBody[] }> {
  const events: EventBody[] = [];
  const report = await runAnalysis(c, (e) => events.push(e), { cancelled: false });
  return { report, events };
}

/** The refusal prepare() gives (it is what --steps 0 and every run do before step 0). */
async function refusal(c: RunConfig): Promise<UserError> {
  try {
    await prepare(c, () => undefined);
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  assert.fail(`expected a refusal for ${c.file} on ${c.data}`);
}

/** The CLI's one-line refusal on the bundled digits with --steps 0: `file:line: message — hint`. */
async function digitsRefusal(args: string[]): Promise<string> {
  const r = await runCli(['analyze', ...args, '--steps', '0', '--backend', 'cpu', '--probe', '16'], {
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.outcome, 'refusal', r.stderr);
  return r.stderr.trim();
}

test('a 3-class softmax on the 10-class digits is refused before step 0, on its line', async () => {
  const file = fixture('keras_three_classes.py');
  const line = await digitsRefusal([file]);
  assert.ok(line.startsWith(`activation-lens: ${file}:9: `), line);
  assert.match(
    line,
    /the output layer dense_1 \(Dense, softmax, 3 units, line 9\) predicts 3 classes \(0–2\), but class 9 is among the labels/,
  );
  assert.match(line, /the labels are the digits labels \(10 classes\) \[\d+\] class indices 0–9/);
  assert.match(
    line,
    /— pass --data PATH: an \.npz with x_train \[N, 28, 28, 1\] and y_train \[N\] class indices 0–2 \(or one-hot rows \[N, 3\]\)/,
  );
});

test('the same 3-class model trains on 3-class data: index labels and one-hot rows', async () => {
  for (const [name, y] of [
    ['three-index.npz', classIndices(120, 3)],
    ['three-onehot.npz', oneHotRows(120, 3)],
  ] as const) {
    const data = writeNpz(join(dir, name), { x: floats(120, [28, 28, 1], 3), y });
    const { report } = await analyse(config(fixture('keras_three_classes.py'), { data }));
    assert.equal(report.training.steps, 3);
    assert.ok(report.training.loss.every(Number.isFinite));
    assert.ok(report.training.accuracy.every((a) => a >= 0 && a <= 1));
    assert.deepEqual(report.losses, [
      {
        output: 'dense_1',
        loss: 'categorical_crossentropy',
        fromLogits: false,
        chosenBy: 'file',
        note: null,
      },
    ]);
  }
});

/** A small 10-unit softmax classifier of 28×28×1 images (fast on the cpu backend, unlike a CNN). */
function tenClassModel(): string {
  const path = join(dir, 'ten_classes.py');
  writeFileSync(
    path,
    [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      '',
      'model = keras.Sequential([',
      '    layers.Flatten(input_shape=(28, 28, 1)),',
      '    layers.Dense(32, activation="relu"),',
      '    layers.Dense(10, activation="softmax"),',
      '])',
      'model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")',
      '',
    ].join('\n'),
  );
  return path;
}

test('issue 10: labels that do not fit a 10-unit softmax are refused, also with --steps 0', async () => {
  const model = tenClassModel();
  // One-hot rows of 3 for 10 units (before: "internal error" on step 1, a silent pass with --steps 0).
  const narrow = writeNpz(join(dir, 'narrow.npz'), { x: floats(60, [28, 28, 1], 4), y: oneHotRows(60, 3) });
  const e = await refusal(config(model, { data: narrow, steps: 0 }));
  assert.match(
    e.message,
    /predicts 10 classes, but the labels are one-hot rows of 3; the labels are y\.npy in narrow\.npz \[\d+, 3\] one-hot rows/,
  );
  // A class index beyond the units.
  const wide = writeNpz(join(dir, 'wide.npz'), {
    x: floats(60, [28, 28, 1], 4),
    y: npyBytes(
      '<i8',
      [60],
      BigInt64Array.from({ length: 60 }, (_, i) => BigInt(i % 12)),
    ),
  });
  const e2 = await refusal(config(model, { data: wide, steps: 0 }));
  assert.match(e2.message, /predicts 10 classes \(0–9\), but class 11 is among the labels/);
  // Real values where classes are needed.
  const real = writeNpz(join(dir, 'real.npz'), { x: floats(60, [28, 28, 1], 4), y: targets(60, 1, 5) });
  const e3 = await refusal(config(model, { data: real, steps: 0 }));
  assert.match(e3.message, /needs class indices or one-hot rows, but sample \d+ is labelled -?\d\.\d+/);
  // 3-class indices on 10 units fit (classes 0–2 of 10), and it says so.
  const few = writeNpz(join(dir, 'few.npz'), { x: floats(60, [28, 28, 1], 4), y: classIndices(60, 3) });
  const { report, events } = await analyse(config(model, { data: few }));
  assert.equal(report.training.steps, 3);
  assert.ok(
    events.some(
      (e) => e.type === 'log' && /use classes 0–2 of the 10 the output dense_1 predicts/.test(e.message),
    ),
  );
});

test("a regression head trains with the file's MSE and reports no accuracy (NaN)", async () => {
  const data = writeNpz(join(dir, 'housing.npz'), { x: floats(150, [13], 6), y: targets(150, 1, 7) });
  const { report, events } = await analyse(config(fixture('torch_regression.py'), { data }));
  assert.deepEqual(report.losses, [
    { output: 'dense_2', loss: 'mean_squared_error', fromLogits: false, chosenBy: 'file', note: null },
  ]);
  assert.ok(report.training.loss.every(Number.isFinite));
  assert.ok(report.training.accuracy.every(Number.isNaN));
  assert.ok(report.training.valAccuracy.every(Number.isNaN));
  assert.ok(report.training.valLoss.every(Number.isFinite));
  assert.ok(events.some((e) => e.type === 'progress' && Number.isNaN(e.accuracy)));
});

test('a regression head on the bundled digits is refused: class labels are not targets', async () => {
  const file = fixture('torch_image_regression.py');
  const line = await digitsRefusal([file]);
  assert.ok(line.startsWith(`activation-lens: ${file}:8: `), line);
  assert.match(
    line,
    /the output layer dense_1 \(Dense, linear, 1 unit, line 8\) is a regression output \(mean_squared_error\), and the bundled digits .* hold class labels, not targets/,
  );
  assert.match(line, /x_train \[N, 784\] and y_train \[N\] real values/);
  // Targets of the wrong width.
  const data = writeNpz(join(dir, 'wide-targets.npz'), { x: floats(60, [784], 8), y: targets(60, 3, 9) });
  const e2 = await refusal(config(fixture('torch_image_regression.py'), { data, steps: 0 }));
  assert.match(e2.message, /is a regression output with 1 value per sample, but the labels have 3/);
});

test('a binary sigmoid head takes 0/1 labels: refused on digits, trained on 0/1 data', async () => {
  const gan = fixture('keras_gan_two_models.py');
  const line = await digitsRefusal([gan, '--model', 'discriminator']);
  assert.match(
    line,
    /the output layer dense_3 \(Dense, sigmoid, 1 unit, line 21\) is one yes\/no output .* needs labels 0 or 1, but sample \d+ is labelled [2-9]/,
  );
  assert.match(line, /y_train \[N\] 0\/1 labels/);
  const data = writeNpz(join(dir, 'real-fake.npz'), {
    x: floats(100, [28, 28, 1], 10),
    y: classIndices(100, 2),
  });
  const { report } = await analyse(config(gan, { model: 'discriminator', data }));
  assert.equal(report.losses?.[0]?.loss, 'binary_crossentropy');
  assert.ok(report.training.accuracy.every((a) => a >= 0 && a <= 1));
});

test('several outputs: one label array each, each with the loss the file names', async () => {
  const file = fixture('keras_multi_output.py');
  const data = writeNpz(join(dir, 'shop.npz'), {
    x_train: floats(120, [64], 11),
    y_train_kind: classIndices(120, 3),
    y_train_price: targets(120, 1, 12),
  });
  const { report } = await analyse(config(file, { data }));
  assert.deepEqual(
    report.losses?.map((l) => [l.output, l.loss, l.chosenBy]),
    [
      ['kind', 'categorical_crossentropy', 'file'],
      ['price', 'mean_squared_error', 'file'],
    ],
  );
  assert.ok(report.training.loss.every(Number.isFinite));
  // Accuracy is the classifier's (kind); the regression output has none.
  assert.ok(report.training.accuracy.every((a) => a >= 0 && a <= 1));
  const single = writeNpz(join(dir, 'single.npz'), { x: floats(60, [64], 13), y: classIndices(60, 3) });
  const e = await refusal(config(file, { data: single, steps: 0 }));
  assert.match(e.message, /the model has 2 outputs \(kind, price\) and needs labels for each/);
  assert.match(e.hint ?? '', /y_train_kind \[N\] class indices 0–2 .*, y_train_price \[N\] real values/);
});

test('no loss in the file: the engine picks the one that fits the head, and says so', async () => {
  const data = writeNpz(join(dir, 'flat-digits.npz'), { x: floats(80, [784], 14), y: classIndices(80, 10) });
  const { report } = await analyse(config(fixture('torch_logits_no_loss.py'), { data }));
  const loss = report.losses?.[0];
  assert.equal(loss?.chosenBy, 'engine');
  assert.equal(loss?.loss, 'categorical_crossentropy');
  assert.equal(loss?.fromLogits, true);
  assert.match(loss?.note ?? '', /the file names no loss; dense_1 .* read as class logits/);
  const finding = report.findings.find(
    (f) => f.kind === 'source' && /trained with categorical_crossentropy/.test(f.message),
  );
  assert.equal(finding?.severity, 'info');
  assert.equal(finding?.source?.line, 7);
});

test("a partial model's refusal says what was left out", async () => {
  const path = join(dir, 'truncated.py');
  writeFileSync(
    path,
    'import torch.nn as nn\n\nmodel = nn.Sequential(\n    nn.Linear(784, 128),\n    nn.ReLU(),\n    nn.Linear(128,\n',
  );
  const line = await digitsRefusal([path]);
  assert.match(line, /\(the model is partial: nn\.Linear \(line 6\) left out\) — pass --data PATH/);
});
