// readDataset over .npz, .npy pairs/directories and CSV: exact values, splits, and UserErrors.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/errors';
import { readDataset } from '../../../src/data/readers/index';
import { npyBytes, npzBytes } from './npy-writer';

const dir = mkdtempSync(join(tmpdir(), 'al-data-'));
const write = (name: string, bytes: Uint8Array | string): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const close = (actual: Float32Array, expected: number[]): void => {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `[${i}] ${v} vs ${expected[i]}`));
};
async function rejects(path: string, pattern: RegExp, file = path): Promise<void> {
  await assert.rejects(
    readDataset(path),
    (e: unknown) => e instanceof UserError && e.file === file && pattern.test(e.message),
  );
}

test('Keras-style npz (uint8, stored and deflated): scaled to [0, 1], splits kept', async () => {
  for (const compress of [false, true]) {
    const path = write(
      `mnist${compress ? '-z' : ''}.npz`,
      npzBytes(
        {
          x_train: npyBytes('|u1', [3, 2, 2], Uint8Array.from([0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8])),
          y_train: npyBytes('|u1', [3], Uint8Array.from([7, 0, 2])),
          x_test: npyBytes('|u1', [1, 2, 2], Uint8Array.from([255, 0, 255, 0])),
          y_test: npyBytes('|u1', [1], Uint8Array.from([9])),
        },
        compress,
      ),
    );
    const ds = await readDataset(path);
    assert.equal(ds.name, compress ? 'mnist-z' : 'mnist');
    assert.deepEqual(ds.sampleShape, [2, 2]);
    close(ds.xTrain, [
      0,
      0.2,
      0.4,
      1,
      1 / 255,
      2 / 255,
      3 / 255,
      4 / 255,
      5 / 255,
      6 / 255,
      7 / 255,
      8 / 255,
    ]);
    assert.deepEqual([...ds.yTrain], [7, 0, 2]);
    close(ds.xTest, [1, 0, 1, 0]);
    assert.deepEqual([...ds.yTest], [9]);
    assert.equal(ds.classes, 10);
  }
});

test('npz with x and y only: float kept as-is, the last 15% held out', async () => {
  const n = 20;
  const x = Float32Array.from({ length: n * 2 }, (_, i) => i - 0.5);
  const y = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 4));
  const ds = await readDataset(
    write('xy.npz', npzBytes({ x: npyBytes('<f4', [n, 2], x), y: npyBytes('<i8', [n], y) })),
  );
  assert.equal(ds.yTrain.length, 17);
  assert.equal(ds.yTest.length, 3);
  close(ds.xTrain, [...x.slice(0, 34)]);
  close(ds.xTest, [33.5, 34.5, 35.5, 36.5, 37.5, 38.5]);
  assert.deepEqual([...ds.yTest], [1, 2, 3]);
  assert.equal(ds.classes, 4);
});

test('numpy-written npz fixtures (np.savez with zip64 members, np.savez_compressed)', async () => {
  const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'data');
  const root = [fixtures, join(process.cwd(), 'test', 'fixtures', 'data')].find((p) => existsSync(p))!;
  const mnist = await readDataset(join(root, 'tiny-mnist.npz'));
  assert.deepEqual(mnist.sampleShape, [3, 3]);
  close(
    mnist.xTrain,
    Array.from({ length: 36 }, (_, i) => (i * 7) / 255),
  );
  assert.deepEqual([...mnist.yTrain], [3, 1, 4, 1]);
  close(
    mnist.xTest,
    Array.from({ length: 18 }, (_, i) => (255 - i) / 255),
  );
  assert.deepEqual([...mnist.yTest], [5, 9]);
  assert.equal(mnist.classes, 10);
  const float = await readDataset(join(root, 'tiny-float.npz'));
  assert.deepEqual([float.yTrain.length, float.yTest.length, float.classes], [17, 3, 3]);
  assert.ok(Math.abs(float.xTrain[0]! + 1) < 1e-7 && Math.abs(float.xTest[5]! - 1) < 1e-7);
  assert.deepEqual([...float.yTest], [17 % 3, 18 % 3, 19 % 3]);
});

