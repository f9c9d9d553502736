/**
 * A seeded fuzz of the Python reader (issue 10's hostile-input suite, generated here): mutated
 * fixtures and random PyTorch forward passes. Every input ends as a model or a UserError — never
 * an internal error — in bounded time, and every model the reader returns builds in TF.js.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { isUserError } from '../../../src/errors';
import { buildModel } from '../../../src/model/build/build';
import { parsePythonModel, type PythonReadOptions } from '../../../src/model/readers/python/index';
import type { ModelSpec } from '../../../src/model/spec';
import { fixtureDir, fixtureText } from './python-fixtures';

before(async () => {
  await tf.setBackend('cpu');
});

/** A small LCG: the same inputs on every run. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

type Outcome = 'model' | 'refused';

function read(
  text: string,
  options: PythonReadOptions = {},
): { outcome: Outcome; spec: ModelSpec | null; ms: number } {
  const start = Date.now();
  try {
    const spec = parsePythonModel(text, 'fuzz.py', options);
    return { outcome: 'model', spec, ms: Date.now() - start };
  } catch (e) {
    if (!isUserError(e)) throw new Error(`internal error on:\n${text}\n${(e as Error).stack ?? String(e)}`);
    assert.equal(e.file, 'fuzz.py');
    return { outcome: 'refused', spec: null, ms: Date.now() - start };
  }
}

test('600 mutated fixtures (cut, deleted, duplicated, bracketed, scaled numbers): a model or a UserError, each < 2 s', () => {
  const rand = random(7);
  const files = readdirSync(fixtureDir).filter((f) => f.endsWith('.py'));
  const counts: Record<Outcome, number> = { model: 0, refused: 0 };
  for (let i = 0; i < 600; i++) {
    let text = fixtureText(files[rand(files.length)]!);
    const at = rand(text.length);
    switch (rand(6)) {
      case 0:
        text = text.slice(0, at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + rand(20));
        break;
      case 2:
        text = text.slice(0, at) + '([{'[rand(3)]! + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at) + text.slice(rand(text.length), rand(text.length)) + text.slice(at);
        break;
      case 4: {
        const lines = text.split('\n');
        lines.splice(rand(lines.length), 0, lines[rand(lines.length)]!);
        text = lines.join('\n');
        break;
      }
      default:
        text = text.replace(/\d+/g, (m) => (rand(4) === 0 ? String(Number(m) * 1000) : m));
    }
    const { outcome, ms } = read(text);
    counts[outcome]++;
    assert.ok(ms < 2000, `${ms} ms`);
  }
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  assert.ok(counts.model > 100 && counts.refused > 100, JSON.stringify(counts));
});

const modules = [
  'nn.Conv2d(3, 8, 3)',
  'nn.Conv2d(8, 8, 3, stride=2, padding=1)',
  'nn.Conv1d(8, 4, 3, padding=2)',
  'nn.Linear(8, 4)',
  'nn.Linear(32, 10)',
  'nn.LSTM(8, 16, batch_first=True)',
  'nn.GRU(4, 8, bidirectional=True)',
  'nn.Embedding(100, 8)',
  'nn.BatchNorm2d(8)',
  'nn.BatchNorm1d(8)',
  'nn.MaxPool2d(2, ceil_mode=True)',
  'nn.AvgPool1d(2, padding=1)',
  'nn.AdaptiveAvgPool2d((2, 3))',
  'nn.Flatten()',
  'nn.Dropout(0.)',
  'nn.ReLU()',
  'nn.PReLU(8)',
  'nn.LayerNorm(8)',
  'nn.ConvTranspose2d(8, 4, 2, stride=2, padding=1)',
  'nn.Upsample(scale_factor=2)',
  'nn.ZeroPad2d((1, 2, 0, 1))',
  'nn.Identity()',
  'nn.Sequential()',
  'nn.Conv2d(8, 8, 3, groups=8)',
  'nn.Conv2d(8, 16, 3, groups=4)',
  'nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])',
  'nn.Softmax(dim=1)',
  'nn.RNN(8, 8, num_layers=3, nonlinearity="relu")',
];
const ops = [
  'x = self.m{a}(x)',
  'x = F.relu(x)',
  'x = x.view(x.size(0), -1)',
  'x = x.view(-1, {n})',
  'x = x.reshape(-1, 2, 2, 2)',
  'x = x.permute(0, 2, 1)',
  'x = x.permute(0, 3, 1, 2)',
  'x = x.transpose(1, 2)',
  'x = torch.flatten(x, 1)',
  'x, h = self.m{a}(x)',
  'x = x[:, -1, :]',
  'x = h[-1]',
  'x = torch.cat((h[-2], h[-1]), dim=1)',
  'x = torch.cat([x, x], dim={n})',
  'x = x.mean(dim=(2, 3))',
  'x = torch.max(x, dim=1)[0]',
  'x = x.squeeze({n})',
  'x += x',
  'x = x - x',
  'x = -x * 0.5',
  'x = x ** 2',
  'x = x + self.m{a}(x)',
  'for l in self.m{a}:\n            x = l(x)',
  'x = self.m{a}[0](x)',
  'x = F.max_pool1d(x, x.shape[2])',
  'x = h.squeeze(0)',
  'return x, h',
];

test('240 random PyTorch forward passes × 3 option sets: a model or a UserError, and every model builds in TF.js', async () => {
  const rand = random(11);
  const counts: Record<Outcome, number> = { model: 0, refused: 0 };
  for (let i = 0; i < 240; i++) {
    const n = 1 + rand(4);
    const mods = Array.from({ length: n }, () => modules[rand(modules.length)]!);
    const body = Array.from({ length: 1 + rand(6) }, () =>
      ops[rand(ops.length)]!.replace('{a}', String(rand(n))).replace('{n}', String(rand(5) - 1)),
    );
    const text = [
      'import torch',
      'import torch.nn as nn',
      'import torch.nn.functional as F',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      ...mods.map((m, k) => `        self.m${k} = ${m}`),
      '    def forward(self, x):',
      ...body.map((b) => `        ${b}`),
      '        return x',
      'net = Net()',
    ].join('\n');
    for (const options of [{}, { inputShape: [8, 8, 8] }, { inputShape: [16, 8] }]) {
      const { outcome, spec, ms } = read(text, options);
      counts[outcome]++;
      assert.ok(ms < 2000, `${ms} ms`);
      if (!spec) continue;
      const model = await buildModel(tf, spec, 1);
      const x = tf.zeros([1, ...model.inputs[0]!.shape.slice(1).map((d) => d ?? 5)]);
      const y = model.predict(x);
      tf.dispose([x, ...(Array.isArray(y) ? y : [y])]);
      model.dispose();
    }
  }
  assert.ok(counts.model > 100 && counts.refused > 100, JSON.stringify(counts));
});
