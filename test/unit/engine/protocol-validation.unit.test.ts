// The protocol's parsers against hostile input: every field of every event is checked, because the
// live taps feed events from an arbitrary Python process through the same parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkEngineCommand,
  checkEngineEvent,
  checkHostMessage,
  createEmitter,
  parseEngineEvent,
  parseHostMessage,
  PROTOCOL_VERSION,
  WIRE_LIMITS,
  type EngineEvent,
  type Finding,
  type LayerReport,
  type Report,
} from '../../../src/protocol';
import { defaultRunConfig } from '../../../src/run-config';
import { emptyReport, probe, probeEvent, runStarted, stateWith } from '../extension/fixtures';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

// Hostile edits reach anywhere inside a JSON copy: an untyped view of it is the point here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Wire = any;

/** A JSON copy of `base` with `edit` applied to it: what arrives over a wire. */
function mutated<T>(base: T, edit: (x: Wire) => void): unknown {
  const copy = clone(base) as Wire;
  edit(copy);
  return copy;
}

function refused(raw: unknown, where: RegExp): void {
  const r = checkEngineEvent(raw);
  assert.equal(r.ok, false, `accepted: ${JSON.stringify(raw)?.slice(0, 300)}`);
  if (!r.ok) assert.match(r.error, where);
}

const layer = () => probe('dense_1', 5, 2, 8, 0.3, { saturated: null });
const probeMsg = () => probeEvent('r1', 5, [layer(), probe('conv2d', 5, 0, 4, 0.1)]);

const finding: Finding = {
  kind: 'dead-units',
  layer: 'dense_1',
  severity: 'warning',
  message: 'dense_1: 25% dead',
  evidence: { deadCount: 2, units: 8, deadUnits: [0, 1], note: 'fired 0 of 256' },
  source: { file: '/m.py', line: 3, column: 5 },
  suggestion: {
    kind: 'switch-to-elu',
    layer: 'dense_1',
    alpha: 1,
    heInit: true,
    earlyStopping: true,
    rationale: 'units cannot die',
  },
};

function fullReport(): Report {
  const l = layer();
  const layerReport: LayerReport = {
    name: 'dense_1',
    className: 'Dense',
    activation: 'relu',
    units: l.units,
    source: null,
    dead: l.dead,
    dormant: l.dormant,
    saturated: null,
    sparsity: l.sparsity,
    mean: NaN,
    std: l.std,
    min: l.min,
    max: l.max,
    meanDrift: [
      { step: 0, mean: 0.1 },
      { step: 5, mean: NaN },
    ],
    deadFraction: [{ step: 5, fraction: 0.25 }],
    histogram: l.histogram,
    nonFinite: 3,
    neverFires: [0],
  };
  const training = {
    steps: 2,
    loss: [2.3, NaN],
    accuracy: [0.1, NaN],
    valLoss: [Infinity],
    valAccuracy: [0.1],
    valSteps: [2],
    samplesPerSecond: 10,
    wallSeconds: 1,
    probeSeconds: 0.1,
  };
  const arm = (name: string, switched: boolean) => ({
    name,
    layers: switched ? ['dense_1'] : [],
    training,
    final: [
      {
        layer: 'dense_1',
        dead: 2,
        dormant: 0,
        saturated: 0,
        mean: 0.3,
        meanAbs: 0.3,
        units: 8,
        activation: switched ? 'elu' : 'relu',
        mean0: 0.1,
        switched,
      },
    ],
    msPerStep: NaN,
    meanDrift: [{ layer: 'dense_1', steps: [0, 5], mean: [0.1, 0.3] }],
  });
  return emptyReport({
    cancelled: true,
    model: {
      name: 'm',
      origin: 'keras-py',
      file: '/m.py',
      layers: [
        {
          name: 'dense_1',
          className: 'Dense',
          activation: 'relu',
          outputShape: [null, 8],
          units: 8,
          params: 72,
          tapped: true,
          source: { file: '/m.py', line: 3, column: 5 },
        },
      ],
      omitted: [{ what: 'MyBlock(64)', reason: 'unknown class', source: null }],
      alternatives: [{ name: 'other', source: null }],
    },
    layers: [layerReport],
    findings: [finding],
    training,
    whatIf: {
      arms: [arm('ReLU', false), arm('ELU', true)],
      verdict: { helps: null, summary: 'too short', details: ['x'], earlyStopping: false },
      alpha: 1,
      heInit: ['dense_1'],
      sharedWeights: { copied: 3, ownInit: ['dense_1/kernel'], unmatched: [] },
      stepTimeRatio: NaN,
      notes: [],
      cancelled: true,
    },
    origin: 'live',
    live: {
      framework: 'torch',
      frameworkVersion: '2.13.0',
      device: 'cpu',
      command: ['python', 'train.py'],
      exitCode: null,
      worldSize: 1,
    },
  });
}

