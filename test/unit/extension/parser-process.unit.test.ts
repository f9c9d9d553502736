// The parser process: parses real sources off the host's thread, stops a parse that runs past its
// time limit or its heap limit without harm to this (the host's) process, and parses the next
// source in a fresh process. Measured numbers are printed (diagnostic lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ParserProcess, type ParseOutcome } from '../../../extension/parser-process';
import { HOSTILE_PARSER_SCRIPT, PARSER_SCRIPT } from './parser-fixture';

const MODEL = `from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense
model = Sequential([Dense(64, activation='relu', input_shape=(10,)), Dense(1)])
`;

/** Runs `work` while sampling this thread every 10 ms; the largest gap shows whether it was blocked. */
async function withLoopGap<T>(work: () => Promise<T>): Promise<{ value: T; maxGapMs: number; ms: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const sampler = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const value = await work();
    return { value, maxGapMs, ms: performance.now() - started };
  } finally {
    clearInterval(sampler);
  }
}

function layerCount(outcome: ParseOutcome): number | string {
  return outcome.kind === 'parsed'
    ? outcome.spec.layers.length
    : `${outcome.kind}: ${'message' in outcome ? outcome.message : ''}`;
}

test('the real parser process reads a Keras script and a TF.js source', async () => {
  const parser = new ParserProcess({ script: PARSER_SCRIPT });
  try {
    const py = await parser.parse('/work/m/model.py', MODEL);
    assert.equal(layerCount(py), 2);
    const ts = await parser.parse(
      '/work/m/model.ts',
      `import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }));\n`,
    );
    assert.equal(layerCount(ts), 1);
    const none = await parser.parse('/work/m/util.py', 'def f(x):\n    return x\n');
    assert.equal(none.kind, 'no-model');
    assert.equal(parser.started, 1, 'one process served all three');
  } finally {
    parser.dispose();
  }
});

test('a parse that never ends is stopped at the time limit; the host stays responsive; the next parse works', async (t) => {
  const parser = new ParserProcess({ script: HOSTILE_PARSER_SCRIPT, limits: { timeMs: 1000 } });
  try {
    assert.equal((await parser.parse('/w/warm.py', 'ok')).kind, 'parsed');
    const { value, maxGapMs, ms } = await withLoopGap(() => parser.parse('/w/spin.py', 'spin'));
    assert.equal(value.kind, 'failed');
    assert.match(
      value.kind === 'failed' ? value.message : '',
      /longer than 1 s \(the limit\), so it was stopped/,
    );
    assert.ok(ms >= 950 && ms < 2500, `stopped after ${ms.toFixed(0)} ms (limit 1000 ms)`);
    assert.ok(maxGapMs < 250, `the host's event loop was blocked for ${maxGapMs.toFixed(0)} ms`);
    const next = await parser.parse('/w/next.py', 'ok');
    assert.equal(next.kind, 'parsed');
    assert.equal(parser.started, 2, 'a fresh process after the kill');
    t.diagnostic(
      `spin stopped after ${ms.toFixed(0)} ms (limit 1000 ms); host loop max gap ${maxGapMs.toFixed(0)} ms`,
    );
  } finally {
    parser.dispose();
  }
});

test('a parse that outgrows the heap limit is stopped (a Map growing: it aborts a worker thread’s whole process)', async (t) => {
  const parser = new ParserProcess({ script: HOSTILE_PARSER_SCRIPT, limits: { timeMs: 20_000, heapMb: 64 } });
  try {
    const before = process.memoryUsage().rss;
    const { value, ms } = await withLoopGap(() => parser.parse('/w/grow.py', 'grow'));
    assert.equal(value.kind, 'failed');
    assert.match(value.kind === 'failed' ? value.message : '', /ran out of memory \(the limit is 64 MB\)/);
    assert.ok(ms < 20_000, 'the heap limit, not the time limit, stopped it');
    assert.ok(process.memoryUsage().rss - before < 64 * 2 ** 20, 'the memory was the child’s, not ours');
    assert.equal((await parser.parse('/w/next.py', 'ok')).kind, 'parsed');
    t.diagnostic(`heap-limit stop after ${ms.toFixed(0)} ms (limit 64 MB)`);
  } finally {
    parser.dispose();
  }
});

