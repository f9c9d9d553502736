// The live listener against real sockets: a well-behaved run becomes a report from the one advisor,
// and hostile or broken clients (wrong token, garbage, a huge line, a slow partial line, a run id
// that switches, events before hello, a second client) are refused without disturbing it.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { LiveListener, type LiveConnection, type LiveResult } from '../../../src/live/listener';
import type { EngineEvent } from '../../../src/protocol';
import { parseEngineEvent } from '../../../src/protocol';
import {
  RawClient,
  RUN_ID,
  SCRIPT,
  delay,
  hello,
  layerProbe,
  liveEnded,
  probeLine,
  progress,
  runStarted,
  summary,
} from './live-stream';

interface Recorder {
  listener: LiveListener;
  events: EngineEvent[];
  hellos: LiveConnection[];
  results: LiveResult[];
  logs: string[];
  ended: Promise<LiveResult>;
}

const open: LiveListener[] = [];
afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
});

async function listen(
  options: { helloTimeoutMs?: number; maxLineBytes?: number; maxWaiting?: number } = {},
): Promise<Recorder> {
  const events: EngineEvent[] = [];
  const hellos: LiveConnection[] = [];
  const results: LiveResult[] = [];
  const logs: string[] = [];
  let resolveEnded: (r: LiveResult) => void = () => undefined;
  const ended = new Promise<LiveResult>((r) => (resolveEnded = r));
  const listener = await LiveListener.start({
    ...options,
    log: (level, m) => logs.push(`${level} ${m}`),
    handler: {
      onHello: (c) => hellos.push(c),
      onEvent: (e) => events.push(e),
      onEnd: (r) => {
        results.push(r);
        resolveEnded(r);
      },
    },
  });
  open.push(listener);
  return { listener, events, hellos, results, logs, ended };
}

const LAYERS = [summary('relu1', 10), summary('layer1.0.relu', 12)];

function healthyRun(client: RawClient, token: string): void {
  client.send(
    hello(token),
    runStarted(LAYERS),
    probeLine(0, [layerProbe('relu1', 0, 0), layerProbe('layer1.0.relu', 0, 1)]),
    progress(1, 0.9),
    probeLine(4, [layerProbe('relu1', 4, 0), layerProbe('layer1.0.relu', 4, 6)]),
    liveEnded(4),
  );
}

test('binds 127.0.0.1 only, on an ephemeral port, with a 32-byte random token', async () => {
  const a = await listen();
  const b = await listen();
  assert.match(a.listener.address, /^127\.0\.0\.1:\d+$/);
  assert.notEqual(a.listener.address, b.listener.address);
  assert.match(a.listener.token, /^[0-9a-f]{64}$/);
  assert.notEqual(a.listener.token, b.listener.token);
  assert.deepEqual(a.listener.environment(), {
    ACTIVATION_LENS_ADDRESS: a.listener.address,
    ACTIVATION_LENS_TOKEN: a.listener.token,
  });
});

test('a run: validated events pass on in order, and its end brings findings and a live report', async () => {
  const r = await listen();
  const client = await RawClient.open(r.listener.address);
  healthyRun(client, r.listener.token);
  const result = await r.ended;
  assert.equal(result.reason, 'ended');
  assert.equal(r.hellos.length, 1);
  assert.deepEqual(
    r.events.map((e) => e.type),
    ['run-started', 'probe', 'progress', 'probe', 'findings', 'run-finished'],
  );
  assert.ok(r.events.every((e) => parseEngineEvent(e) !== null && e.runId === RUN_ID));
  const report = result.report!;
  assert.equal(report.origin, 'live');
  assert.equal(report.backend, 'torch cpu');
  assert.equal(report.live?.exitCode, 0);
  assert.deepEqual(
    report.layers.map((l) => [l.name, l.dead.count, l.source?.line]),
    [
      ['relu1', 0, 10],
      ['layer1.0.relu', 6, 12],
    ],
  );
  assert.deepEqual(
    report.layers[1]!.deadFraction.map((d) => d.step),
    [0, 4],
  );
  const dead = report.findings.find((f) => f.kind === 'dead-units' && f.layer === 'layer1.0.relu');
  assert.ok(dead, 'the advisor found the dead units');
  assert.deepEqual(
    dead.source,
    { file: SCRIPT, line: 12, column: 21 },
    'on the line that defines the module',
  );
  assert.equal(dead.suggestion?.kind, 'switch-to-elu');
  assert.equal(report.training.accuracy.length, 4, 'PyTorch sends no accuracy: NaN per step');
  const finished = r.events.at(-1) as Extract<EngineEvent, { type: 'run-finished' }>;
  assert.deepEqual(finished.report, report);
  assert.ok(parseEngineEvent(JSON.parse(JSON.stringify(finished))), 'the report passes the validator');
  await client.closed;
});