const progress = {
  v: 1,
  runId: 'r',
  type: 'progress',
  step: 1,
  totalSteps: 2,
  loss: 1,
  accuracy: 0.5,
  samplesPerSecond: 3,
};

const finished = (report: unknown) => ({ v: PROTOCOL_VERSION, runId: 'r1', type: 'run-finished', report });

test('valid events of every type pass, and survive JSON (NaN statistics come back as NaN)', () => {
  const events: EngineEvent[] = [
    runStarted('r1', '/m.py'),
    {
      v: 1,
      runId: 'r1',
      type: 'progress',
      arm: 'ReLU / Glorot',
      step: 3,
      totalSteps: 9,
      loss: NaN,
      accuracy: 0.5,
      samplesPerSecond: 1,
    },
    probeEvent('r1', 5, [probe('dense_1', 5, 2, 8, NaN), probe('layer1.0.relu', 5, 0, 4, 0.1)]),
    probeEvent('r1', 7, [probe('Net.forward:42:relu', 7, 0, 4, 0.1)], 'ELU'),
    { v: 1, runId: 'r1', type: 'validation', step: 9, valLoss: Infinity, valAccuracy: NaN },
    { v: 1, runId: 'r1', type: 'findings', findings: [finding] },
    finished(fullReport()) as EngineEvent,
    { v: 1, runId: 'r1', type: 'error', message: 'x.py:3: bad', file: 'x.py', line: 3, detail: 'stack' },
    { v: 1, runId: 'r1', type: 'log', level: 'warn', message: 'careful' },
  ];
  for (const e of events) {
    const direct = checkEngineEvent(e);
    assert.ok(direct.ok, direct.ok ? '' : direct.error);
    // JSON turns NaN and ±Infinity into null; the statistics read back as NaN.
    const wire = checkEngineEvent(clone(e));
    assert.ok(wire.ok, wire.ok ? '' : wire.error);
  }
  const back = parseEngineEvent(clone(events[2])) as Extract<EngineEvent, { type: 'probe' }>;
  assert.ok(Number.isNaN(back.layers[0]!.mean));
  const report = (parseEngineEvent(clone(events[6])) as Extract<EngineEvent, { type: 'run-finished' }>)
    .report;
  assert.ok(Number.isNaN(report.training.valLoss[0]!), 'Infinity crosses JSON as null and reads as NaN');
  assert.ok(Number.isNaN(report.whatIf!.stepTimeRatio));
  assert.deepEqual(report.layers[0]!.neverFires, [0]);
});

test('the parsed event is a fresh object with only the protocol fields (extra fields are dropped)', () => {
  const raw = mutated(probeMsg(), (e) => {
    e.evil = '<script>';
    e.layers[0].extra = { deep: true };
  });
  const parsed = parseEngineEvent(raw) as Extract<EngineEvent, { type: 'probe' }>;
  assert.ok(parsed);
  assert.equal('evil' in parsed, false);
  assert.equal('extra' in parsed.layers[0]!, false);
  assert.notEqual(parsed.layers[0], (raw as { layers: unknown[] }).layers[0]);
});

