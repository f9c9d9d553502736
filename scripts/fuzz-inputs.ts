/**
 * Fuzzes every file format the engine reads (except Python sources): valid fixtures of each are
 * written, damaged at random (byte flips, truncations, header edits, structural JSON edits), and
 * each damaged input goes through the real CLI under a time limit and a memory cap. Prints how many
 * inputs of each format ended how. Run by hand, never in `npm test`:
 *
 *   npm run build --silent && node dist-test/fuzz-inputs.js [--per-format 40] [--seed 1] [--jobs 2]
 *     [--only npz,csv] [--timeout 60] [--show 4] [--keep DIR]
 *
 * Outcomes: refusal (exit 1, one line), noisy-refusal (exit 1 but more than one line or library
 * noise), ok (exit 0), partial (exit 3), internal (exit 2), timeout, memory (killed above the
 * resident-size cap), abort (killed by a signal, e.g. V8 out of memory). Every `ok` is listed with
 * its mutation so a person can judge whether passing was honest. `--keep DIR` keeps the folder of
 * every input that did not end in a clean refusal, to reproduce it by hand.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { npyBytes, npzBytes } from '../test/unit/data-readers/npy-writer';
import { runCli, type CliResult, type Outcome } from '../test/support/capped-cli';
import {
  CLASSES,
  denseWeights,
  FEATURES,
  fixtureValues,
  functionalConfig,
  kerasH5Bytes,
  kerasV3Bytes,
  sequentialConfig,
  tfjsModelFiles,
  type Weight,
} from '../test/support/saved-model-writers';

const { values: opts } = parseArgs({
  options: {
    'per-format': { type: 'string', default: '40' },
    seed: { type: 'string', default: '1' },
    jobs: { type: 'string', default: '2' },
    only: { type: 'string' },
    timeout: { type: 'string', default: '60' },
    show: { type: 'string', default: '4' },
    keep: { type: 'string' },
  },
});
const PER_FORMAT = Number(opts['per-format']);
const JOBS = Number(opts.jobs);
const TIMEOUT_MS = Number(opts.timeout) * 1000;
const SHOW = Number(opts.show);

/** mulberry32: a seeded generator so a run can be repeated exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const random = rng(Number(opts.seed));
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

// ---------------------------------------------------------------- byte mutations

type Mutation = { bytes: Uint8Array; what: string };

function flip(bytes: Uint8Array, from = 0, to = bytes.length): Mutation {
  const out = bytes.slice();
  const n = 1 + int(8);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = from + int(Math.max(1, to - from));
    out[p] = int(256);
    at.push(p);
  }
  return { bytes: out, what: `flip ${n} byte(s) at ${at.slice(0, 3).join(',')}${n > 3 ? '…' : ''}` };
}

function truncate(bytes: Uint8Array): Mutation {
  const at = int(bytes.length);
  return { bytes: bytes.slice(0, at), what: `truncate to ${at} of ${bytes.length}` };
}

function zeroRange(bytes: Uint8Array): Mutation {
  const out = bytes.slice();
  const at = int(bytes.length);
  const n = 1 + int(256);
  out.fill(0, at, at + n);
  return { bytes: out, what: `zero ${n} bytes at ${at}` };
}

function byteMutation(bytes: Uint8Array): Mutation {
  return pick([flip, truncate, zeroRange])(bytes);
}

// ---------------------------------------------------------------- structural JSON edits

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

const WEIRD: (() => JsonValue)[] = [
  () => -1,
  () => 0,
  () => 1e9,
  () => 1e300,
  () => -1e9,
  () => 2.5,
  () => 'x',
  () => '',
  () => [],
  () => ({}),
  () => null,
  () => true,
  () => [1e9, 1e9],
  () => [-5, 3],
  () => JSON.parse('['.repeat(200) + ']'.repeat(200)) as JsonValue,
];

function paths(value: JsonValue, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

/** Deletes, replaces, duplicates or empties one randomly chosen part of a JSON document. */
function jsonEdit(doc: JsonValue): { doc: JsonValue; what: string } {
  const copy = JSON.parse(JSON.stringify(doc)) as JsonValue;
  const all = paths(copy).filter((p) => p.length > 0);
  const path = pick(all);
  let parent = copy as { [k: string]: JsonValue } | JsonValue[];
  for (const k of path.slice(0, -1))
    parent = (parent as Record<string, JsonValue>)[k as string] as typeof parent;
  const key = path[path.length - 1]!;
  const where = path.join('.');
  const kind = int(4);
  if (kind === 0) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
    return { doc: copy, what: `delete ${where}` };
  }
  if (kind === 1 && Array.isArray(parent)) {
    parent.splice(key as number, 0, JSON.parse(JSON.stringify(parent[key as number])) as JsonValue);
    return { doc: copy, what: `duplicate ${where}` };
  }
  if (kind === 2 && /inbound_nodes|layers/.test(where)) {
    // The classic: a functional model whose layers lost their wiring.
    const strip = (v: JsonValue): void => {
      if (Array.isArray(v)) v.forEach(strip);
      else if (v && typeof v === 'object') {
        delete v.inbound_nodes;
        Object.values(v).forEach(strip);
      }
    };
    strip(copy);
    return { doc: copy, what: 'remove every inbound_nodes' };
  }
  const value = pick(WEIRD)();
  (parent as Record<string, JsonValue>)[key as string] = value;
  return { doc: copy, what: `set ${where} = ${JSON.stringify(value).slice(0, 30)}` };
}

