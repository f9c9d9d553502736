/**
 * `--data PATH`: a Keras-style `.npz`, a pair of `.npy` files (or a directory of them), or a CSV
 * with the label first. See npz.ts, npy-pair.ts and csv.ts for each convention.
 */
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { UserError } from '../../errors';
import { readNamedFile } from '../../io/contained-file';
import { readCsv } from './csv';
import type { ReadOptions } from './assemble';
import type { Dataset } from './dataset';
import { readNpyPair } from './npy-pair';
import { readNpz } from './npz';

export type { Dataset, LabelSet } from './dataset';
export type { ReadOptions } from './assemble';
export { checkShape, reshapeForModel } from './check-shape';

/** The whole archive is held in memory while its members are inflated one at a time. */
const MAX_NPZ_BYTES = 2 * 1024 * 1024 * 1024;

export async function readDataset(path: string, options: ReadOptions = {}): Promise<Dataset> {
  if (!existsSync(path)) throw new UserError('the data file does not exist', path, null, 'pass --data with an .npz, .npy pair, directory of .npy files, or .csv');
  if (statSync(path).isDirectory()) return readNpyPair(path, options);
  const ext = extname(path).toLowerCase();
  if (ext === '.npz') return readNpz(readNamedFile(path, 'the data file', MAX_NPZ_BYTES, 'use a smaller dataset or a subset of it'), path, options);
  if (ext === '.npy') return readNpyPair(path, options);
  if (ext === '.csv') return readCsv(path, options);
  throw new UserError(`data files ending in "${ext || '(no extension)'}" are not read`, path, null, 'pass an .npz (x_train/y_train/x_test/y_test), a foo_x.npy + foo_y.npy pair, or a .csv with the label first');
}
