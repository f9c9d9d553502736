/**
 * A pair of `.npy` files: samples and labels side by side. The convention (also in the README):
 * - `foo_x.npy` + `foo_y.npy` (pass either); `foo_x_test.npy` + `foo_y_test.npy` beside them,
 *   when present, are the test split;
 * - `foo_x_train.npy` + `foo_y_train.npy` with `foo_x_test.npy` + `foo_y_test.npy`;
 * - a directory holding `x.npy` + `y.npy`, or `x_train.npy` + `y_train.npy` (+ `x_test.npy`,
 *   `y_test.npy`).
 * Without a test split the last 15% is held out.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../errors';
import { assembleDataset, type LabelledArrays } from './assemble';
import type { Dataset } from './dataset';
import { parseNpy } from './npy';

const CONVENTION = 'pass foo_x.npy beside foo_y.npy (or foo_x_train.npy / foo_y_train.npy), or a directory holding x.npy + y.npy or x_train.npy + y_train.npy';

export function readNpyPair(path: string): Dataset {
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
    split = existsSync(join(dir, 'x_train.npy')) ? '_train' : '';
  }
  const upper = !isDir && /[XY](_train|_test)?\.npy$/.test(basename(path));
  const fileFor = (role: 'x' | 'y', s: string): string => join(dir, `${prefix}${upper ? role.toUpperCase() : role}${s}.npy`);
  const trainSplit = split === '_test' ? (existsSync(fileFor('x', '_train')) ? '_train' : '') : split;
  const train = load(fileFor('x', trainSplit), fileFor('y', trainSplit), path);
  const testX = fileFor('x', '_test');
  const testY = fileFor('y', '_test');
  const test = trainSplit !== '_test' && existsSync(testX) && existsSync(testY) ? load(testX, testY, path) : null;
  const name = isDir ? basename(path) : prefix.replace(/_$/, '') || basename(dir);
  return assembleDataset(name, path, train, test);
}

function load(xPath: string, yPath: string, given: string): LabelledArrays {
  for (const p of [xPath, yPath]) {
    if (!existsSync(p)) throw new UserError(`${basename(p)} is missing next to ${basename(given)}`, given, null, CONVENTION);
  }
  return {
    x: parseNpy(readFileSync(xPath), xPath),
    y: parseNpy(readFileSync(yPath), yPath),
    xWhat: basename(xPath),
    yWhat: basename(yPath),
  };
}