test('a probe split over several lines arrives as one; a layer first seen later joins the run', async () => {
  const r = await listen();
  const client = await RawClient.open(r.listener.address);
  client.send(
    hello(r.listener.token),
    runStarted(LAYERS),
    probeLine(0, [layerProbe('relu1', 0, 0)]),
    probeLine(0, [layerProbe('layer1.0.relu', 0, 1)]),
    probeLine(2, [layerProbe('relu1', 2, 0), layerProbe('layer1.0.relu', 2, 2)]),
    probeLine(2, [layerProbe('Net.forward:42:relu', 2, 3, 4)]),
    liveEnded(2),
  );
  const result = await r.ended;
  const probes = r.events.filter((e) => e.type === 'probe');
  assert.deepEqual(
    probes.map((p) => [p.step, p.layers.map((l) => l.layer)]),
    [
      [0, ['relu1', 'layer1.0.relu']],
      [2, ['relu1', 'layer1.0.relu', 'Net.forward:42:relu']],
    ],
  );
  const late = result.report!.layers.find((l) => l.name === 'Net.forward:42:relu');
  assert.equal(late?.dead.count, 3);
  assert.equal(late?.source, null, 'a layer the run-started did not list has no source line');
  assert.ok(result.report!.model.layers.some((l) => l.name === 'Net.forward:42:relu'));
});

test('a split probe with nothing after it is passed on by itself shortly', async () => {
  const r = await listen();
  const client = await RawClient.open(r.listener.address);
  client.send(hello(r.listener.token), runStarted(LAYERS), probeLine(0, [layerProbe('relu1', 0, 0)]));
  await delay(600);
  assert.deepEqual(
    r.events.map((e) => e.type),
    ['run-started', 'probe'],
  );
  client.end();
  const result = await r.ended;
  assert.equal(result.reason, 'closed');
  assert.equal(result.report?.cancelled, true, 'a run cut off before live-ended is partial');
});

test('a wrong token is refused: the socket closes and no run starts', async () => {
  const r = await listen();
  const client = await RawClient.open(r.listener.address);
  client.send(hello('0'.repeat(64)), runStarted(LAYERS));
  await client.closed;
  assert.equal(r.hellos.length, 0);
  assert.equal(r.events.length, 0);
  assert.ok(
    r.logs.some((l) => /wrong token/.test(l)),
    r.logs.join('\n'),
  );
  // A token that is a prefix of the right one, or longer, is just as wrong.
  const prefix = await RawClient.open(r.listener.address);
  prefix.send(hello(r.listener.token.slice(0, 63)));
  await prefix.closed;
  const longer = await RawClient.open(r.listener.address);
  longer.send(hello(`${r.listener.token}0`));
  await longer.closed;
  assert.equal(r.hellos.length, 0);
});

