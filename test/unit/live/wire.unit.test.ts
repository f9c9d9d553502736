// The live wire end to end: `python -m activation_lens run` on real PyTorch and Keras scripts,
// talking to a loopback listener — hello with the token first, then events the protocol
// validators accept, all of one run, and live-ended last.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPythonModules } from '../../support/python-env';
import {
  DEFINITIONS,
  parseEngineEvent,
  type LayerProbe,
  type LayerSummary,
  type ProbeEvent,
  type RunStartedEvent,
} from '../../../src/protocol';
import { LineListener, fixtures, runPython } from './live-python';

const LAYER_NAME = /^[\w./:-]+$/;

async function liveRun(script: string, args: string[]) {
  const listener = await LineListener.start();
  const token = randomBytes(32).toString('hex');
  const home = mkdtempSync(join(tmpdir(), 'al-live-wire-'));
  try {
    const r = await runPython(
      ['-m', 'activation_lens', 'run', '--every', '2', join(fixtures, script), ...args],
      {
        HOME: home,
        ACTIVATION_LENS_ADDRESS: listener.address,
        ACTIVATION_LENS_TOKEN: token,
      },
    );
    return { r, token, lines: listener.connections };
  } finally {
    await listener.close();
  }
}

function checkProbe(layer: LayerProbe): void {
  assert.ok(LAYER_NAME.test(layer.layer), layer.layer);
  assert.equal(layer.fireCount.length, layer.units);
  assert.ok(layer.fireCount.every((c) => Number.isInteger(c) && c >= 0 && c <= layer.observationsPerUnit));
  assert.equal(layer.histogram.edges.length, 65);
  assert.equal(layer.histogram.counts.length, 64);
  const binned = layer.histogram.counts.reduce((a, b) => a + b, 0);
  assert.equal(
    binned,
    layer.units * layer.observationsPerUnit - layer.nonFinite,
    'every finite value is in a bin',
  );
  assert.equal(layer.dead.count, layer.dead.units.length);
  assert.ok(layer.dead.units.every((u) => layer.fireCount[u] === 0));
  assert.equal(typeof layer.mean, 'number');
}

function checkRun(
  lines: unknown[][],
  token: string,
  framework: 'torch' | 'keras',
  steps: number,
): RunStartedEvent {
  assert.equal(lines.length, 1, 'one connection');
  const [hello, ...rest] = lines[0]! as Record<string, unknown>[];
  assert.equal(hello!.type, 'hello');
  assert.equal(hello!.v, 1);
  assert.equal(hello!.token, token);
  assert.equal(hello!.framework, framework);
  assert.equal(typeof hello!.pid, 'number');
  assert.equal(hello!.device, 'cpu');
  assert.equal(hello!.worldSize, 1);
  assert.ok(Array.isArray(hello!.command));
  const ended = rest.pop()!;
  assert.equal(ended.type, 'live-ended');
  assert.equal(ended.exitCode, 0);
  assert.equal((ended.training as { steps: number }).steps, steps);
  const events = rest.map((raw) => parseEngineEvent(raw));
  assert.ok(
    events.every((e) => e !== null),
    'every event passes the protocol validator',
  );
  const runIds = new Set([...events.map((e) => e!.runId), ended.runId]);
  assert.equal(runIds.size, 1, 'one run');
  const started = events.findIndex((e) => e!.type === 'run-started');
  assert.ok(started >= 0);
  assert.ok(
    events.slice(0, started).every((e) => e!.type === 'log' || e!.type === 'error'),
    'nothing about the run before run-started',
  );
  const run = events[started] as RunStartedEvent;
  assert.equal(run.origin, 'live');
  assert.equal(run.live?.framework, framework);
  assert.equal(run.model.origin, `live-${framework}`);
  assert.deepEqual(Object.keys(run.definitions).sort(), Object.keys(DEFINITIONS).sort());
  for (const key of Object.keys(DEFINITIONS))
    if (key !== 'probeSet') assert.equal(run.definitions[key], DEFINITIONS[key], key);
  const names = run.model.layers.map((l: LayerSummary) => l.name);
  assert.ok(names.length > 0 && names.every((n) => LAYER_NAME.test(n)), names.join(' '));
  assert.ok(run.model.layers.every((l) => l.tapped && l.source !== null && l.source.line > 0));
  const probes = events.filter((e): e is ProbeEvent => e!.type === 'probe');
  assert.ok(probes.length >= 2);
  assert.equal(probes[probes.length - 1]!.step, steps, 'the end of the run is probed');
  for (const p of probes) {
    assert.deepEqual(
      p.layers.map((l) => l.layer),
      names,
    );
    p.layers.forEach(checkProbe);
  }
  return run;
}

const noTorch = missingPythonModules(['torch']);
test(
  'a PyTorch run speaks the wire: hello + token, validated events, live-ended',
  { skip: noTorch ?? false },
  async () => {
    const { r, token, lines } = await liveRun('torch_resnet.py', ['8']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /trained 8 steps/);
    const run = checkRun(lines, token, 'torch', 8);
    assert.ok(run.model.layers.some((l) => l.name === 'layer1.0.relu/2'));
  },
);

const noKeras = missingPythonModules(['keras', 'tensorflow']);
test('a Keras run speaks the wire the same way', { skip: noKeras ?? false }, async () => {
  const { r, token, lines } = await liveRun('keras_functional.py', ['1']);
  assert.equal(r.code, 0, r.stderr);
  const run = checkRun(lines, token, 'keras', 10);
  assert.deepEqual(
    run.model.layers.map((l) => l.name),
    ['stem', 'activation', 're_lu', 'conv2d_1', 'hidden', 'elu', 'probs'],
  );
});