test('not an event at all: non-objects, wrong version, unknown type, hostile run ids', () => {
  for (const raw of [null, undefined, 42, 'probe', [], [probeMsg()], true])
    assert.equal(parseEngineEvent(raw), null);
  refused({ ...probeMsg(), v: 2 }, /^event\.v: expected one of 1/);
  refused({ ...probeMsg(), v: '1' }, /\.v:/);
  refused({ ...probeMsg(), type: 'rm -rf' }, /\.type: expected one of/);
  refused({ ...probeMsg(), runId: 'a b' }, /\.runId:/);
  refused({ ...probeMsg(), runId: 'x'.repeat(201) }, /\.runId:/);
  refused({ ...probeMsg(), runId: 7 }, /\.runId:/);
});

test('wrong types anywhere in a probe are refused, with the path to the field', () => {
  refused(
    mutated(probeMsg(), (e) => (e.step = '5')),
    /\.step: expected an integer/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.step = 5.5)),
    /\.step: expected an integer/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.layers = {})),
    /\.layers: expected an array/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.layers[0].units = 8.5)),
    /\.layers\[0\]\.units/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.layers[1].fireCount[2] = '10')),
    /\.layers\[1\]\.fireCount\[2\]/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.layers[0].dead = [0, 1])),
    /\.layers\[0\]\.dead: expected an object/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.layers[0].saturated = 'none')),
    /\.saturated: expected an object/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.layers[0].mean = '0.3')),
    /\.mean: expected a number or null/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.arm = 42)),
    /\.arm: expected a string/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.layers[0].histogram.edges = 'abc')),
    /\.histogram\.edges/,
  );
});

test('NaN and infinities only where the protocol allows a non-finite statistic', () => {
  const l = (edit: (x: Wire) => void) => mutated(probeMsg(), (e) => edit(e.layers[0]));
  // Allowed: the moments of a layer with no finite output.
  assert.ok(checkEngineEvent(l((x) => (x.mean = null))).ok);
  assert.ok(
    checkEngineEvent({ ...probeMsg(), layers: [{ ...layer(), std: NaN, min: NaN, max: Infinity }] }).ok,
  );
  // Refused: counts, fractions, sizes.
  const nanCounts = probeEvent('r1', 5, [
    { ...layer(), histogram: { ...layer().histogram, counts: [5, NaN, 1] } },
  ]);
  refused(nanCounts, /histogram\.counts\[1\]: expected an integer/);
  refused(
    l((x) => (x.histogram.counts[0] = null)),
    /histogram\.counts\[0\]/,
  );
  refused(
    l((x) => (x.fireCount[0] = null)),
    /fireCount\[0\]/,
  );
  refused(probeEvent('r1', 5, [{ ...layer(), sparsity: Infinity }]), /\.sparsity: expected a finite number/);
  refused(probeEvent('r1', 5, [{ ...layer(), sparsity: NaN }]), /\.sparsity/);
  refused(
    l((x) => (x.histogram.edges[1] = null)),
    /histogram\.edges\[1\]/,
  );
  refused(
    l((x) => (x.dead.fraction = null)),
    /\.dead\.fraction/,
  );
  assert.ok(checkEngineEvent({ ...progress, loss: null }).ok, 'a diverged loss crosses JSON as null');
  refused({ ...progress, samplesPerSecond: null }, /\.samplesPerSecond/);
  refused({ ...progress, samplesPerSecond: -1 }, /\.samplesPerSecond/);
  refused({ ...progress, accuracy: 1.5 }, /\.accuracy: expected a share/);
  refused({ ...progress, totalSteps: -1 }, /\.totalSteps/);
});

