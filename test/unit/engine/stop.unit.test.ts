// Stop means stop, with real processes on the wasm backend: Ctrl-C / SIGTERM of the CLI, an IPC
// cancel or SIGTERM of the engine process end a 2000-step run within a few steps with the partial
// report, and an engine whose host is SIGKILLed exits by itself. Time bounds are generous (shared
// machines); what is asserted is that the run stopped long before its budget, with a report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../../src/parent-watch';
import {
  cancelCommand,
  parseEngineEvent,
  startCommand,
  type EngineEvent,
  type Report,
  type RunConfig,
} from '../../../src/protocol';
import { longWasmRun } from '../extension/fixtures';

const DIST = join(__dirname, '..', '..', '..', 'dist');
const CLI = join(DIST, 'cli.js');
const ENGINE = join(DIST, 'engine.js');
const tmp = mkdtempSync(join(tmpdir(), 'al-stop-'));
const STEPS = 2000;
/** From the signal to the process gone: a few steps and one probe, with room for a loaded machine. */
const STOP_BOUND_MS = 30_000;
/** A run that does not stop fails here instead of training its whole budget. */
const TEST_TIMEOUT_MS = 120_000;

const RUN_ARGS = ['--example', 'mnist-cnn', '--steps', String(STEPS), '--batch', '32', '--probe', '64'];
const CONFIG: RunConfig = longWasmRun(STEPS);

interface Watched {
  child: ChildProcess;
  /** Every protocol event seen (JSON lines on stdout, or IPC messages). */
  events: unknown[];
  /** Resolves with the first event `pred` accepts; rejects if the process ends first. */
  waitFor(pred: (e: EngineEvent) => boolean): Promise<EngineEvent>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stderr(): string;
  /** stdout as text (a run without --events). */
  stdout(): string;
}

function watch(child: ChildProcess, from: 'stdout' | 'ipc' | 'text'): Watched {
  const events: unknown[] = [];
  const waiters: { pred: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  const seen = (raw: unknown) => {
    events.push(raw);
    const e = raw as EngineEvent;
    for (const w of waiters.splice(0))
      if (w.pred(e)) w.resolve(e);
      else waiters.push(w);
  };
  let err = '';
  let out = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  if (from === 'text') child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  else if (from === 'stdout') {
    let buf = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        seen(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
  } else child.on('message', seen);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return {
    child,
    events,
    exited,
    stderr: () => err,
    stdout: () => out,
    waitFor: (pred) =>
      new Promise((resolve, reject) => {
        const hit = (events as EngineEvent[]).find(pred);
        if (hit) return resolve(hit);
        waiters.push({ pred, resolve });
        void exited.then(({ code }) =>
          reject(new Error(`exited (${code}) first; stderr: ${err.slice(-500)}`)),
        );
      }),
  };
}

const training = (e: EngineEvent) => e.type === 'progress';

function cli(args: string[]): Watched {
  const child = spawn(process.execPath, [CLI, 'analyze', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return watch(child, args.includes('--events') ? 'stdout' : 'text');
}

/** Resolves once the process's stderr matches `pattern`. */
function stderrMatches(run: Watched, pattern: RegExp): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (pattern.test(run.stderr())) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    void run.exited.then(() => {
      clearInterval(check);
      reject(new Error(`exited before stderr matched ${pattern}: ${run.stderr().slice(-500)}`));
    });
  });
}

function engine(): Watched {
  return watch(
    fork(ENGINE, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' }),
    'ipc',
  );
}

/** Every event a real run sent passes the protocol's deep parser. */
function assertAllValid(events: unknown[]): void {
  for (const e of events) assert.ok(parseEngineEvent(e), `refused: ${JSON.stringify(e).slice(0, 300)}`);
}

function assertPartial(report: Report): void {
  assert.equal(report.cancelled, true);
  assert.ok(report.training.steps < STEPS, `trained ${report.training.steps} of ${STEPS} steps`);
  assert.equal(report.training.loss.length, report.training.steps);
  // The final probe describes the state reached.
  for (const l of report.layers) assert.equal(l.meanDrift.at(-1)?.step, report.training.steps, l.name);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(
    `CLI: ${signal} during training → partial report in --json, cancelled, exit 130, within a few steps`,
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const out = join(tmp, `${signal}.json`);
      const run = cli([...RUN_ARGS, '--backend', 'wasm', '--events', '--json', out]);
      const seen = (await run.waitFor(training)) as Extract<EngineEvent, { type: 'progress' }>;
      const sent = Date.now();
      run.child.kill(signal);
      const exit = await run.exited;
      assert.equal(exit.code, 130, run.stderr());
      assert.ok(exit.at - sent < STOP_BOUND_MS, `exited ${exit.at - sent} ms after ${signal}`);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
      assertPartial(report);
      assert.ok(report.training.steps >= seen.step);
      const last = run.events.at(-1) as EngineEvent;
      assert.equal(last.type, 'run-finished');
      assert.equal(last.type === 'run-finished' && last.report.cancelled, true);
      assertAllValid(run.events);
      assert.match(run.stderr(), /cancelling after this step/);
    },
  );
}

test(
  'CLI without --events: the partial report is written and the table says cancelled',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const out = join(tmp, 'table.json');
    const run = cli([...RUN_ARGS, '--backend', 'wasm', '--json', out, '--debug']);
    // Nothing on stdout until the end: stop once the backend is up (training may not have begun).
    await stderrMatches(run, /backend: wasm/);
    run.child.kill('SIGINT');
    const exit = await run.exited;
    assert.equal(exit.code, 130, run.stderr());
    assertPartial(JSON.parse(readFileSync(out, 'utf8')) as Report);
    assert.match(run.stdout(), /\(cancelled\)/);
    assert.match(run.stdout(), /report written to/);
  },
);

