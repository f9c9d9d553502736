// The protocol: events survive a JSON round trip; untrusted messages are validated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseEngineCommand,
  parseEngineEvent,
  parseWebviewRequest,
  PROTOCOL_VERSION,
  type EngineEvent,
} from '../../../src/protocol';
import { defaultRunConfig } from '../../../src/run-config';

test('engine events round-trip through JSON', () => {
  const events: EngineEvent[] = [
    {
      v: PROTOCOL_VERSION,
      runId: 'r1',
      type: 'progress',
      step: 3,
      totalSteps: 10,
      loss: 0.5,
      accuracy: 0.8,
      samplesPerSecond: 300,
    },
    { v: PROTOCOL_VERSION, runId: 'r1', type: 'error', message: 'x.py:3: bad', file: 'x.py', line: 3 },
    { v: PROTOCOL_VERSION, runId: 'r1', type: 'findings', findings: [] },
  ];
  for (const e of events) assert.deepEqual(parseEngineEvent(JSON.parse(JSON.stringify(e))), e);
  assert.equal(parseEngineEvent({ ...events[0], v: 2 }), null);
  assert.equal(parseEngineEvent({ ...events[0], type: 'nope' }), null);
  assert.equal(parseEngineEvent('progress'), null);
});

test('engine commands are validated', () => {
  const start = { v: PROTOCOL_VERSION, type: 'start', runId: 'a', config: defaultRunConfig() };
  assert.deepEqual(parseEngineCommand(JSON.parse(JSON.stringify(start))), start);
  assert.deepEqual(parseEngineCommand({ v: 1, type: 'cancel', runId: 'a' }), {
    v: 1,
    type: 'cancel',
    runId: 'a',
  });
  assert.equal(parseEngineCommand({ v: 1, type: 'start', runId: 'a' }), null);
  assert.equal(parseEngineCommand({ v: 1, type: 'rm -rf', runId: 'a' }), null);
});

test('webview requests: only well-formed messages pass', () => {
  assert.deepEqual(parseWebviewRequest({ v: 1, type: 'ready' }), { v: 1, type: 'ready' });
  assert.deepEqual(parseWebviewRequest({ v: 1, type: 'apply-fix', layer: 'dense_1' }), {
    v: 1,
    type: 'apply-fix',
    layer: 'dense_1',
  });
  assert.equal(parseWebviewRequest({ v: 1, type: 'apply-fix', layer: '<img onerror=x>' }), null);
  assert.equal(parseWebviewRequest({ v: 1, type: 'apply-fix' }), null);
  assert.equal(parseWebviewRequest({ v: 1, type: 'run-what-if', layers: ['a', 3] }), null);
  assert.deepEqual(parseWebviewRequest({ v: 1, type: 'run-what-if', layers: ['conv2d', 'dense'] }), {
    v: 1,
    type: 'run-what-if',
    layers: ['conv2d', 'dense'],
  });
  assert.equal(parseWebviewRequest({ v: 0, type: 'ready' }), null);
  assert.equal(parseWebviewRequest(null), null);
  assert.equal(parseWebviewRequest([1]), null);
});