test('array lengths must agree: fire counts per unit, bins per edges, unit sets per count', () => {
  const l = (edit: (x: Wire) => void) => mutated(probeMsg(), (e) => edit(e.layers[0]));
  refused(
    l((x) => x.fireCount.push(0)),
    /\.fireCount: 9 counts for 8 units/,
  );
  refused(
    l((x) => x.histogram.counts.push(0)),
    /\.counts: 4 bins for 4 edges/,
  );
  refused(
    l((x) => (x.histogram.edges = [0, 2, 1, 3])),
    /\.edges\[2\]: not increasing/,
  );
  refused(
    l((x) => (x.histogram.edges = [0])),
    /fewer than 2 edges/,
  );
  refused(
    l((x) => (x.fireCount[0] = 257)),
    /fireCount\[0\]: expected an integer in \[0, 256\]/,
  );
  refused(
    l((x) => (x.dead.units = [1, 0])),
    /\.dead\.units\[1\]: not sorted/,
  );
  refused(
    l((x) => (x.dead.units = [0, 8])),
    /\.dead\.units\[1\]: expected an integer in \[0, 7\]/,
  );
  refused(
    l((x) => (x.dead.count = 3)),
    /\.dead\.units: 2 indices but \.count is 3/,
  );
  refused(
    l((x) => (x.dead.fraction = 0.5)),
    /\.dead\.fraction: 0\.5 is not count \/ units/,
  );
  refused(
    l((x) => (x.nonFinite = 8 * 256 + 1)),
    /\.nonFinite/,
  );
  refused(
    l((x) => (x.step = 6)),
    /\.layers\[0\]\.step: 6 in a probe of step 5/,
  );
  refused(
    mutated(probeMsg(), (e) => (e.layers[1].layer = 'dense_1')),
    /\.layers\[1\]\.layer: dense_1 appears twice/,
  );
});

test('huge arrays and strings are refused before anything allocates for them', () => {
  const bins = WIRE_LIMITS.bins + 1;
  const wide = {
    ...layer(),
    histogram: {
      edges: Array.from({ length: bins + 1 }, (_, i) => i),
      counts: new Array<number>(bins).fill(0),
      underflow: 0,
      overflow: 0,
    },
  };
  refused(probeEvent('r1', 5, [wide]), /histogram\.edges: 4098 items, at most 4097/);
  const units = WIRE_LIMITS.units + 1;
  refused(
    probeEvent('r1', 5, [{ ...layer(), units, fireCount: new Array<number>(units).fill(1) }]),
    /\.units: expected an integer in \[1, 262144\]/,
  );
  const many = new Array(WIRE_LIMITS.layers + 1).fill(layer());
  refused(probeEvent('r1', 5, many), /\.layers: 4097 items, at most 4096/);
  refused(
    { v: 1, runId: 'r', type: 'log', level: 'info', message: 'x'.repeat(WIRE_LIMITS.longText + 1) },
    /\.message: 100001 characters/,
  );
  refused(
    { v: 1, runId: 'r', type: 'findings', findings: [{ ...finding, message: 'x'.repeat(20_000) }] },
    /\.findings\[0\]\.message/,
  );
  // Many layers, each within bounds, but too many units in one probe.
  const big = Array.from({ length: 20 }, (_, i) => {
    const n = 250_000;
    return {
      ...layer(),
      layer: `l${i}`,
      units: n,
      fireCount: new Array<number>(n).fill(1),
      dead: { count: 0, fraction: 0, units: [] },
      dormant: { count: 0, fraction: 0, units: [] },
    };
  });
  refused(probeEvent('r1', 5, big), /5000000 units in one probe, at most 4194304/);
});

test('layer names follow the one rule; evidence, definitions and findings are bounded', () => {
  for (const bad of ['', '<img onerror=x>', 'a b', 'x'.repeat(201), 'dense\n1'])
    refused(
      mutated(probeMsg(), (e) => (e.layers[0].layer = bad)),
      /\.layers\[0\]\.layer: expected a layer name/,
    );
  refused(
    { v: 1, runId: 'r', type: 'findings', findings: [{ ...finding, layer: '../../etc' + ' x' }] },
    /\.layer/,
  );
  const keys = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
  refused(
    { v: 1, runId: 'r', type: 'findings', findings: [{ ...finding, evidence: keys }] },
    /\.evidence: 65 keys/,
  );
  refused(
    { v: 1, runId: 'r', type: 'findings', findings: [{ ...finding, evidence: { a: { b: 1 } } }] },
    /\.evidence\.a/,
  );
  refused({ v: 1, runId: 'r', type: 'findings', findings: [{ ...finding, kind: 'pwned' }] }, /\.kind/);
  refused(
    { v: 1, runId: 'r', type: 'findings', findings: [{ ...finding, severity: 'fatal' }] },
    /\.severity/,
  );
  refused({ ...runStarted('r', null), definitions: { 'a b': 'x' } }, /\.definitions: key "a b" refused/);
});

