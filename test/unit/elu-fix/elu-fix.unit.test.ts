import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTextEdits, computeEluFix } from '../../../src/source-edit/elu-fix';
import type { LayerSpec, ModelOrigin, SourcePosition } from '../../../src/model/spec';
import { UserError } from '../../../src/errors';

/** 1-based position of the n-th occurrence of `needle` (what the parser would report). */
function pos(text: string, needle: string, nth = 0, shift = 0): SourcePosition {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `sample lacks ${needle}`);
  }
  at += shift;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

function range(text: string, needle: string, nth = 0) {
  const start = pos(text, needle, nth);
  return { start, end: { line: start.line, column: start.column + needle.length } };
}

function layer(
  text: string,
  name: string,
  className: string,
  activation: string,
  act: string,
  opts: { nth?: number; init?: string; call?: string } = {},
): LayerSpec {
  const call = opts.call ? range(text, opts.call) : null;
  const a = range(text, act, opts.nth ?? 0);
  return {
    name,
    className,
    activation,
    source: {
      file: '/w/model.py',
      line: a.start.line,
      column: call?.start.column ?? 1,
      ...(call ? { end: call.end } : {}),
      activationRange: a,
      initializerRange: opts.init ? range(text, opts.init) : null,
    },
  };
}

function fix(text: string, l: LayerSpec, origin: ModelOrigin, alpha = 1.0): string {
  return applyTextEdits(text, computeEluFix(text, l, origin, alpha).edits);
}

const KERAS = `import tensorflow as tf
from tensorflow.keras.layers import Conv2D, Dense, Flatten, ReLU, Activation

model = tf.keras.Sequential([
    Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)),
    Conv2D(64, (3, 3), activation="relu", kernel_initializer="glorot_uniform"),
    Flatten(),
    Dense(256),
    ReLU(),
    Dense(
        128,
        activation='relu',
    ),
    Dense(64, 'relu'),
    Activation('relu'),
    Dense(10, activation='softmax'),
])
`;

test('Keras activation= string: elu + he_normal added in the same quote style', () => {
  const out = fix(KERAS, layer(KERAS, 'conv2d', 'Conv2D', 'relu', "'relu'"), 'keras-py');
  assert.match(
    out,
    /Conv2D\(32, \(3, 3\), activation='elu', kernel_initializer='he_normal', input_shape=\(28, 28, 1\)\),/,
  );
  // Nothing else in the file moved.
  assert.equal(out.replace("'elu', kernel_initializer='he_normal'", "'relu'"), KERAS);
});

test('Keras Glorot initializer is replaced, double quotes kept', () => {
  const l = layer(KERAS, 'conv2d_1', 'Conv2D', 'relu', '"relu"', { init: '"glorot_uniform"' });
  const out = fix(KERAS, l, 'keras-py');
  assert.match(out, /Conv2D\(64, \(3, 3\), activation="elu", kernel_initializer="he_normal"\),/);
});

test('Keras he_normal already present: only the activation changes', () => {
  const text = `Dense(8, activation='relu', kernel_initializer='he_uniform')\n`;
  const l = layer(text, 'dense', 'Dense', 'relu', "'relu'", { init: "'he_uniform'" });
  const r = computeEluFix(text, l, 'keras-py');
  assert.equal(r.edits.length, 1);
  assert.equal(
    applyTextEdits(text, r.edits),
    `Dense(8, activation='elu', kernel_initializer='he_uniform')\n`,
  );
});

test('Keras multi-line call with trailing comma keeps one argument per line', () => {
  const l = layer(KERAS, 'dense_1', 'Dense', 'relu', "'relu'", { nth: 1 });
  const out = fix(KERAS, l, 'keras-py');
  assert.ok(
    out.includes(
      `    Dense(\n        128,\n        activation='elu',\n        kernel_initializer='he_normal',\n    ),`,
    ),
    out,
  );
});

