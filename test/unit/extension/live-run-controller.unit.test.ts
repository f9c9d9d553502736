// The run controller with live runs: the script is a real child process (a stand-in for
// `python -m activation_lens run`, fake-taps.child.ts) whose taps connect to a real listener. Its
// output reaches its terminal, its events fill the same dashboard state as an engine run, a crash
// keeps what the dashboard had and shows the script's last stderr lines, Stop means stop watching
// or stop the script, and a run typed in a terminal is adopted when the window is free.
import { reset, recorded } from './fake-vscode';
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { RunController, type LiveStop } from '../../../extension/run-controller';
import { LiveListener } from '../../../src/live/listener';
import type { EngineEvent } from '../../../src/protocol';
import type { Scenario } from './fake-taps.child';
import {
  RawClient,
  RUN_ID,
  delay,
  hello,
  layerProbe,
  liveEnded,
  probeLine,
  progress,
  runStarted,
  summary,
} from '../live/live-stream';

const FAKE_TAPS = join(__dirname, 'fake-taps.child.js');
const LAYERS = [summary('relu1', 10), summary('relu2', 12)];

interface Setup {
  controller: RunController;
  listener: LiveListener;
  events: EngineEvent[];
  logs: string[];
  dir: string;
  python: string;
  stopAnswer: { value: LiveStop | undefined };
  launch(scenario: Scenario): Promise<void>;
}

let current: Setup | null = null;
beforeEach(reset);
afterEach(async () => {
  current?.controller.dispose();
  await current?.listener.close();
  current = null;
});

async function setup(): Promise<Setup> {
  const events: EngineEvent[] = [];
  const logs: string[] = [];
  const line = (level: string) => (m: string) => logs.push(`${level} ${m}`);
  const log = {
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    debug: line('debug'),
    show: () => undefined,
  } as unknown as vscode.LogOutputChannel;
  const stopAnswer: { value: LiveStop | undefined } = { value: undefined };
  const controller = new RunController({
    log,
    launch: () => {
      throw new Error('no engine in these tests');
    },
    onEvent: (e) => events.push(e),
    onTransition: () => undefined,
    askLiveStop: () => Promise.resolve(stopAnswer.value),
  });
  const listener = await LiveListener.start({
    handler: {
      onHello: (c) => controller.liveConnected(c),
      onEvent: (e, c) => controller.liveEvent(e, c),
      onEnd: (r, c) => controller.liveEnded(r, c),
    },
    admit: (h) => controller.admitLive(h),
    log: (level, m) => logs.push(`${level} ${m}`),
  });
  const dir = mkdtempSync(join(tmpdir(), 'al-live-ctl-'));
  // The "interpreter": an executable that runs the stand-in with the arguments python would get.
  const python = join(dir, 'python');
  writeFileSync(python, `#!${process.execPath}\nrequire(${JSON.stringify(FAKE_TAPS)});\n`);
  chmodSync(python, 0o755);
  const s: Setup = {
    controller,
    listener,
    events,
    logs,
    dir,
    python,
    stopAnswer,
    launch: (scenario) => {
      const script = join(dir, `scenario-${Date.now()}.json`);
      writeFileSync(script, JSON.stringify(scenario));
      return controller.startLive({
        python,
        script,
        args: [],
        cwd: dir,
        env: { ...process.env, ...listener.environment() },
      });
    },
  };
  current = s;
  return s;
}

const healthy: Scenario = {
  stdout: ['epoch 1/1', 'trained 4 steps'],
  lines: [
    runStarted(LAYERS),
    probeLine(0, [layerProbe('relu1', 0, 0), layerProbe('relu2', 0, 8)]),
    progress(2, 0.7),
    probeLine(4, [layerProbe('relu1', 4, 0), layerProbe('relu2', 4, 8)]),
    liveEnded(4),
  ],
};

test('a live run fills the dashboard state like an engine run; its output is in its own terminal', async () => {
  const s = await setup();
  await s.launch(healthy);
  const state = s.controller.state;
  assert.equal(state.status, 'finished', state.error ?? '');
  assert.equal(state.runId, RUN_ID);
  assert.equal(state.started?.origin, 'live');
  assert.deepEqual(
    state.probes.map((p) => p.step),
    [0, 4],
  );
  assert.equal(state.report?.origin, 'live');
  assert.equal(state.report?.backend, 'torch cpu');
  assert.ok(
    state.findings.some((f) => f.kind === 'dead-units' && f.layer === 'relu2' && f.source?.line === 12),
  );
  assert.deepEqual(
    s.events.map((e) => e.type),
    ['run-started', 'probe', 'progress', 'probe', 'findings', 'run-finished'],
  );
  assert.equal(recorded.terminals.length, 1);
  const terminal = recorded.terminals[0]!;
  assert.match(terminal.name, /^Activation Lens: scenario-\d+\.json$/);
  assert.match(terminal.output, /epoch 1\/1\r\ntrained 4 steps\r\n/);
  assert.match(terminal.output, /\[scenario-\d+\.json exited with code 0\]/);
  assert.match(recorded.statusBarText, /torch · finished/);
  assert.equal(recorded.messages.filter((m) => m.level === 'error').length, 0);
  assert.equal(s.controller.running, false);
});