test('prototype pollution: __proto__ keys neither pollute nor pass; inherited fields never count', () => {
  const hostile = JSON.parse(
    `{"__proto__": {"polluted": true}, "v": 1, "runId": "r", "type": "log", "level": "info", "message": "hi"}`,
  );
  const parsed = parseEngineEvent(hostile);
  assert.ok(parsed, 'an unknown top-level key is ignored like any extra field');
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.equal(Object.prototype.hasOwnProperty.call(parsed, '__proto__'), false);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const evidence = JSON.parse(`{"__proto__": {"isAdmin": true}}`);
  refused(
    { v: 1, runId: 'r', type: 'findings', findings: [{ ...finding, evidence }] },
    /key "__proto__" refused/,
  );
  refused(
    { v: 1, runId: 'r', type: 'findings', findings: [{ ...finding, evidence: { constructor: 1 } }] },
    /key "constructor" refused/,
  );
  const definitions = JSON.parse(`{"probeSet": "x", "__proto__": "y"}`);
  refused({ ...runStarted('r', null), definitions }, /key "__proto__" refused/);
  // Fields inherited from a (polluted) prototype are not the message's own: refused as missing.
  const inherited = Object.create({ level: 'info', message: 'from the prototype' }) as Record<
    string,
    unknown
  >;
  Object.assign(inherited, { v: 1, runId: 'r', type: 'log' });
  refused(inherited, /\.level: expected one of/);
  // A getter that throws (possible only in-process) is a refusal, not a crash.
  const trap = { v: 1, runId: 'r', type: 'log', level: 'info' };
  Object.defineProperty(trap, 'message', {
    enumerable: true,
    get: () => {
      throw new Error('boom');
    },
  });
  const r = checkEngineEvent(trap);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, /unreadable \(boom\)/);
});

test('every required field of a probe layer, a progress event and a report is required', () => {
  for (const key of Object.keys(layer())) {
    const raw = mutated(probeMsg(), (e) => delete e.layers[0][key]);
    refused(raw, new RegExp(`\\.layers\\[0\\]\\.${key}`));
  }
  for (const key of ['step', 'totalSteps', 'accuracy', 'samplesPerSecond']) {
    const rest: Record<string, unknown> = { ...progress };
    delete rest[key];
    refused(rest, new RegExp(`\\.${key}`));
  }
  const optional = new Set(['origin', 'live', 'whatIf']);
  for (const key of Object.keys(fullReport()).filter((k) => !optional.has(k))) {
    const raw = finished(mutated(fullReport(), (r) => delete r[key]));
    refused(raw, new RegExp(`\\.report\\.${key}`));
  }
  for (const key of Object.keys(fullReport().whatIf!)) {
    refused(
      finished(mutated(fullReport(), (r) => delete r.whatIf[key])),
      new RegExp(`\\.report\\.whatIf\\.${key}`),
    );
  }
});

test('reports: inconsistent series and bad configs are refused', () => {
  const bad = (edit: (r: Wire) => void, where: RegExp) =>
    refused(finished(mutated(fullReport(), edit)), where);
  bad((r) => r.training.accuracy.push(0.5), /\.training\.accuracy: 3 entries for 2 losses/);
  bad((r) => r.training.valSteps.push(4), /\.training\.valSteps: valLoss, valAccuracy and valSteps differ/);
  bad((r) => (r.schema = 'activation-lens/report@2'), /\.report\.schema/);
  bad((r) => (r.config.backend = 'tpu'), /\.report\.config\.backend/);
  bad((r) => (r.config.steps = -1), /\.report\.config\.steps/);
  bad((r) => (r.layers[0].neverFires = [8]), /\.layers\[0\]\.neverFires\[0\]/);
  bad((r) => r.whatIf.arms[0].meanDrift[0].mean.push(1), /\.meanDrift\[0\]\.mean: 3 entries for 2 steps/);
  bad((r) => (r.whatIf.arms = new Array(17).fill(r.whatIf.arms[0])), /\.whatIf\.arms: 17 items/);
  bad((r) => (r.model.layers[0].outputShape = [null, [8]]), /\.outputShape\[1\]/);
  bad((r) => (r.live.framework = 'jax'), /\.live\.framework/);
  bad((r) => (r.origin = 'elsewhere'), /\.report\.origin/);
});