test('hostile Python sources: each ends within its limits, and the next file still parses', async (t) => {
  const parser = new ParserProcess({ script: PARSER_SCRIPT, limits: { timeMs: 3000, heapMb: 128 } });
  const hostile: Record<string, string> = {
    // Minutes and gigabytes for an unbudgeted interpreter: 16.7M appends.
    'loops.py': `from keras import layers, Sequential\nxs = []\nfor i in range(256):\n    for j in range(256):\n        for k in range(256):\n            xs.append(layers.Dense(1, activation='relu'))\nmodel = Sequential(xs)\n`,
    // A list of 10**9 layers: V8 aborts on memory without a budget.
    'multiplied.py': `from keras import layers, Sequential\nmodel = Sequential([layers.Dense(1, activation='relu')] * 10**9)\n`,
    'parens.py': `from keras import layers, Sequential\nx = ${'('.repeat(3000)}1${')'.repeat(3000)}\nmodel = Sequential([layers.Dense(4, activation='relu', input_shape=(3,))])\n`,
  };
  try {
    for (const [name, text] of Object.entries(hostile)) {
      const { value, ms, maxGapMs } = await withLoopGap(() => parser.parse(`/w/${name}`, text));
      // A budgeted reader refuses (no-model) or reads it; an unbudgeted one is stopped: never a hang.
      assert.ok(ms < 3000 + 1500, `${name}: ${ms.toFixed(0)} ms`);
      assert.ok(maxGapMs < 250, `${name}: host blocked ${maxGapMs.toFixed(0)} ms`);
      t.diagnostic(
        `${name}: ${value.kind} after ${ms.toFixed(0)} ms${value.kind === 'failed' ? ` (${value.message})` : ''}`,
      );
      assert.equal(layerCount(await parser.parse('/w/model.py', MODEL)), 2, `a parse after ${name}`);
    }
  } finally {
    parser.dispose();
  }
});

test('queued parses nobody wants any more are withdrawn; dispose answers the rest', async () => {
  const parser = new ParserProcess({ script: HOSTILE_PARSER_SCRIPT, limits: { timeMs: 800 } });
  const spinning = parser.parse('/w/a.py', 'spin');
  const abort = new AbortController();
  const withdrawn = parser.parse('/w/b.py', 'ok', abort.signal);
  const kept = parser.parse('/w/c.py', 'ok');
  abort.abort();
  assert.deepEqual(await withdrawn, { kind: 'cancelled' });
  assert.equal((await spinning).kind, 'failed');
  assert.equal((await kept).kind, 'parsed');
  const late = parser.parse('/w/d.py', 'spin');
  parser.dispose();
  assert.deepEqual(await late, { kind: 'cancelled' });
  assert.deepEqual(await parser.parse('/w/e.py', 'ok'), { kind: 'cancelled' });
});

test('a parser script that cannot start fails the parse with the reason, not a hang', async () => {
  const parser = new ParserProcess({ script: '/nonexistent/parser.js', limits: { timeMs: 5000 } });
  try {
    const outcome = await parser.parse('/w/a.py', 'ok');
    assert.equal(outcome.kind, 'failed');
    assert.match(
      outcome.kind === 'failed' ? outcome.message : '',
      /the parser process ended \(exit code 1\).*Cannot find module|parser process could not run/,
    );
  } finally {
    parser.dispose();
  }
});

/** Alive and not a zombie (a killed orphan may wait for a reaper that never comes in a container). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('a parser process whose host dies mid-parse exits by itself (no orphan spinning at 100% CPU)', async (t) => {
  // The host: forks the parser, starts a parse that never ends, prints the parser's pid.
  const host = spawn(
    process.execPath,
    [
      '-e',
      `const c = require('node:child_process').fork(${JSON.stringify(HOSTILE_PARSER_SCRIPT)}, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
       c.send({ type: 'parse', id: 1, file: '/w/spin.py', text: 'spin' });
       console.log(c.pid);
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = await new Promise<number>((resolve) =>
    host.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
  );
  assert.ok(pid > 0 && running(pid));
  await new Promise((r) => setTimeout(r, 300));
  host.kill('SIGKILL');
  const killed = performance.now();
  while (running(pid) && performance.now() - killed < 5000) await new Promise((r) => setTimeout(r, 50));
  const ms = performance.now() - killed;
  if (running(pid)) process.kill(pid, 'SIGKILL');
  assert.ok(ms < 5000, `the orphaned parser still ran ${ms.toFixed(0)} ms after its host died`);
  t.diagnostic(`orphaned parser exited ${ms.toFixed(0)} ms after its host was killed`);
});