test('Keras positional activation gets a keyword initializer before the paren', () => {
  const l = layer(KERAS, 'dense_2', 'Dense', 'relu', "'relu'", { nth: 2, call: "Dense(64, 'relu')" });
  assert.ok(fix(KERAS, l, 'keras-py').includes(`Dense(64, 'elu', kernel_initializer='he_normal'),`));
});

test('Keras ReLU() layer becomes ELU(alpha=1.0) and ELU is added to the import', () => {
  const out = fix(KERAS, layer(KERAS, 're_lu', 'ReLU', 'relu', 'ReLU()'), 'keras-py');
  assert.ok(out.includes('    ELU(alpha=1.0),\n'));
  assert.ok(
    out.includes('from tensorflow.keras.layers import Conv2D, Dense, Flatten, ReLU, ELU, Activation\n'),
  );
  const r = computeEluFix(KERAS, layer(KERAS, 're_lu', 'ReLU', 'relu', 'ReLU()'), 'keras-py');
  assert.match(r.notes.join(' '), /He initialisation/);
});

test('Keras ReLU() with ELU already imported adds no import; alpha is honoured', () => {
  const text = `from keras.layers import ELU, ReLU\nx = ReLU()(x)\n`;
  const out = fix(text, layer(text, 're_lu', 'ReLU', 'relu', 'ReLU()'), 'keras-py', 0.5);
  assert.equal(out, `from keras.layers import ELU, ReLU\nx = ELU(alpha=0.5)(x)\n`);
});

test('Keras layers.LeakyReLU(0.2) → layers.ELU(alpha=1.0), no import needed', () => {
  const text = `from tensorflow.keras import layers\nm.add(layers.LeakyReLU(0.2))\n`;
  const out = fix(text, layer(text, 'leaky', 'LeakyReLU', 'leaky_relu', 'layers.LeakyReLU(0.2)'), 'keras-py');
  assert.equal(out, `from tensorflow.keras import layers\nm.add(layers.ELU(alpha=1.0))\n`);
});

test("Keras Activation('relu') → Activation('elu')", () => {
  const out = fix(KERAS, layer(KERAS, 'activation', 'Activation', 'relu', "Activation('relu')"), 'keras-py');
  assert.ok(out.includes("    Activation('elu'),\n"));
  assert.ok(!out.includes('import Conv2D, Dense, Flatten, ReLU, ELU'));
});

const TORCH = `import torch
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Linear(256, 10)
        self.seq = nn.Sequential(nn.Linear(10, 10), nn.ReLU(True))

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return torch.relu(self.fc2(x))
`;

test('PyTorch nn.ReLU(inplace=True) → nn.ELU(inplace=True)', () => {
  const out = fix(TORCH, layer(TORCH, 'act', 'ReLU', 'relu', 'nn.ReLU(inplace=True)'), 'torch-py');
  assert.ok(out.includes('self.act = nn.ELU(inplace=True)\n'));
});

test('PyTorch positional nn.ReLU(True) keeps inplace as a keyword (ELU takes alpha first)', () => {
  const out = fix(TORCH, layer(TORCH, 'seq.1', 'ReLU', 'relu', 'nn.ReLU(True)'), 'torch-py', 0.3);
  assert.ok(out.includes('nn.Sequential(nn.Linear(10, 10), nn.ELU(alpha=0.3, inplace=True))'));
});

test('PyTorch F.relu → F.elu and torch.relu → torch.nn.functional.elu; He init is a note', () => {
  const r = computeEluFix(TORCH, layer(TORCH, 'fc1', 'Dense', 'relu', 'F.relu'), 'torch-py');
  assert.ok(applyTextEdits(TORCH, r.edits).includes('x = F.elu(self.fc1(x))'));
  assert.match(r.notes.join(' '), /kaiming_normal_/);
  const t = fix(TORCH, layer(TORCH, 'fc2', 'Dense', 'relu', 'torch.relu'), 'torch-py', 2);
  assert.ok(t.includes('return torch.nn.functional.elu(self.fc2(x), alpha=2.0)'), t);
});

