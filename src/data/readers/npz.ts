/**
 * `.npz` archives (a zip of .npy files, as `numpy.savez[_compressed]` and Keras' mnist.npz write
 * them). Arrays named x_train/y_train[/x_test/y_test] as Keras does; x/y, or the positional
 * arr_0/arr_1 of `np.savez(path, x, y)`, are read as one split with a held-out test part.
 */
import { unzipSync } from 'fflate';
import { UserError } from '../../errors';
import { assembleDataset, type LabelledArrays } from './assemble';
import type { Dataset } from './dataset';
import { baseName, parseNpy, type NpyArray } from './npy';

const EXPECTED = 'x_train + y_train (and optionally x_test + y_test), or x + y';

export function readNpz(bytes: Uint8Array, file: string): Dataset {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new UserError(`${baseName(file)} is not a readable .npz (zip) archive: ${(e as Error).message}`, file, null, 'write it with numpy.savez or numpy.savez_compressed');
  }
  const names = Object.keys(entries).map((n) => n.replace(/\.npy$/, ''));
  const array = (name: string): NpyArray | null => {
    const bytesOf = entries[`${name}.npy`];
    return bytesOf ? parseNpy(bytesOf, file, `${name}.npy`) : null;
  };
  const split = (x: string, y: string): LabelledArrays | null => {
    const xa = array(x);
    const ya = array(y);
    if (!xa && !ya) return null;
    if (!xa || !ya) throw new UserError(`${baseName(file)} has ${xa ? x : y} but no ${xa ? y : x}`, file, null, `an .npz for --data holds ${EXPECTED}`);
    return { x: xa, y: ya, xWhat: `${x}.npy in ${baseName(file)}`, yWhat: `${y}.npy in ${baseName(file)}` };
  };
  const name = baseName(file).replace(/\.npz$/i, '');
  const train = split('x_train', 'y_train') ?? split('x', 'y') ?? split('arr_0', 'arr_1');
  if (!train) {
    throw new UserError(`${baseName(file)} holds ${names.length ? names.join(', ') : 'no arrays'}; expected ${EXPECTED}`, file, null, 'save it with np.savez(path, x_train=…, y_train=…, x_test=…, y_test=…)');
  }
  return assembleDataset(name, file, train, split('x_test', 'y_test'));
}