test('commands to the engine: the config is checked field by field', () => {
  const start = { v: 1, type: 'start', runId: 'a', config: defaultRunConfig() };
  assert.ok(checkEngineCommand(clone(start)).ok);
  for (const [key, value] of [
    ['backend', 'tpu'],
    ['steps', 1.5],
    ['probe', 0],
    ['seed', -1],
    ['data', 42],
    ['whatIfLayers', ['<x>']],
    ['overheadBudget', 2],
  ] as const) {
    const r = checkEngineCommand({ ...start, config: { ...start.config, [key]: value } });
    assert.equal(r.ok, false, key);
    if (!r.ok) assert.match(r.error, new RegExp(`^command\\.config\\.${key}`));
  }
  assert.equal(checkEngineCommand({ ...start, config: undefined }).ok, false);
  assert.equal(checkEngineCommand({ v: 1, type: 'cancel', runId: '../x y' }).ok, false);
});

test('host → webview messages: the whole state is checked like the events it holds', () => {
  const state = stateWith('/m.py', [probeMsg()]);
  assert.ok(parseHostMessage({ v: 1, type: 'state', state: clone(state) }));
  assert.ok(parseHostMessage({ v: 1, type: 'event', event: clone(probeMsg()) }));
  assert.ok(
    parseHostMessage({ v: 1, type: 'state', state: { ...state, report: fullReport(), status: 'cancelled' } }),
  );
  const check = (raw: unknown, where: RegExp) => {
    const r = checkHostMessage(raw);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, where);
  };
  check({ v: 1, type: 'state', state: { ...state, status: 'exploded' } }, /^message\.state\.status/);
  check(
    { v: 1, type: 'state', state: { ...state, probes: [runStarted('r1', null)] } },
    /\.probes\[0\]: expected a probe event/,
  );
  check(
    { v: 1, type: 'state', state: mutated(state, (s) => s.probes[0].layers[0].fireCount.pop()) },
    /\.state\.probes\[0\]\.layers\[0\]\.fireCount/,
  );
  // A state keeps older probes compacted (no per-unit lists); an engine event may never be one.
  const compact = (x: Wire) => {
    const l = x.layers[0];
    Object.assign(l, { compacted: true, fireCount: [] });
    l.dead.units = [];
    l.dormant.units = [];
  };
  assert.ok(
    parseHostMessage({ v: 1, type: 'state', state: mutated(state, (s) => compact(s.probes[0])) }),
    'a compacted probe in a state',
  );
  check(
    { v: 1, type: 'state', state: mutated(state, (s) => (s.probes[0].layers[0].fireCount = [])) },
    /\.probes\[0\]\.layers\[0\]\.fireCount: 0 counts/,
  );
  refused(mutated(probeMsg(), compact), /\.layers\[0\]\.fireCount: 0 counts/);
  check({ v: 1, type: 'event', event: { ...probeMsg(), v: 0 } }, /\.event\.v/);
  check({ v: 1, type: 'state' }, /\.state: expected an object/);
  check({ v: 2, type: 'state', state }, /^message\.v/);
  check({ v: 1, type: 'eval', code: 'alert(1)' }, /\.type/);
});

test('the emitter stamps the version and the run id on every event', () => {
  const sent: EngineEvent[] = [];
  const emit = createEmitter('run-7', (e) => sent.push(e));
  emit({ type: 'log', level: 'info', message: 'hi' });
  emit({ type: 'findings', findings: [] });
  assert.deepEqual(sent, [
    { v: PROTOCOL_VERSION, runId: 'run-7', type: 'log', level: 'info', message: 'hi' },
    { v: PROTOCOL_VERSION, runId: 'run-7', type: 'findings', findings: [] },
  ]);
  assert.ok(sent.every((e) => parseEngineEvent(e)));
});