test('corrupt or incomplete npz files are UserErrors naming the file', async () => {
  await rejects(write('junk.npz', 'not a zip at all'), /\.npz archive junk\.npz is damaged/);
  await rejects(
    write('no-y.npz', npzBytes({ x_train: npyBytes('|u1', [2, 1], new Uint8Array(2)) })),
    /has x_train but no y_train/,
  );
  await rejects(
    write('other.npz', npzBytes({ images: npyBytes('|u1', [2, 1], new Uint8Array(2)) })),
    /holds 'images'; expected x_train/,
  );
  await rejects(
    write(
      'count.npz',
      npzBytes({ x: npyBytes('|u1', [3, 1], new Uint8Array(3)), y: npyBytes('|u1', [2], new Uint8Array(2)) }),
    ),
    /has 2 labels for 3 samples/,
  );
  const fortran = npzBytes({
    x: npyBytes('<f4', [2, 2], new Float32Array(4), { fortran: true }),
    y: npyBytes('|u1', [2], new Uint8Array(2)),
  });
  await rejects(write('fortran.npz', fortran), /x\.npy in fortran\.npz .*Fortran/);
});

test('npy pairs: foo_x.npy + foo_y.npy with a test split; one-hot labels', async () => {
  write('digits_x.npy', npyBytes('<f4', [2, 3], Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])));
  write('digits_y.npy', npyBytes('<f4', [2, 3], Float32Array.from([0, 0, 1, 1, 0, 0])));
  write('digits_x_test.npy', npyBytes('<f4', [1, 3], Float32Array.from([9, 8, 7])));
  const yTest = write('digits_y_test.npy', npyBytes('<f4', [1, 3], Float32Array.from([0, 1, 0])));
  for (const given of ['digits_x.npy', 'digits_y.npy']) {
    const ds = await readDataset(join(dir, given));
    assert.equal(ds.name, 'digits');
    close(ds.xTrain, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    assert.deepEqual([...ds.yTrain], [2, 0]);
    close(ds.xTest, [9, 8, 7]);
    assert.deepEqual([...ds.yTest], [1]);
    assert.equal(ds.classes, 3);
  }
  assert.ok(yTest);
});

test('a directory of x.npy + y.npy, and of x_train/y_train/x_test/y_test', async () => {
  const flat = join(dir, 'flat');
  mkdirSync(flat);
  writeFileSync(join(flat, 'x.npy'), npyBytes('|u1', [7, 1], Uint8Array.from([0, 10, 20, 30, 40, 50, 255])));
  writeFileSync(join(flat, 'y.npy'), npyBytes('<i4', [7, 1], Int32Array.from([0, 1, 0, 1, 0, 1, 5])));
  const ds = await readDataset(flat);
  assert.deepEqual([ds.name, ds.yTrain.length, ds.yTest.length, ds.classes], ['flat', 6, 1, 6]);
  close(ds.xTest, [1]);
  const split = join(dir, 'split');
  mkdirSync(split);
  writeFileSync(join(split, 'x_train.npy'), npyBytes('<f8', [2, 1], Float64Array.from([0.25, 0.75])));
  writeFileSync(join(split, 'y_train.npy'), npyBytes('|u1', [2], Uint8Array.from([1, 0])));
  writeFileSync(join(split, 'x_test.npy'), npyBytes('<f8', [1, 1], Float64Array.from([0.5])));
  writeFileSync(join(split, 'y_test.npy'), npyBytes('|u1', [1], Uint8Array.from([1])));
  const s = await readDataset(split);
  close(s.xTrain, [0.25, 0.75]);
  close(s.xTest, [0.5]);
  assert.deepEqual([[...s.yTrain], [...s.yTest], s.classes], [[1, 0], [1], 2]);
});