test('garbage, events before hello, and bytes that are not UTF-8 close the connection', async () => {
  const r = await listen();
  for (const first of [
    'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    '{"v":1,"type":"hello"\n',
    `${JSON.stringify(runStarted(LAYERS))}\n`,
    `${JSON.stringify({ ...hello(r.listener.token), v: 2 })}\n`,
    Buffer.from([0xff, 0xfe, 0x7b, 0x0a]),
  ]) {
    const client = await RawClient.open(r.listener.address);
    client.send(first);
    await client.closed;
  }
  assert.equal(r.hellos.length, 0);
  assert.equal(r.events.length, 0);
  assert.equal(r.logs.length, 5, r.logs.join('\n'));
});

test('a line over the limit closes the connection, before or after the hello (real 8 MiB limit)', async () => {
  const r = await listen();
  const before = await RawClient.open(r.listener.address);
  before.send(Buffer.alloc(8 * 1024 * 1024 + 1, 0x61));
  await before.closed;
  assert.ok(r.logs.some((l) => /longer than 8388608 bytes/.test(l)));

  const after = await RawClient.open(r.listener.address);
  after.send(hello(r.listener.token), runStarted(LAYERS), probeLine(0, [layerProbe('relu1', 0, 0)]));
  // No newline: the listener must not wait for one forever while holding more than the limit.
  after.send(
    `{"v":1,"runId":"${RUN_ID}","type":"log","level":"info","message":"${'x'.repeat(9 * 1024 * 1024)}`,
  );
  const result = await r.ended;
  await after.closed;
  assert.equal(result.reason, 'protocol');
  assert.deepEqual(
    result.report?.layers.map((l) => l.name),
    ['relu1'],
    'the run keeps what it had',
  );
});

test('slowloris: a hello dribbled byte by byte never completes in time, and does not block a real run', async () => {
  const r = await listen({ helloTimeoutMs: 400 });
  const slow = await RawClient.open(r.listener.address);
  const text = JSON.stringify(hello(r.listener.token));
  let stop = false;
  void (async () => {
    for (let i = 0; i < text.length && !stop && !slow.isClosed; i++) {
      slow.send(text[i]!);
      await delay(50);
    }
  })();
  const real = await RawClient.open(r.listener.address);
  healthyRun(real, r.listener.token);
  const result = await r.ended;
  assert.equal(result.reason, 'ended');
  await slow.closed;
  stop = true;
  assert.ok(
    r.logs.some((l) => /no hello within 0.4 s/.test(l)),
    r.logs.join('\n'),
  );
});

test('connections waiting for their hello are bounded', async () => {
  const r = await listen({ maxWaiting: 2 });
  const idle = [await RawClient.open(r.listener.address), await RawClient.open(r.listener.address)];
  const third = await RawClient.open(r.listener.address);
  await third.closed;
  assert.ok(r.logs.some((l) => /too many connections waiting/.test(l)));
  for (const c of idle) c.end();
});

test('an event of another run id ends the connection; the run keeps what it had', async () => {
  const r = await listen();
  const client = await RawClient.open(r.listener.address);
  client.send(
    hello(r.listener.token),
    runStarted(LAYERS),
    probeLine(0, [layerProbe('relu1', 0, 0), layerProbe('layer1.0.relu', 0, 1)]),
    probeLine(3, [layerProbe('relu1', 3, 8), layerProbe('layer1.0.relu', 3, 8)], 'live-1-ffffffff'),
    liveEnded(3, 0, 'live-1-ffffffff'),
  );
  const result = await r.ended;
  await client.closed;
  assert.equal(result.reason, 'protocol');
  assert.ok(r.logs.some((l) => /an event of run live-1-ffffffff in run live-4242-0a1b2c3d/.test(l)));
  assert.deepEqual(
    result.report?.layers.map((l) => l.dead.count),
    [0, 1],
    'nothing of the other run was taken',
  );
});

test('invalid events after the hello are dropped with a log line; the run goes on', async () => {
  const r = await listen();
  const client = await RawClient.open(r.listener.address);
  const bad = layerProbe('relu1', 1, 2);
  bad.dead.count = 5; // count disagrees with the unit list
  client.send(
    hello(r.listener.token),
    runStarted(LAYERS),
    'not json\n',
    probeLine(1, [bad]),
    { v: 1, runId: RUN_ID, type: 'findings', findings: [] },
    { ...progress(2, 0.5), loss: 'low' },
    probeLine(2, [layerProbe('relu1', 2, 0), layerProbe('layer1.0.relu', 2, 0)]),
    liveEnded(2),
  );
  const result = await r.ended;
  assert.equal(result.reason, 'ended');
  assert.deepEqual(
    r.events.map((e) => e.type),
    ['run-started', 'probe', 'findings', 'run-finished'],
    'the findings come from the advisor only',
  );
  assert.equal(r.logs.filter((l) => /invalid event was dropped/.test(l)).length, 3);
  assert.ok(r.logs.some((l) => /a findings event from the training process was ignored/.test(l)));
});

test('one run at a time: a second process that says hello is refused; the first is untouched', async () => {
  const r = await listen();
  const first = await RawClient.open(r.listener.address);
  first.send(hello(r.listener.token), runStarted(LAYERS));
  await delay(100);
  const second = await RawClient.open(r.listener.address);
  second.send(hello(r.listener.token, { pid: 777 }), runStarted(LAYERS, 'live-777-00000000'));
  await second.closed;
  assert.ok(r.logs.some((l) => /pid 777 .* said hello while the run of pid 4242 is being watched/.test(l)));
  first.send(probeLine(0, [layerProbe('relu1', 0, 0), layerProbe('layer1.0.relu', 0, 0)]), liveEnded(1));
  const result = await r.ended;
  assert.equal(result.reason, 'ended');
  assert.equal(r.results.length, 1);
  // Once it has ended, the next run is welcome.
  const next = await RawClient.open(r.listener.address);
  healthyRun(next, r.listener.token);
  await next.closed;
  await delay(50);
  assert.equal(r.results.length, 2);
});

test('stop(): the run ends as stopped with what it had, and the process sees its socket close', async () => {
  const r = await listen();
  const client = await RawClient.open(r.listener.address);
  client.send(hello(r.listener.token), runStarted(LAYERS), probeLine(0, [layerProbe('relu1', 0, 0)]));
  await delay(300);
  r.listener.current!.stop();
  const result = await r.ended;
  await client.closed;
  assert.equal(result.reason, 'stopped');
  assert.equal(result.report?.cancelled, true);
  assert.equal(r.listener.current, null);
});

test('a script that never trained: hello without a framework, an error, live-ended, and no report', async () => {
  const r = await listen();
  const client = await RawClient.open(r.listener.address);
  client.send(
    hello(r.listener.token, { framework: null, frameworkVersion: '' }),
    {
      v: 1,
      runId: RUN_ID,
      type: 'error',
      message: 'train.py finished without importing torch or keras',
      file: null,
      line: null,
    },
    liveEnded(0, 0),
  );
  const result = await r.ended;
  assert.equal(result.report, null);
  assert.deepEqual(result.errors, ['train.py finished without importing torch or keras']);
  assert.equal(result.ended?.exitCode, 0);
});
