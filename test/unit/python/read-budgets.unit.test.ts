/**
 * Hostile and huge Python sources (issue 10): each is a clear UserError on its line, in bounded
 * time (< 5 s each) and memory. Sources that would exhaust memory are read in a child process
 * with a small heap (--max-old-space-size=160): a V8 abort would show as exit 134 there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { isUserError, UserError } from '../../../src/errors';
import { defaultReadLimits } from '../../../src/model/readers/python/budget';
import { parsePythonModel } from '../../../src/model/readers/python/index';

const keras = 'from keras.models import Sequential\nfrom keras.layers import Dense\n';
const nested = (open: string, close: string, depth: number): string =>
  open.repeat(depth) + close.repeat(depth);

/** name → [source, expected message, expected line (null: none)]. */
const cases: Record<string, [string, RegExp, number | null]> = {
  'module-level return': [
    'import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 2))\nreturn model\n',
    /'return' outside a function/,
    3,
  ],
  'break outside a loop': [
    `${keras}model = Sequential([Dense(4, input_shape=(4,))])\nbreak\n`,
    /'break' outside a loop/,
    4,
  ],
  'nested range(256) loops that add layers': [
    `${keras}model = Sequential()\nmodel.add(Dense(4, input_shape=(4,)))\nfor i in range(256):\n    for j in range(256):\n        for k in range(256):\n            model.add(Dense(4))\n`,
    /more than 10,000 layers/,
    8,
  ],
  'a recursive helper': [
    `${keras}def f(n):\n    return f(n - 1) + f(n - 1)\nx = f(40)\nmodel = Sequential([Dense(4, input_shape=(4,))])\n`,
    /calls of f\(\) nest more than 32 deep/,
    4,
  ],
  'a recursive layer builder': [
    `${keras}model = Sequential([Dense(4, input_shape=(4,))])\ndef grow(n):\n    model.add(Dense(4))\n    grow(n + 1)\ngrow(0)\n`,
    /calls of grow\(\) nest more than 32 deep/,
    6,
  ],
  '3,000 nested parentheses': [
    `${keras}n = ${'('.repeat(3000)}1${')'.repeat(3000)}\nmodel = Sequential([Dense(n, input_shape=(4,))])\n`,
    /nests more than 200 levels/,
    3,
  ],
  '3,000 nested lists': [
    `${keras}x = ${nested('[', ']', 3000)}\nmodel = Sequential([Dense(4, input_shape=(4,))])\n`,
    /nests more than 200 levels/,
    3,
  ],
  // CPython refuses it too ("maximum recursion depth exceeded during compilation").
  'a 5,000-term sum': [
    `${keras}n = ${Array(5000).fill('1').join(' + ')}\nmodel = Sequential([Dense(n, input_shape=(4,))])\n`,
    /syntax error at line 3/,
    3,
  ],
  '50,000 layers': [
    `${keras}m = Sequential()\nm.add(Dense(4, input_shape=(4,)))\n${'m.add(Dense(4))\n'.repeat(50_000)}`,
    /more than 10,000 layers/,
    10_004,
  ],
  'a 2 MB source (100,000 layers)': [
    `${keras}model = Sequential()\nmodel.add(Dense(4, input_shape=(4,)))\n${'model.add(Dense(4))\n'.repeat(100_000)}`,
    /the file has 2,000,\d{3} characters; the reader reads model sources of up to 1,000,000/,
    null,
  ],
  '10,000 unclosed brackets': [
    `${keras}model = Sequential()\nmodel.add(Dense(4, input_shape=(4,))\n${'model.add(Dense(4)\n'.repeat(10_000)}`,
    /nests more than 200 levels/,
    199,
  ],
};

/** Memory-heavy cases: run in a child with a small heap. */
const heavy: Record<string, [string, RegExp, number]> = {
  '[Dense(4)] * 10**9': [
    `${keras}model = Sequential([Dense(4, input_shape=(4,))] + [Dense(4)] * 10**9)\n`,
    /a list of 1,000,000,000 items/,
    3,
  ],
  'nn.ModuleList([...] * 10**9)': [
    'import torch.nn as nn\nclass N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.layers = nn.ModuleList([nn.Linear(4, 4)] * 10**9)\n    def forward(self, x):\n        for l in self.layers:\n            x = l(x)\n        return x\nm = N()\n',
    /a list of 1,000,000,000 items/,
    5,
  ],
  "'a' * 10**9": [
    `${keras}s = 'a' * 10**9\nmodel = Sequential([Dense(4, input_shape=(4,))])\n`,
    /a string of 1,000,000,000 characters/,
    3,
  ],
  'a list doubled 60 times': [
    `${keras}xs = [1]\nfor i in range(60):\n    xs = xs + xs\nmodel = Sequential([Dense(4, input_shape=(4,))])\n`,
    /a list of 131,072 items/,
    5,
  ],
  'a dict comprehension over range(256) nested 4 deep': [
    `${keras}d = {(a, b, c, e): 0 for a in range(256) for b in range(256) for c in range(256) for e in range(256)}\nmodel = Sequential([Dense(4, input_shape=(4,))])\n`,
    /more than|steps|items/,
    3,
  ],
};