test('a lone .npy or a missing partner is a UserError that states the convention', async () => {
  const lone = write('weights.npy', npyBytes('<f4', [2, 1], new Float32Array(2)));
  await rejects(lone, /alone has no labels/);
  const orphan = write('orphan_x.npy', npyBytes('<f4', [2, 1], new Float32Array(2)));
  await rejects(orphan, /orphan_y\.npy is missing/);
  await rejects(join(dir, 'nope.npz'), /does not exist/);
  await rejects(write('data.txt', '1,2'), /"\.txt" are not read/);
});

test('CSV with a header: label column first, uint8 pixels scaled, train/test siblings', async () => {
  write('mnist_train.csv', 'label,1x1,1x2,1x3\n5,0,128,255\n0,255,0,0\n\n');
  write('mnist_test.csv', 'label,1x1,1x2,1x3\r\n7,51,0,0\r\n');
  const ds = await readDataset(join(dir, 'mnist_train.csv'));
  assert.equal(ds.name, 'mnist_train');
  assert.deepEqual(ds.sampleShape, [3]);
  close(ds.xTrain, [0, 128 / 255, 1, 1, 0, 0]);
  assert.deepEqual([...ds.yTrain], [5, 0]);
  close(ds.xTest, [0.2, 0, 0]);
  assert.deepEqual([...ds.yTest], [7]);
  assert.equal(ds.classes, 8);
});

test('CSV without a header, float features kept, a label column named in the header', async () => {
  const rows = Array.from({ length: 10 }, (_, i) => `${i % 2},${i * 0.5},${-i}`).join('\n');
  const ds = await readDataset(write('floats.csv', rows));
  assert.deepEqual([ds.yTrain.length, ds.yTest.length], [8, 2]);
  close(ds.xTest, [4, -8, 4.5, -9]);
  const named = await readDataset(write('named.csv', 'a,b,label\n10,20,1\n30,40,0\n50,60,2\n'));
  close(named.xTrain, [10 / 255, 20 / 255, 30 / 255, 40 / 255]);
  assert.deepEqual([...named.yTrain, ...named.yTest], [1, 0, 2]);
});

test('broken CSV rows are UserErrors with the line', async () => {
  const ragged = write('ragged.csv', 'label,p1,p2\n1,2,3\n4,5\n');
  await assert.rejects(
    readDataset(ragged),
    (e: unknown) =>
      e instanceof UserError && e.line === 3 && /row 2 has 2 values but the header has 3/.test(e.message),
  );
  const text = write('text.csv', '1,2,3\n4,five,6\n');
  await assert.rejects(
    readDataset(text),
    (e: unknown) => e instanceof UserError && e.line === 2 && /column 2 of row 2 is "five"/.test(e.message),
  );
  await rejects(write('empty.csv', '\n\n'), /is empty/);
  await rejects(write('nan.csv', 'NaN,1\n1,2\n'), /column 1 of row 1 is "NaN", not a finite number/);
});

test('labels are kept as stored with their form: indices, one-hot rows, real values', async () => {
  // Whether they fit is the model's output to say (src/training/label-check.ts), not the reader's.
  const fraction = await readDataset(write('fraction.csv', '0.5,1\n1,2\n2.25,3\n'));
  assert.deepEqual(
    fraction.labels.map((l) => [l.form, l.width, [...l.train], [...l.test]]),
    [['values', 1, [0.5, 1], [2.25]]],
  );
  assert.deepEqual([fraction.yTrain.length, fraction.classes], [0, 0]);
  const negative = await readDataset(
    write(
      'neg.npz',
      npzBytes({
        x: npyBytes('|u1', [2, 1], new Uint8Array(2)),
        y: npyBytes('<i4', [2], Int32Array.from([0, -1])),
      }),
    ),
  );
  assert.equal(negative.labels[0]!.form, 'values');
  const oneHot = await readDataset(
    write(
      'onehot.npz',
      npzBytes({
        x: npyBytes('<f4', [3, 1], Float32Array.from([1, 2, 3])),
        y: npyBytes('<f4', [3, 2], Float32Array.from([1, 0, 0, 1, 1, 0])),
      }),
    ),
  );
  assert.deepEqual([oneHot.labels[0]!.form, oneHot.labels[0]!.width, oneHot.classes], ['distribution', 2, 2]);
  assert.deepEqual([...oneHot.yTrain, ...oneHot.yTest], [0, 1, 0]);
  const targets = await readDataset(
    write(
      'targets.npz',
      npzBytes({
        x: npyBytes('<f4', [3, 1], Float32Array.from([1, 2, 3])),
        y: npyBytes('<f4', [3, 2], Float32Array.from([0.5, 2, 1, 1, 3, -4])),
      }),
    ),
  );
  assert.deepEqual([targets.labels[0]!.form, targets.labels[0]!.width], ['values', 2]);
  await rejects(
    write(
      'huge.npz',
      npzBytes({
        x: npyBytes('<f4', [2, 1], Float32Array.from([1, 2])),
        y: npyBytes('<f8', [2], Float64Array.from([1, 1e300])),
      }),
    ),
    /y\.npy in huge\.npz\[1\] is 1e\+300; labels must be finite numbers/,
  );
});

