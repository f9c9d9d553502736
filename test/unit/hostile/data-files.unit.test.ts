/**
 * Hostile data files through the real CLI: .npy headers that nest, declare absurd or negative
 * shapes, or a dtype that does not match the bytes; non-finite labels and features; CSV first rows
 * that are not what they seem; damaged .npz archives. And, in-process, that an .npz member never
 * used is never inflated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { readDataset } from '../../../src/data/readers/index';
import { FEATURES, fixtureValues, tfjsModelFiles } from '../../support/saved-model-writers';
import { npyBytes, npzBytes } from '../data-readers/npy-writer';
import { refused, RUN, write } from './hostile-case';

const model = tfjsModelFiles();
write(`model/${model.shardName}`, model.shard);
const modelFile = write('model/model.json', model.modelJson);
const analyze = (data: string) => ['analyze', modelFile, '--data', data, ...RUN];

const x = () => fixtureValues(64 * FEATURES, 5);
const y = () => BigInt64Array.from({ length: 64 }, (_, i) => BigInt(i % 3));

/** foo_x.npy with the given header, and a good foo_y.npy beside it. */
function pairWithX(folder: string, xBytes: Uint8Array): string {
  write(`${folder}/foo_y.npy`, npyBytes('<i8', [64], y()));
  return write(`${folder}/foo_x.npy`, xBytes);
}

test('an .npy header nested 5,000 levels deep (the parser recursed)', async () => {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(5000)}64, 8${')'.repeat(5000)}, }`;
  const file = pairWithX('nested', npyBytes('<f4', [64, FEATURES], x(), { header }));
  await refused(analyze(file), { names: file, says: /header is malformed \(nesting deeper than 16 levels/ });
});

test('negative and absurd shapes', async () => {
  const negative = pairWithX('negative', npyBytes('<f4', [-1, FEATURES], x()));
  await refused(analyze(negative), { names: negative, says: /its shape \[-1,8\] is not a tuple of sizes/ });
  const absurd = pairWithX('absurd', npyBytes('<f4', [2 ** 40, FEATURES], x()));
  await refused(analyze(absurd), { names: absurd, says: /declares 3\.52e\+13 bytes, above the 1 GiB limit/ });
});

test('a dtype whose byte count does not match the data', async () => {
  const file = pairWithX('bytes', npyBytes('|u1', [64, FEATURES], x()));
  await refused(analyze(file), {
    names: file,
    says: /holds 2048 data bytes but shape \(64, 8\) of '\|u1' accounts for 512/,
  });
});

test('an int32 dtype over float bytes reads as absurd features', async () => {
  const file = pairWithX('int-over-float', npyBytes('<i4', [64, FEATURES], x()));
  const line = await refused(analyze(file), {
    names: file,
    says: /above the 1e\+6 magnitude limit for features/,
  });
  assert.match(line, /check the array's dtype/);
});

test('non-finite features and labels', async () => {
  const features = x();
  features[17] = Number.POSITIVE_INFINITY;
  const inf = pairWithX('inf', npyBytes('<f4', [64, FEATURES], features));
  await refused(analyze(inf), {
    names: inf,
    says: /foo_x\.npy sample 2 value 1 is Infinity; features must be finite/,
  });

  const wide = Float64Array.from(x());
  wide[9] = 1e300;
  const huge = pairWithX('huge', npyBytes('<f8', [64, FEATURES], wide));
  await refused(analyze(huge), {
    names: huge,
    says: /foo_x\.npy sample 1 value 1 is 1\.000e\+300, above the 1e\+6 magnitude limit/,
  });

  const oneHot = new Float32Array(64 * 3).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
  oneHot.fill(Number.NaN, 6, 9);
  const nanLabels = write(
    'nan-labels.npz',
    npzBytes({ x: npyBytes('<f4', [64, FEATURES], x()), y: npyBytes('<f4', [64, 3], oneHot) }),
  );
  await refused(analyze(nanLabels), {
    names: nanLabels,
    says: /y\.npy in nan-labels\.npz row 2 holds NaN; one-hot labels must be finite/,
  });
});

function csv(rows: string[]): string {
  return `${rows.join('\n')}\n`;
}
const row = (label: number, i: number) =>
  [label, ...Array.from({ length: FEATURES }, (_, k) => ((i * 7 + k) % 10) / 10)].join(',');

test("a NaN in a CSV's first row is a bad sample, not a header", async () => {
  const rows = Array.from({ length: 40 }, (_, i) => row(i % 3, i));
  rows[0] = rows[0]!.replace(/,[^,]+/, ',NaN');
  const file = write('nan-first.csv', csv(rows));
  await refused(analyze(file), {
    names: file,
    says: /nan-first\.csv:1: column 2 of row 1 is "NaN", not a finite number/,
  });
});

test('a first row mixing names and numbers is refused, not guessed', async () => {
  const rows = ['label,0,1,2,3,4,5,6,7', ...Array.from({ length: 40 }, (_, i) => row(i % 3, i))];
  const file = write('mixed-head.csv', csv(rows));
  await refused(analyze(file), {
    names: file,
    says: /mixed-head\.csv:1: the first row mixes names \("label"\) and numbers/,
  });
});

test('hexadecimal and absurd CSV values', async () => {
  const rows = ['label,a,b,c,d,e,f,g,h', ...Array.from({ length: 40 }, (_, i) => row(i % 3, i))];
  rows[3] = rows[3]!.replace(/,[^,]+/, ',0x10');
  const hex = write('hex.csv', csv(rows));
  await refused(analyze(hex), {
    names: hex,
    says: /hex\.csv:4: column 2 of row 3 is "0x10", not a finite number/,
  });
  rows[3] = rows[4]!.replace(/,[^,]+/, ',1e300');
  const huge = write('huge.csv', csv(rows));
  await refused(analyze(huge), {
    names: huge,
    says: /huge\.csv:4: column 2 of row 3 is 1\.000e\+300, above the 1e\+6 magnitude limit/,
  });
});

test('damaged .npz archives', async () => {
  const good = npzBytes({ x: npyBytes('<f4', [64, FEATURES], x()), y: npyBytes('<i8', [64], y()) });
  const truncated = write('truncated.npz', good.subarray(0, good.length - 40));
  await refused(analyze(truncated), { names: truncated, says: /\.npz archive truncated\.npz is damaged/ });
  const flipped = good.slice();
  flipped[200] = flipped[200]! ^ 0xff; // inside x.npy's stored data
  const crc = write('crc.npz', flipped);
  await refused(analyze(crc), {
    names: crc,
    says: /'x\.npy' in the \.npz archive crc\.npz fails its CRC-32 check/,
  });
});

test('an .npz member that is not used is never inflated (a bomb beside the data is harmless)', async () => {
  const bytes = zipSync({
    'x.npy': [npyBytes('<f4', [64, FEATURES], x()), { level: 0 }],
    'y.npy': [npyBytes('<i8', [64], y()), { level: 0 }],
    'junk.npy': [new Uint8Array(80 * 1024 * 1024), { level: 9 }],
  });
  const ds = await readDataset(write('with-bomb.npz', bytes));
  assert.equal(ds.yTrain.length + ds.yTest.length, 64);
});