// ---------------------------------------------------------------- formats

interface Input {
  /** Files to write, relative to the case's folder. */
  files: Record<string, Uint8Array | string>;
  /** CLI arguments, with `{dir}` for the case's folder. */
  args: string[];
  what: string;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const RUN = ['--steps', '0', '--backend', 'cpu', '--probe', '8', '--batch', '8'];

function dataNpz(): Uint8Array {
  const labels = (n: number, seed: number) =>
    BigInt64Array.from(fixtureValues(n, seed), (v) => BigInt(Math.floor((v + 0.5) * CLASSES)));
  return npzBytes(
    {
      x_train: npyBytes('<f4', [48, FEATURES], fixtureValues(48 * FEATURES, 11)),
      y_train: npyBytes('<i8', [48], labels(48, 12)),
      x_test: npyBytes('<f4', [16, FEATURES], fixtureValues(16 * FEATURES, 13)),
      y_test: npyBytes('<i8', [16], labels(16, 14)),
    },
    true,
  );
}

function csvText(): string {
  const rows = ['label,' + Array.from({ length: FEATURES }, (_, i) => `f${i}`).join(',')];
  const v = fixtureValues(64 * FEATURES, 21);
  for (let r = 0; r < 64; r++)
    rows.push(
      [r % CLASSES, ...Array.from(v.subarray(r * FEATURES, (r + 1) * FEATURES), (x) => x.toFixed(4))].join(
        ',',
      ),
    );
  return `${rows.join('\n')}\n`;
}

const TS_SOURCE = `import * as tf from '@tensorflow/tfjs';

const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [${FEATURES}], units: 6, activation: 'relu' }),
    tf.layers.dense({ units: 4, activation: 'relu' }),
    tf.layers.dense({ units: ${CLASSES}, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
`;

/** Zip header fields worth lying about: [offset from a signature, byte width, name]. */
const ZIP_FIELDS: [number, number, number, string][] = [
  [0x04034b50, 14, 4, 'local crc'],
  [0x04034b50, 18, 4, 'local compressed size'],
  [0x04034b50, 22, 4, 'local size'],
  [0x04034b50, 26, 2, 'local name length'],
  [0x04034b50, 28, 2, 'local extra length'],
  [0x04034b50, 8, 2, 'local method'],
  [0x02014b50, 16, 4, 'central crc'],
  [0x02014b50, 20, 4, 'central compressed size'],
  [0x02014b50, 24, 4, 'central size'],
  [0x02014b50, 42, 4, 'central local-header offset'],
  [0x02014b50, 10, 2, 'central method'],
  [0x06054b50, 10, 2, 'end entry count'],
  [0x06054b50, 16, 4, 'end central offset'],
];

function zipHeaderEdit(bytes: Uint8Array): Mutation {
  const [signature, offset, width, name] = pick(ZIP_FIELDS);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hits: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i++) if (view.getUint32(i, true) === signature) hits.push(i);
  if (hits.length === 0) return flip(bytes);
  const at = pick(hits) + offset;
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  const value = pick([
    0,
    1,
    0xffffffff,
    0x7fffffff,
    int(2 ** 31),
    (v.getUint32(at, true) ^ (1 << int(31))) >>> 0,
  ]);
  if (width === 4) v.setUint32(at, value >>> 0, true);
  else v.setUint16(at, value & 0xffff, true);
  return { bytes: out, what: `zip ${name} = ${width === 4 ? value >>> 0 : value & 0xffff}` };
}