test('a script that crashes keeps what the dashboard had and shows its last stderr lines', async () => {
  const s = await setup();
  await s.launch({
    lines: [runStarted(LAYERS), probeLine(0, [layerProbe('relu1', 0, 0), layerProbe('relu2', 0, 3)])],
    stderr: [
      'Traceback (most recent call last):',
      '  File "train.py", line 30, in <module>',
      'RuntimeError: CUDA out of memory',
    ],
    exitCode: 1,
  });
  const state = s.controller.state;
  assert.equal(state.status, 'failed');
  assert.equal(state.probes.length, 1, 'the probes stay');
  assert.ok(state.report, 'the report of what was measured stays');
  assert.match(
    state.error ?? '',
    /exited with code 1\. Last output:\n.*\n.*line 30.*\nRuntimeError: CUDA out of memory$/s,
  );
  const shown = recorded.messages.find((m) => m.level === 'error');
  assert.match(shown?.text ?? '', /exited with code 1/);
  assert.deepEqual(shown?.items, ['Show Output']);
});

test('a script that dies before its taps connect: one message with its last output', async () => {
  const s = await setup();
  await s.launch({ connect: false, stderr: ["ModuleNotFoundError: No module named 'torch'"], exitCode: 1 });
  const state = s.controller.state;
  assert.equal(state.status, 'failed');
  assert.match(
    state.error ?? '',
    /exited with code 1 before the live taps connected\. Last output:\nModuleNotFoundError: No module named 'torch'/,
  );
  assert.equal(recorded.messages.filter((m) => m.level === 'error').length, 1);
});

test('Stop → stop the script: Ctrl-C reaches it, it ends its own run (final probe, live-ended)', async () => {
  const s = await setup();
  s.stopAnswer.value = 'script';
  const running = s.launch({
    lines: [runStarted(LAYERS), probeLine(0, [layerProbe('relu1', 0, 0), layerProbe('relu2', 0, 1)])],
    onInterrupt: [probeLine(7, [layerProbe('relu1', 7, 0), layerProbe('relu2', 7, 2)]), liveEnded(7, 130)],
    holdMs: 60_000,
  });
  while (s.controller.state.probes.length === 0) await delay(20);
  s.controller.stop();
  await running;
  const state = s.controller.state;
  assert.equal(state.status, 'finished');
  assert.deepEqual(
    state.probes.map((p) => p.step),
    [0, 7],
  );
  assert.equal(state.report?.live?.exitCode, 130);
  assert.equal(
    recorded.messages.filter((m) => m.level === 'error').length,
    0,
    'a stop asked for is no failure',
  );
  assert.match(recorded.terminals[0]!.output, /exited with code 130/);
});

test('Stop → stop watching: the run ends with what it had; the script trains on in its terminal', async () => {
  const s = await setup();
  s.stopAnswer.value = 'watching';
  const running = s.launch({
    lines: [runStarted(LAYERS), probeLine(0, [layerProbe('relu1', 0, 0), layerProbe('relu2', 0, 1)])],
    stdout: ['still training'],
    holdMs: 1500,
  });
  while (s.controller.state.probes.length === 0) await delay(20);
  s.controller.stop();
  await running;
  assert.equal(s.controller.state.status, 'cancelled');
  assert.equal(s.controller.state.report?.cancelled, true);
  assert.equal(s.controller.running, false, 'the window is free for another run');
  assert.doesNotMatch(recorded.terminals[0]!.output, /exited/, 'the script is still running');
  await delay(2500);
  assert.match(recorded.terminals[0]!.output, /exited with code 0/);
  assert.equal(recorded.messages.filter((m) => m.level === 'error').length, 0);
});

test('a run typed in a terminal is adopted while the window is free; others are refused meanwhile', async () => {
  const s = await setup();
  const client = await RawClient.open(s.listener.address);
  client.send(
    hello(s.listener.token),
    runStarted(LAYERS),
    probeLine(0, [layerProbe('relu1', 0, 0), layerProbe('relu2', 0, 8)]),
  );
  while (s.controller.state.probes.length === 0) await delay(20);
  assert.equal(s.controller.running, true);
  assert.equal(s.controller.isLive, true);
  const other = await RawClient.open(s.listener.address);
  other.send(hello(s.listener.token, { pid: 999 }));
  await other.closed;
  assert.ok(s.logs.some((l) => /pid 999 .*said hello while the run of pid 4242 is being watched/.test(l)));
  client.send(liveEnded(1));
  await client.closed;
  while (s.controller.running) await delay(20);
  assert.equal(s.controller.state.status, 'finished');
  assert.equal(recorded.terminals.length, 0, 'not our process: no terminal of ours');
});

test('while a script of ours starts, only its own process may say hello', async () => {
  const s = await setup();
  const running = s.launch({ lines: [runStarted(LAYERS)], holdMs: 800 });
  const intruder = await RawClient.open(s.listener.address);
  intruder.send(hello(s.listener.token, { pid: 1 }));
  await intruder.closed;
  assert.ok(
    s.logs.some((l) => /pid 1: this window is watching another live run/.test(l)),
    s.logs.join('\n'),
  );
  await running;
});
