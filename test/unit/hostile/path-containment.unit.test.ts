/**
 * Files named inside a model.json (weight shards) or made from a data file's name (foo_y.npy,
 * x_test.npy, the test CSV) must be regular files inside that file's folder. `../`, absolute paths
 * and symlinks out are refused without a word about the outside file (not its path, not its
 * size); FIFOs never block; /dev/zero never grows into memory; directories and devices are refused.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FEATURES, fixtureValues, tfjsModelFiles } from '../../support/saved-model-writers';
import { npyBytes } from '../data-readers/npy-writer';
import { goodDataNpz, refused, RUN, scratch, write } from './hostile-case';

const data = write('data.npz', goodDataNpz());
const model = tfjsModelFiles();
write(`good-model/${model.shardName}`, model.shard);
/** A sound model, for the tests whose hostile part is the data. */
const goodModel = write('good-model/model.json', model.modelJson);

/** A model.json in its own folder whose manifest names `shardPath` for its one shard. */
function modelNaming(folder: string, shardPath: string): string {
  const json = JSON.parse(model.modelJson) as { weightsManifest: { paths: string[] }[] };
  json.weightsManifest[0]!.paths = [shardPath];
  return write(`${folder}/model.json`, JSON.stringify(json));
}

const mkfifo = (path: string): string | null => {
  const r = spawnSync('mkfifo', [path]);
  return r.status === 0 ? null : `mkfifo is not available: ${r.error?.message ?? r.stderr}`;
};

/** The outside file is exactly what the manifest needs, so only containment can refuse it. */
const outside = write('elsewhere/secret-weights.bin', model.shard);
const NEVER = /secret|elsewhere|300 bytes|\b300\b/;

test('a shard path with ../ that reaches a sibling folder', async () => {
  const file = modelNaming('dotdot', '../elsewhere/secret-weights.bin');
  await refused(['analyze', file, '--data', data, ...RUN], {
    names: file,
    says: /the weight shard '\.\.\/elsewhere\/secret-weights\.bin' is not inside the folder of 'model\.json'/,
    never: /300|bytes/,
  });
});

test('an absolute shard path', async () => {
  const file = modelNaming('absolute', '/etc/passwd');
  await refused(['analyze', file, '--data', data, ...RUN], {
    names: file,
    says: /the weight shard '\/etc\/passwd' is not inside the folder/,
    never: /\d+ bytes|hold/,
  });
});

test('a shard that is a symlink to a file outside', async () => {
  mkdirSync(join(scratch, 'link-out'), { recursive: true });
  symlinkSync(outside, join(scratch, 'link-out', model.shardName));
  const file = modelNaming('link-out', model.shardName);
  await refused(['analyze', file, '--data', data, ...RUN], {
    names: file,
    says: /the weight shard 'group1-shard1of1\.bin' is not inside the folder/,
    never: NEVER,
  });
});

test('a shard that is a symlink to /dev/zero: refused at once, memory flat', async () => {
  mkdirSync(join(scratch, 'link-to-device'), { recursive: true });
  symlinkSync('/dev/zero', join(scratch, 'link-to-device', model.shardName));
  const file = modelNaming('link-to-device', model.shardName);
  await refused(['analyze', file, '--data', data, ...RUN], {
    names: file,
    says: /is not inside the folder/,
    never: /\/dev\//,
    timeoutMs: 15_000,
  });
});

test('a shard that is a FIFO: refused without blocking', async (t) => {
  mkdirSync(join(scratch, 'fifo'), { recursive: true });
  const skip = mkfifo(join(scratch, 'fifo', model.shardName));
  if (skip) return t.skip(skip);
  const file = modelNaming('fifo', model.shardName);
  await refused(['analyze', file, '--data', data, ...RUN], {
    names: file,
    says: /the weight shard 'group1-shard1of1\.bin' is a named pipe \(FIFO\), not a regular file/,
    timeoutMs: 15_000,
  });
});

test('a shard that is a directory', async () => {
  mkdirSync(join(scratch, 'dir', model.shardName), { recursive: true });
  const file = modelNaming('dir', model.shardName);
  await refused(['analyze', file, '--data', data, ...RUN], {
    names: file,
    says: /is a directory, not a regular file/,
  });
});

test('a labels sibling (foo_y.npy) that is a symlink out of the folder', async () => {
  const x = write('pair/foo_x.npy', npyBytes('<f4', [64, FEATURES], fixtureValues(64 * FEATURES, 3)));
  const y = write('elsewhere/foo_y.npy', npyBytes('<i8', [64], new BigInt64Array(64)));
  symlinkSync(y, join(scratch, 'pair', 'foo_y.npy'));
  await refused(['analyze', goodModel, '--data', x, ...RUN], {
    names: x,
    says: /the labels file 'foo_y\.npy' is not inside the folder of 'foo_x\.npy'/,
    never: NEVER,
  });
});

test('a test split (x_test.npy) that leads outside is refused, not silently skipped', async () => {
  const dir = join(scratch, 'split');
  write('split/x.npy', npyBytes('<f4', [64, FEATURES], fixtureValues(64 * FEATURES, 4)));
  write('split/y.npy', npyBytes('<i8', [64], new BigInt64Array(64)));
  write('split/y_test.npy', npyBytes('<i8', [8], new BigInt64Array(8)));
  symlinkSync('/dev/zero', join(dir, 'x_test.npy'));
  await refused(['analyze', goodModel, '--data', dir, ...RUN], {
    names: 'split',
    says: /the samples file 'x_test\.npy' is not inside the folder/,
  });
});

test('a test CSV beside the training CSV that is a FIFO', async (t) => {
  const rows = ['label,a,b,c,d,e,f,g,h', ...Array.from({ length: 40 }, (_, i) => `${i % 3},1,2,3,4,5,6,7,8`)];
  const train = write('csv/digits_train.csv', `${rows.join('\n')}\n`);
  const skip = mkfifo(join(scratch, 'csv', 'digits_test.csv'));
  if (skip) return t.skip(skip);
  await refused(['analyze', goodModel, '--data', train, ...RUN], {
    names: train,
    says: /the test split 'digits_test\.csv' is a named pipe \(FIFO\)/,
    timeoutMs: 15_000,
  });
});

test('the data file itself a FIFO, or a symlink to /dev/zero', async (t) => {
  const zero = join(scratch, 'zero.npz');
  symlinkSync('/dev/zero', zero);
  await refused(['analyze', goodModel, '--data', zero, ...RUN], {
    names: zero,
    says: /the data file is a device, not a regular file/,
    timeoutMs: 15_000,
  });
  const fifo = join(scratch, 'pipe.npz');
  const skip = mkfifo(fifo);
  if (skip) return t.skip(skip);
  await refused(['analyze', goodModel, '--data', fifo, ...RUN], {
    names: fifo,
    says: /the data file is a named pipe \(FIFO\), not a regular file/,
    timeoutMs: 15_000,
  });
});

test('the model file itself a FIFO', async (t) => {
  const fifo = join(scratch, 'model.h5');
  const skip = mkfifo(fifo);
  if (skip) return t.skip(skip);
  await refused(['analyze', fifo, '--data', data, ...RUN], {
    names: fifo,
    says: /the model file is a named pipe \(FIFO\), not a regular file/,
    timeoutMs: 15_000,
  });
});