const childCase = process.env.ACTIVATION_LENS_HOSTILE_CASE;

function readCase(source: string): { error: UserError | null; ms: number } {
  const start = Date.now();
  try {
    parsePythonModel(source, 'hostile.py');
    return { error: null, ms: Date.now() - start };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { error: e, ms: Date.now() - start };
  }
}

if (childCase) {
  // Child mode: read one heavy case and report; a V8 abort would end this process with 134.
  const { error, ms } = readCase(heavy[childCase]![0]);
  process.stdout.write(
    `${JSON.stringify({ message: error?.message ?? null, line: error?.line ?? null, ms })}\n`,
  );
} else {
  for (const [name, [source, message, line]] of Object.entries(cases)) {
    test(`${name}: a UserError on its line in bounded time`, () => {
      const { error, ms } = readCase(source);
      assert.ok(error, `${name} read without error`);
      assert.match(error.message, message);
      assert.equal(error.line, line);
      assert.equal(error.file, 'hostile.py');
      assert.ok(error.hint, 'says what to do');
      assert.ok(ms < 5000, `${name} took ${ms} ms`);
    });
  }

  for (const [name, [, message, line]] of Object.entries(heavy)) {
    test(`${name}: refused in a 160 MB heap, no abort`, () => {
      const r = spawnSync(process.execPath, ['--max-old-space-size=160', __filename], {
        env: { ...process.env, ACTIVATION_LENS_HOSTILE_CASE: name },
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(-500)}`);
      const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        message: string | null;
        line: number | null;
        ms: number;
      };
      assert.ok(result.message, `${name} read without error`);
      assert.match(result.message, message);
      assert.equal(result.line, line);
      assert.ok(result.ms < 5000, `${name} took ${result.ms} ms`);
    });
  }

  test('a loop that builds no layers and runs long is given up: its names become unknown, the model says so', () => {
    const start = Date.now();
    const spec = parsePythonModel(
      `${keras}model = Sequential()\nmodel.add(Dense(4, input_shape=(4,)))\ntotal = 0\nfor i in range(256):\n    for j in range(256):\n        for k in range(256):\n            total = total + i * j * k\nmodel.add(Dense(total))\n`,
      'side.py',
    );
    assert.ok(Date.now() - start < 5000);
    assert.deepEqual(
      spec.layers.map((l) => l.name),
      ['dense'],
    );
    assert.deepEqual(
      spec.omitted?.map((o) => [o.what, o.line]),
      [['the layer Dense', 10]],
    );
    assert.ok(spec.issues.some((i) => i.line === 10 && /changed by the loop on line 6/.test(i.message)));
  });

  test('a 600-term sum is folded (chains are read without nesting), and a 200 KB file of nested blocks reads fast', () => {
    const sum = parsePythonModel(
      `${keras}n = ${Array(600).fill('1').join(' + ')}\nmodel = Sequential([Dense(n, input_shape=(4,))])\n`,
      'sum.py',
    );
    assert.equal((sum.topology.config.layers as { config: Record<string, unknown> }[])[0]!.config.units, 600);
    let block = '';
    for (let d = 0; d < 90; d++) block += `${'    '.repeat(d)}if True:\n`;
    block += `${'    '.repeat(90)}model.add(Dense(4))\n`;
    let text = `${keras}model = Sequential([Dense(4, input_shape=(4,))])\n`;
    while (text.length < 200_000) text += block;
    const start = Date.now();
    const spec = parsePythonModel(text, 'nested.py');
    assert.ok(Date.now() - start < 5000, `${Date.now() - start} ms`);
    assert.equal(spec.layers.length, 1 + text.split('model.add(Dense(4))').length - 1);
  });

  test('the step and time budgets end a read with a UserError naming the line being read', () => {
    const source = `${keras}model = Sequential()\nfor u in (8, 16, 32, 64):\n    model.add(Dense(u, input_shape=(4,)))\n`;
    assert.throws(
      () => parsePythonModel(source, 'b.py', { limits: { ...defaultReadLimits, steps: 20 } }),
      (e: unknown) => isUserError(e) && /more than 20 steps/.test(e.message) && e.line !== null,
    );
    let big = `${keras}model = Sequential([Dense(4, input_shape=(4,))])\n`;
    for (let i = 0; i < 400; i++) big += `x${i} = [${Array(20).fill(i).join(', ')}]\n`;
    assert.throws(
      () => parsePythonModel(big, 'b.py', { limits: { ...defaultReadLimits, millis: 0 } }),
      (e: unknown) => isUserError(e) && /takes more than 0 s/.test(e.message) && e.line !== null,
    );
  });
}