test('CLI: a second Ctrl-C quits at once, without a report', { timeout: TEST_TIMEOUT_MS }, async () => {
  const out = join(tmp, 'twice.json');
  // A large probe set: the first Ctrl-C's final probe outlasts the second one's arrival.
  const run = cli([...RUN_ARGS, '--probe', '500', '--backend', 'wasm', '--events', '--json', out]);
  await run.waitFor(training);
  run.child.kill('SIGINT');
  // Two signals sent at once reach the process as one; a person presses the second one later.
  await stderrMatches(run, /cancelling after this step/);
  run.child.kill('SIGINT');
  const exit = await run.exited;
  assert.equal(exit.code, 130);
  assert.match(run.stderr(), /stopped without a report/);
  assert.equal(existsSync(out), false);
});

test(
  'engine process: an IPC cancel → run-finished with the partial report; every event parses',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const run = engine();
    run.child.send(startCommand('ipc-cancel', CONFIG));
    await run.waitFor(training);
    const sent = Date.now();
    run.child.send(cancelCommand('ipc-cancel'));
    const finished = await run.waitFor((e) => e.type === 'run-finished' || e.type === 'error');
    assert.equal(finished.type, 'run-finished', JSON.stringify(finished).slice(0, 500));
    assert.ok(Date.now() - sent < STOP_BOUND_MS, `reported ${Date.now() - sent} ms after the cancel`);
    assertPartial((finished as Extract<EngineEvent, { type: 'run-finished' }>).report);
    assertAllValid(run.events);
    // The host releases it; it exits by itself.
    run.child.disconnect();
    const exit = await run.exited;
    assert.equal(exit.code, 0);
  },
);

test(
  'engine process: SIGTERM → run-finished with the partial report, then it exits by itself',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const run = engine();
    run.child.send(startCommand('sigterm', CONFIG));
    await run.waitFor(training);
    const sent = Date.now();
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    assert.equal(exit.code, 0, run.stderr());
    assert.ok(exit.at - sent < STOP_BOUND_MS, `exited ${exit.at - sent} ms after SIGTERM`);
    const finished = (run.events as EngineEvent[]).find((e) => e.type === 'run-finished');
    assert.ok(finished && finished.type === 'run-finished', 'the report came before the exit');
    assertPartial(finished.report);
  },
);

test(
  'engine process: a start command it cannot read is answered with an error naming the field',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const run = engine();
    run.child.send({ ...startCommand('bad', CONFIG), config: { ...CONFIG, backend: 'tpu' } });
    const error = await run.waitFor((e) => e.type === 'error');
    assert.match(error.type === 'error' ? error.message : '', /command\.config\.backend: expected one of/);
    run.child.disconnect();
    assert.equal((await run.exited).code, 0);
  },
);

/** Gone, or a zombie nobody reaps (a container's init may not): either way it no longer runs. */
function stopped(pid: number): boolean {
  if (!isAlive(pid)) return true;
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

test(
  'engine process: orphaned by a SIGKILLed host mid-run, it exits within seconds',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const host = join(tmp, 'host.js');
    writeFileSync(
      host,
      `const { fork } = require('node:child_process');
const engine = fork(${JSON.stringify(ENGINE)}, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
let told = false;
engine.on('message', (e) => {
  if (e.type === 'progress' && !told) { told = true; process.stdout.write(engine.pid + '\\n'); }
});
engine.send(${JSON.stringify(startCommand('orphan', CONFIG))});
setInterval(() => {}, 1000);`,
    );
    const parent = spawn(process.execPath, [host], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())));
      parent.once('exit', () => reject(new Error('the host script ended before the engine trained')));
    });
    assert.ok(isAlive(pid), 'the engine is training');
    parent.kill('SIGKILL');
    const killed = Date.now();
    try {
      while (!stopped(pid) && Date.now() - killed < STOP_BOUND_MS)
        await new Promise((r) => setTimeout(r, 100));
      assert.ok(
        stopped(pid),
        `the orphaned engine ${pid} still runs ${Date.now() - killed} ms after its host died`,
      );
    } finally {
      if (!stopped(pid)) process.kill(pid, 'SIGKILL');
    }
  },
);
