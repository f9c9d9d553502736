// EngineRun against real child processes: small scripts that play the engine's side of the protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineRun, type EngineExit } from '../../../extension/engine-client';
import type { EngineEvent, RunConfig } from '../../../src/protocol';
import { buildRunConfig } from '../../../extension/run-config';
import { emptyReport } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'al-engine-'));
function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}
const config: RunConfig = buildRunConfig(() => undefined, { file: null, workspaceFolder: null });
/** The scripted engines send a complete report: the host checks every field of what arrives. */
const REPORT = JSON.stringify(emptyReport());

function run(
  enginePath: string,
  opts: {
    cancelAfterFirst?: boolean;
    cancelAfter?: number;
    killAfterMs?: number;
    onCancel?: () => void;
  } = {},
) {
  return new Promise<{ events: EngineEvent[]; exit: EngineExit; logs: string[] }>((resolve) => {
    const events: EngineEvent[] = [];
    const logs: string[] = [];
    const r: EngineRun = new EngineRun('run-1', config, {
      enginePath,
      killAfterMs: opts.killAfterMs ?? 5000,
      onEvent: (e) => {
        events.push(e);
        if ((opts.cancelAfterFirst && events.length === 1) || events.length === opts.cancelAfter) {
          opts.onCancel?.();
          r.cancel();
        }
      },
      onExit: (exit) => resolve({ events, exit, logs }),
      onLog: (_l, m) => logs.push(m),
    });
  });
}

const ENGINE = `
process.on('message', (m) => {
  if (m.type === 'start') {
    const base = { v: 1, runId: m.runId };
    process.send({ ...base, type: 'run-started', backend: 'cpu', backendDetail: 'cpu', model: { name: 'x', origin: 'example', file: m.config.file, layers: [] }, probeSize: m.config.probe, totalSteps: m.config.steps, definitions: {} });
    process.send({ v: 99, type: 'progress' });
    process.send({ ...base, runId: 'other', type: 'log', level: 'info', message: 'not mine' });
    process.send({ ...base, type: 'run-finished', report: { ...${REPORT}, cancelled: false } }, () => process.exit(0));
  }
});`;

test('start → validated events of this run only → exit reported', async () => {
  const { events, exit, logs } = await run(script('ok.js', ENGINE));
  assert.deepEqual(
    events.map((e) => e.type),
    ['run-started', 'run-finished'],
  );
  const started = events[0] as Extract<EngineEvent, { type: 'run-started' }>;
  assert.equal(started.probeSize, 256);
  assert.equal(started.totalSteps, 300);
  assert.equal(exit.code, 0);
  assert.equal(exit.reported, true);
  assert.ok(logs.some((l) => l.includes('malformed')));
});

test('a crash is an exit without a report, with the stderr tail', async () => {
  const { exit } = await run(
    script(
      'crash.js',
      `process.on('message', () => { console.error('boom: out of memory'); process.exit(3); });`,
    ),
  );
  assert.equal(exit.code, 3);
  assert.equal(exit.reported, false);
  assert.equal(exit.cancelled, false);
  assert.match(exit.stderrTail, /boom: out of memory/);
});

test('cancel sends a message; an engine that ignores it is killed after the timeout', async () => {
  const stubborn = script(
    'stubborn.js',
    `process.on('message', (m) => { if (m.type === 'start') process.send({ v: 1, runId: m.runId, type: 'log', level: 'info', message: 'working' }); if (m.type === 'cancel') console.log('cancel received, ignoring'); }); setInterval(() => {}, 1000);`,
  );
  const t0 = Date.now();
  const { exit, logs } = await run(stubborn, { cancelAfterFirst: true, killAfterMs: 300 });
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.cancelled, true);
  assert.ok(Date.now() - t0 >= 290);
  assert.ok(logs.some((l) => l.includes('cancel received')));
});

test('an engine that honours cancel exits by itself', async () => {
  const polite = script(
    'polite.js',
    `process.on('message', (m) => { if (m.type === 'start') process.send({ v: 1, runId: m.runId, type: 'log', level: 'info', message: 'working' }); if (m.type === 'cancel') process.send({ v: 1, runId: m.runId, type: 'run-finished', report: { ...${REPORT}, cancelled: true } }, () => process.exit(0)); }); setInterval(() => {}, 1000);`,
  );
  const { exit, events } = await run(polite, { cancelAfterFirst: true, killAfterMs: 5000 });
  assert.equal(exit.code, 0);
  assert.equal(exit.signal, null);
  assert.equal(events.at(-1)?.type, 'run-finished');
});

test('an engine that stays alive after run-finished is released (disconnect) so the run ends', async () => {
  const resident = script(
    'resident.js',
    `process.on('message', (m) => { if (m.type === 'start') process.send({ v: 1, runId: m.runId, type: 'run-finished', report: { ...${REPORT}, cancelled: false } }); }); process.on('disconnect', () => process.exit(0));`,
  );
  const t0 = Date.now();
  const { exit } = await run(resident, { killAfterMs: 5000 });
  assert.equal(exit.code, 0);
  assert.equal(exit.reported, true);
  assert.ok(Date.now() - t0 < 4000);
});

test('the kill grace after a cancel stretches by two steps of a slow engine', async () => {
  // Two progress events 400 ms apart: a step takes ~400 ms, so the grace is ~300 + 2 × 400 ms.
  const progress = (step: number) =>
    `process.send({ v: 1, runId: m.runId, type: 'progress', step: ${step}, totalSteps: 10, loss: 1, accuracy: 0.5, samplesPerSecond: 1 })`;
  const slow = script(
    'slow.js',
    `process.on('message', (m) => { if (m.type === 'start') { ${progress(1)}; setTimeout(() => ${progress(2)}, 400); } }); setInterval(() => {}, 1000);`,
  );
  let cancelledAt = 0;
  const { exit, logs } = await run(slow, {
    cancelAfter: 2,
    killAfterMs: 300,
    onCancel: () => (cancelledAt = Date.now()),
  });
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(Date.now() - cancelledAt >= 900, `killed ${Date.now() - cancelledAt} ms after the cancel`);
  assert.ok(logs.some((l) => /did not stop within \d+ ms/.test(l)));
});