test('one label array per output of a multi-output model: y_train_<output>', async () => {
  const ds = await readDataset(
    write(
      'multi.npz',
      npzBytes({
        x_train: npyBytes('<f4', [2, 1], Float32Array.from([1, 2])),
        y_train_kind: npyBytes('<i8', [2], BigInt64Array.from([0n, 2n])),
        y_train_price: npyBytes('<f4', [2], Float32Array.from([9.5, 3.25])),
        x_test: npyBytes('<f4', [1, 1], Float32Array.from([3])),
        y_test_kind: npyBytes('<i8', [1], BigInt64Array.from([1n])),
        y_test_price: npyBytes('<f4', [1], Float32Array.from([7])),
      }),
    ),
  );
  assert.deepEqual(
    ds.labels.map((l) => [l.output, l.form, [...l.train], [...l.test]]),
    [
      ['kind', 'index', [0, 2], [1]],
      ['price', 'values', [9.5, 3.25], [7]],
    ],
  );
  await rejects(
    write(
      'multi-no-test.npz',
      npzBytes({
        x_train: npyBytes('<f4', [2, 1], Float32Array.from([1, 2])),
        y_train_kind: npyBytes('<i8', [2], BigInt64Array.from([0n, 2n])),
        x_test: npyBytes('<f4', [1, 1], Float32Array.from([3])),
        y_test: npyBytes('<i8', [1], BigInt64Array.from([1n])),
      }),
    ),
    /has test samples but no test labels for y_train_kind\.npy/,
  );
});

test('token ids for a text model are kept as stored (never scaled), integers only', async () => {
  const ids = npzBytes({
    x: npyBytes('|u1', [4, 3], Uint8Array.from([1, 2, 3, 200, 0, 0, 7, 7, 7, 9, 8, 1])),
    y: npyBytes('|u1', [4], Uint8Array.from([0, 1, 1, 0])),
  });
  const path = write('ids.npz', ids);
  const ds = await readDataset(path, { tokenIds: true });
  assert.deepEqual([...ds.xTrain, ...ds.xTest], [1, 2, 3, 200, 0, 0, 7, 7, 7, 9, 8, 1]);
  assert.equal(ds.tokenIds, true);
  // The same file read as images is scaled.
  assert.ok(Math.abs((await readDataset(path)).xTrain[3]! - 200 / 255) < 1e-6);
  const fractional = write(
    'fractional-ids.npz',
    npzBytes({
      x: npyBytes('<f4', [2, 2], Float32Array.from([1, 2, 3.5, 4])),
      y: npyBytes('|u1', [2], Uint8Array.from([0, 1])),
    }),
  );
  await assert.rejects(
    readDataset(fractional, { tokenIds: true }),
    (e: unknown) =>
      e instanceof UserError && /sample 1 value 0 is 3\.5; a text model's input is token ids/.test(e.message),
  );
});