const TFJS = `import * as tf from '@tensorflow/tfjs';

const model = tf.sequential();
model.add(tf.layers.dense({units: 256, activation: 'relu', inputShape: [784]}));
model.add(tf.layers.dense({
  units: 128,
  activation: "relu"
}));
model.add(tf.layers.reLU());
model.add(tf.layers.dense({units: 10, activation: 'softmax', kernelInitializer: 'glorotUniform'}));
`;

test("TF.js activation: 'relu' → 'elu' + kernelInitializer: 'heNormal'", () => {
  const out = fix(TFJS, layer(TFJS, 'dense', 'Dense', 'relu', "'relu'"), 'tfjs-ts');
  assert.ok(
    out.includes(
      "tf.layers.dense({units: 256, activation: 'elu', kernelInitializer: 'heNormal', inputShape: [784]})",
    ),
  );
});

test('TF.js multi-line object without trailing comma', () => {
  const out = fix(TFJS, layer(TFJS, 'dense_1', 'Dense', 'relu', '"relu"'), 'tfjs-ts');
  assert.ok(out.includes(`  units: 128,\n  activation: "elu",\n  kernelInitializer: "heNormal"\n}));`), out);
});

test('TF.js tf.layers.reLU() → tf.layers.elu({alpha: 1})', () => {
  assert.ok(
    fix(TFJS, layer(TFJS, 're_lu', 'ReLU', 'relu', 'tf.layers.reLU()'), 'tfjs-ts').includes(
      'model.add(tf.layers.elu({alpha: 1}));',
    ),
  );
});

test('saved binary models and layers without an activation range are refused with file and line', () => {
  const l = layer(KERAS, 'conv2d', 'Conv2D', 'relu', "'relu'");
  assert.throws(
    () => computeEluFix(KERAS, l, 'keras-h5'),
    (e: unknown) => e instanceof UserError && e.line === 5,
  );
  const noRange: LayerSpec = { ...l, source: { ...l.source!, activationRange: null } };
  assert.throws(
    () => computeEluFix(KERAS, noRange, 'keras-py'),
    (e: unknown) => e instanceof UserError && /activation/.test(e.message),
  );
  const already: LayerSpec = { ...l, activation: 'elu' };
  assert.throws(() => computeEluFix(KERAS, already, 'keras-py'), UserError);
});

test('a stale range (file edited since parsing) is refused, not applied blindly', () => {
  const l = layer(KERAS, 'conv2d', 'Conv2D', 'relu', "'relu'");
  const stale: LayerSpec = {
    ...l,
    source: {
      ...l.source!,
      activationRange: { start: { line: 99, column: 1 }, end: { line: 99, column: 4 } },
    },
  };
  assert.throws(() => computeEluFix(KERAS, stale, 'keras-py'), UserError);
  const wrong: LayerSpec = { ...l, source: { ...l.source!, activationRange: range(KERAS, 'Flatten') } };
  assert.throws(() => computeEluFix(KERAS, wrong, 'keras-py'), /cannot rewrite/);
});

test('ThresholdedReLU is a rectifier the fix rewrites; ELU and softmax are refused', () => {
  const text = `from tensorflow.keras.layers import Dense, ThresholdedReLU\nm.add(ThresholdedReLU(theta=0.5))\n`;
  const l = layer(
    text,
    'thresholded_re_lu',
    'ThresholdedReLU',
    'thresholded_relu',
    'ThresholdedReLU(theta=0.5)',
  );
  assert.equal(
    fix(text, l, 'keras-py'),
    `from tensorflow.keras.layers import Dense, ThresholdedReLU, ELU\nm.add(ELU(alpha=1.0))\n`,
  );
  const elu = `Dense(8, activation='elu')\n`;
  assert.throws(
    () => computeEluFix(elu, layer(elu, 'dense', 'Dense', 'elu', "'elu'"), 'keras-py'),
    /not a ReLU/,
  );
  const softmax = `Dense(8, activation='softmax')\n`;
  assert.throws(
    () => computeEluFix(softmax, layer(softmax, 'dense', 'Dense', 'softmax', "'softmax'"), 'keras-py'),
    /not a ReLU/,
  );
});
