/**
 * A pair of `.npy` files: samples and labels side by side. The convention (also in the README):
 * - `foo_x.npy` + `foo_y.npy` (pass either); `foo_x_test.npy` + `foo_y_test.npy` beside them,
 *   when present, are the test split;
 * - `foo_x_train.npy` + `foo_y_train.npy` with `foo_x_test.npy` + `foo_y_test.npy`;
 * - a directory holding `x.npy` + `y.npy`, or `x_train.npy` + `y_train.npy` (+ `x_test.npy`,
 *   `y_test.npy`).
 * Without a test split the last 15% is held out. Every sibling must be a regular file inside the
 * same folder (src/io/contained-file.ts): a symlink out of it, a FIFO or a device is refused.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../errors';
import { entryExists, readInside, readNamedFile, resolveInside } from '../../io/contained-file';
import { assembleDataset, type LabelledArrays, type ReadOptions } from './assemble';
import type { Dataset } from './dataset';
import { MAX_ARRAY_BYTES, parseNpy } from './npy';

const CONVENTION = 'pass foo_x.npy beside foo_y.npy (or foo_x_train.npy / foo_y_train.npy), or a directory holding x.npy + y.npy or x_train.npy + y_train.npy';
const SIZE_HINT = 'use a smaller dataset or a subset of it';

export function readNpyPair(path: string, options: ReadOptions = {}): Dataset {
  const isDir = statSync(path).isDirectory();
  const dir = isDir ? path : dirname(path);
  let prefix = '';
  let split = '';
  if (!isDir) {
    // foo_x.npy, foo_y_train.npy, x.npy … → prefix `foo_`, role x|y, split '' | _train | _test.
    const m = /^(.*_)?([xXyY])(_train|_test)?\.npy$/.exec(basename(path));
    if (!m) throw new UserError(`${basename(path)} alone has no labels (or no samples)`, path, null, CONVENTION);
    prefix = m[1] ?? '';
    split = m[3] ?? '';
  } else {
    split = entryExists(dir, 'x_train.npy') ? '_train' : '';
  }
  const upper = !isDir && /[XY](_train|_test)?\.npy$/.test(basename(path));
  const nameFor = (role: 'x' | 'y', s: string): string => `${prefix}${upper ? role.toUpperCase() : role}${s}.npy`;
  const present = (name: string): boolean => entryExists(dir, name);
  const trainSplit = split === '_test' ? (present(nameFor('x', '_train')) ? '_train' : '') : split;
  const train = load(dir, nameFor('x', trainSplit), nameFor('y', trainSplit), path);
  const testX = nameFor('x', '_test');
  const testY = nameFor('y', '_test');
  const test = trainSplit !== '_test' && present(testX) && present(testY) ? load(dir, testX, testY, path) : null;
  const name = isDir ? basename(path) : prefix.replace(/_$/, '') || basename(dir);
  return assembleDataset(name, path, train, test, options);
}

function load(dir: string, xName: string, yName: string, given: string): LabelledArrays {
  const maxBytes = MAX_ARRAY_BYTES + 65_536 + 12; // the data plus the largest header
  const read = (name: string, role: string) => {
    // The file the person named is theirs to point anywhere; its siblings must sit beside it.
    if (name === basename(given) && given === join(dir, name)) return parseNpy(readNamedFile(given, 'the data file', maxBytes, SIZE_HINT), given);
    const at = { folder: dir, name, namedIn: given, what: `the ${role} file`, hint: `keep ${name} as a regular file in the same folder; ${CONVENTION}` };
    if ('missing' in resolveInside(at)) throw new UserError(`${name} is missing next to ${basename(given)}`, given, null, CONVENTION);
    return parseNpy(readInside(at, maxBytes, SIZE_HINT), join(dir, name));
  };
  return { x: read(xName, 'samples'), xWhat: xName, ys: [{ y: read(yName, 'labels'), what: yName, output: null }] };
}