function npyHeaderEdit(bytes: Uint8Array): Mutation {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const header = dec(bytes.subarray(10, 10 + headerLength));
  const edits: [RegExp, string][] = [
    [/'<f4'|'<i8'/, pick(["'<i4'", "'<f8'", "'<f2'", "'>f4'", "'|O'", "'<U8'", "'|u1'", "'<c8'"])],
    [
      /\(\d+, \d+\)|\(\d+,\)/,
      pick([
        '(-1, 8)',
        '(1000000000, 8)',
        '(48, 8, 1)',
        '((48, 8), 8)',
        '()',
        '(48, -8)',
        '(2**40, 8)',
        '(0, 8)',
      ]),
    ],
    [/False/, 'True'],
    [/'shape'/, "'shapes'"],
    [/\{/, '{' + '('.repeat(5000)],
  ];
  const [pattern, replacement] = pick(edits);
  const edited = header.replace(pattern, replacement);
  const out = new Uint8Array(bytes.length - headerLength + edited.length);
  out.set(bytes.subarray(0, 10));
  new DataView(out.buffer).setUint16(8, edited.length & 0xffff, true);
  out.set(enc(edited), 10);
  out.set(bytes.subarray(10 + headerLength), 10 + edited.length);
  return { bytes: out, what: `npy header ${pattern.source.slice(0, 12)} → ${replacement.slice(0, 20)}` };
}

function csvEdit(text: string): string | { text: string; what: string } {
  const lines = text.split('\n');
  const row = int(Math.min(lines.length - 1, 6));
  const cells = lines[row]!.split(',');
  const col = int(cells.length);
  const value = pick([
    'NaN',
    'nan',
    'inf',
    '-Infinity',
    '',
    'abc',
    '1e300',
    '-1',
    '3.5',
    '"7"',
    '1,2',
    '0x10',
  ]);
  if (random() < 0.2) {
    cells.splice(col, 1);
    lines[row] = cells.join(',');
    return { text: lines.join('\n'), what: `csv row ${row + 1} column ${col + 1} deleted` };
  }
  cells[col] = value;
  lines[row] = cells.join(',');
  return { text: lines.join('\n'), what: `csv row ${row + 1} column ${col + 1} = ${JSON.stringify(value)}` };
}

/** Saved weights with one array dropped, duplicated, reshaped or resized. */
function weightsEdit(): { weights: Weight[]; what: string } {
  const weights = denseWeights();
  const i = int(weights.length);
  const w = weights[i]!;
  const kind = int(4);
  if (kind === 0) {
    weights.splice(i, 1);
    return { weights, what: `weights: drop ${w.name}` };
  }
  if (kind === 1) {
    weights.splice(i, 0, { ...w, name: `${w.name.split('/')[0]}/extra` });
    return { weights, what: `weights: extra array beside ${w.name}` };
  }
  if (kind === 2) {
    weights[i] = { ...w, shape: [...w.shape].reverse() };
    return { weights, what: `weights: ${w.name} reshaped to [${[...w.shape].reverse().join(', ')}]` };
  }
  weights[i] = { ...w, shape: [w.values.length + 1], values: new Float32Array(w.values.length + 1) };
  return { weights, what: `weights: ${w.name} one value longer` };
}

function sourceEdit(text: string): { text: string; what: string } {
  const lines = text.split('\n');
  const edits: (() => string)[] = [
    () => {
      const i = int(lines.length);
      lines.splice(i, 1);
      return `delete line ${i + 1}`;
    },
    () => {
      const i = int(lines.length);
      lines.splice(i, 0, lines[i] ?? '');
      return `duplicate line ${i + 1}`;
    },
    () => {
      const n = pick([3000, 10000]);
      lines.push(`const deep = ${'('.repeat(n)}1${')'.repeat(n)};`);
      return `${n} nested parentheses`;
    },
    () => {
      lines.push(`const sum = ${Array.from({ length: 5000 }, () => '1').join(' + ')};`);
      return '5000-term sum';
    },
    () => {
      const i = 4 + int(3);
      lines[i] = (lines[i] ?? '').replace(/units: \d+/, `units: ${pick(['1e9', '-3', '0', '2.5', "'x'"])}`);
      return `units edit on line ${i + 1}`;
    },
    () => {
      lines.splice(5, 0, ...Array.from({ length: 20000 }, () => '    tf.layers.dense({ units: 4 }),'));
      return '20000 extra layers';
    },
    () => {
      lines[4] = (lines[4] ?? '').replace(
        `[${FEATURES}]`,
        pick(['[1e9]', '[-1]', '[8, 1e9]', "['a']", '[]']),
      );
      return 'inputShape edit';
    },
  ];
  const what = pick(edits)();
  return { text: lines.join('\n'), what };
}

type Format = { name: string; make: () => Promise<Input> };

async function formats(): Promise<Format[]> {
  const data = dataNpz();
  const goodModel = tfjsModelFiles();
  const withData = (files: Input['files']): Input['files'] => ({ ...files, 'data.npz': data });
  const modelArgs = (file: string) => ['analyze', `{dir}/${file}`, '--data', '{dir}/data.npz', ...RUN];
  const dataArgs = (file: string) => ['analyze', '{dir}/model.json', '--data', `{dir}/${file}`, ...RUN];
  const goodModelFiles = { 'model.json': goodModel.modelJson, [goodModel.shardName]: goodModel.shard };
  const h5 = [await kerasH5Bytes(sequentialConfig()), await kerasH5Bytes(functionalConfig())];
  const keras = [
    await kerasV3Bytes(sequentialConfig(), undefined, true),
    await kerasV3Bytes(functionalConfig()),
  ];
  const npy = {
    x: npyBytes('<f4', [64, FEATURES], fixtureValues(64 * FEATURES, 31)),
    y: npyBytes(
      '<i8',
      [64],
      BigInt64Array.from({ length: 64 }, (_, i) => BigInt(i % CLASSES)),
    ),
  };
  return [
    {
      name: 'model.json',
      make: async () => {
        const functional = random() < 0.5;
        const files = tfjsModelFiles(functional ? functionalConfig() : sequentialConfig());
        const base = functional ? 'functional' : 'sequential';
        if (random() < 0.3) {
          const m = byteMutation(files.shard);
          return {
            files: withData({ 'model.json': files.modelJson, [files.shardName]: m.bytes }),
            args: modelArgs('model.json'),
            what: `shard: ${m.what}`,
          };
        }
        if (random() < 0.2) {
          const m = byteMutation(enc(files.modelJson));
          return {
            files: withData({ 'model.json': m.bytes, [files.shardName]: files.shard }),
            args: modelArgs('model.json'),
            what: m.what,
          };
        }
        const e = jsonEdit(JSON.parse(files.modelJson) as JsonValue);
        return {
          files: withData({ 'model.json': JSON.stringify(e.doc), [files.shardName]: files.shard }),
          args: modelArgs('model.json'),
          what: `${base}: ${e.what}`,
        };
      },
    },
    {
      name: '.h5',
      make: async () => {
        if (random() < 0.35) {
          const functional = random() < 0.5;
          const e = jsonEdit((functional ? functionalConfig() : sequentialConfig()) as JsonValue);
          return {
            files: withData({ 'model.h5': await kerasH5Bytes(e.doc as Record<string, unknown>) }),
            args: modelArgs('model.h5'),
            what: `${functional ? 'functional' : 'sequential'} config: ${e.what}`,
          };
        }
        if (random() < 0.15) {
          const e = weightsEdit();
          return {
            files: withData({ 'model.h5': await kerasH5Bytes(sequentialConfig(), e.weights) }),
            args: modelArgs('model.h5'),
            what: e.what,
          };
        }
        const base = pick(h5);
        const m = random() < 0.5 ? flip(base, 0, Math.min(base.length, 4096)) : byteMutation(base);
        return { files: withData({ 'model.h5': m.bytes }), args: modelArgs('model.h5'), what: m.what };
      },
    },
    {
      name: '.keras',
      make: async () => {
        if (random() < 0.3) {
          const functional = random() < 0.5;
          const e = jsonEdit((functional ? functionalConfig() : sequentialConfig()) as JsonValue);
          return {
            files: withData({ 'model.keras': await kerasV3Bytes(e.doc as Record<string, unknown>) }),
            args: modelArgs('model.keras'),
            what: `${functional ? 'functional' : 'sequential'} config: ${e.what}`,
          };
        }
        if (random() < 0.15) {
          const e = weightsEdit();
          return {
            files: withData({ 'model.keras': await kerasV3Bytes(sequentialConfig(), e.weights) }),
            args: modelArgs('model.keras'),
            what: e.what,
          };
        }
        const base = pick(keras);
        const m = random() < 0.5 ? zipHeaderEdit(base) : byteMutation(base);
        return { files: withData({ 'model.keras': m.bytes }), args: modelArgs('model.keras'), what: m.what };
      },
    },
    {
      name: '.npz',
      make: async () => {
        const m = random() < 0.5 ? zipHeaderEdit(data) : byteMutation(data);
        return { files: { ...goodModelFiles, 'bad.npz': m.bytes }, args: dataArgs('bad.npz'), what: m.what };
      },
    },
    {
      name: '.npy',
      make: async () => {
        const role = random() < 0.6 ? 'x' : 'y';
        const m = random() < 0.5 ? npyHeaderEdit(npy[role]) : byteMutation(npy[role]);
        const files = {
          ...goodModelFiles,
          'foo_x.npy': npy.x,
          'foo_y.npy': npy.y,
          [`foo_${role}.npy`]: m.bytes,
        };
        return { files, args: dataArgs('foo_x.npy'), what: `foo_${role}.npy: ${m.what}` };
      },
    },
    {
      name: 'csv',
      make: async () => {
        const text = csvText();
        if (random() < 0.3) {
          const m = byteMutation(enc(text));
          return {
            files: { ...goodModelFiles, 'data_train.csv': m.bytes },
            args: dataArgs('data_train.csv'),
            what: m.what,
          };
        }
        const e = csvEdit(text) as { text: string; what: string };
        return {
          files: { ...goodModelFiles, 'data_train.csv': e.text },
          args: dataArgs('data_train.csv'),
          what: e.what,
        };
      },
    },
    {
      name: '.ts/.js',
      make: async () => {
        const ext = random() < 0.5 ? 'ts' : 'js';
        if (random() < 0.25) {
          const m = byteMutation(enc(TS_SOURCE));
          return {
            files: withData({ [`model.${ext}`]: m.bytes }),
            args: modelArgs(`model.${ext}`),
            what: m.what,
          };
        }
        const e = sourceEdit(TS_SOURCE);
        return {
          files: withData({ [`model.${ext}`]: e.text }),
          args: modelArgs(`model.${ext}`),
          what: e.what,
        };
      },
    },
  ];
}

// ---------------------------------------------------------------- running

const OUTCOMES: Outcome[] = [
  'refusal',
  'ok',
  'internal',
  'timeout',
  'memory',
  'abort',
  'noisy-refusal',
  'partial',
];

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'al-fuzz-'));
  const only = opts.only ? new Set(opts.only.split(',')) : null;
  const chosen = (await formats()).filter((f) => !only || only.has(f.name));
  // Every input is made first (the generator is seeded), then run in parallel.
  const cases: { format: string; input: Input; dir: string }[] = [];
  for (const format of chosen)
    for (let i = 0; i < PER_FORMAT; i++) {
      const dir = join(root, `${format.name.replace(/\W/g, '')}-${i}`);
      cases.push({ format: format.name, input: await format.make(), dir });
    }
  const results: { format: string; what: string; result: CliResult }[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++]!;
      mkdirSync(c.dir, { recursive: true });
      for (const [name, content] of Object.entries(c.input.files)) writeFileSync(join(c.dir, name), content);
      const args = c.input.args.map((a) => a.replace('{dir}', c.dir));
      const result = await runCli(args, { timeoutMs: TIMEOUT_MS, heapMiB: 512, rssMiB: 1536 });
      results.push({ format: c.format, what: c.input.what, result });
      if (opts.keep && result.outcome !== 'refusal') {
        mkdirSync(opts.keep, { recursive: true });
        const kept = join(opts.keep, `${result.outcome}-${c.dir.split('/').pop()}`);
        rmSync(kept, { recursive: true, force: true });
        cpSync(c.dir, kept, { recursive: true });
        writeFileSync(join(kept, 'CASE.txt'), `${c.input.what}\n${args.join(' ')}\n\n${result.stderr}`);
      }
      rmSync(c.dir, { recursive: true, force: true });
      process.stderr.write(`\r${results.length}/${cases.length}`);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  process.stderr.write('\n');
  rmSync(root, { recursive: true, force: true });

  const header = ['format', 'inputs', ...OUTCOMES];
  const rows = chosen.map((f) => {
    const mine = results.filter((r) => r.format === f.name);
    return [
      f.name,
      String(mine.length),
      ...OUTCOMES.map((o) => String(mine.filter((r) => r.result.outcome === o).length)),
    ];
  });
  const totals = [
    'total',
    String(results.length),
    ...OUTCOMES.map((o) => String(results.filter((r) => r.result.outcome === o).length)),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...[...rows, totals].map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(line(totals));
  console.log(`\n${results.length} inputs in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  for (const outcome of OUTCOMES.filter((o) => o !== 'refusal')) {
    const hits = results.filter((r) => r.result.outcome === outcome);
    if (hits.length === 0) continue;
    console.log(`\n${outcome} (${hits.length}):`);
    const shown = outcome === 'ok' ? hits : hits.slice(0, SHOW * chosen.length);
    for (const h of shown) {
      const said = (
        h.result.stderr
          .trim()
          .split('\n')
          .find((l) => l.trim()) ?? ''
      ).slice(0, 160);
      console.log(
        `  ${h.format.padEnd(10)} ${h.what.slice(0, 60).padEnd(60)} ${outcome === 'ok' ? '' : said}`,
      );
    }
  }
  const sample = results.filter((r) => r.result.outcome === 'refusal').slice(0, SHOW * 2);
  if (sample.length) {
    console.log('\nrefusals (sample):');
    for (const h of sample) console.log(`  ${h.format.padEnd(10)} ${h.result.stderr.trim().slice(0, 170)}`);
  }
}

void main();
