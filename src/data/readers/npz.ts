/**
 * `.npz` archives (a zip of .npy files, as `numpy.savez[_compressed]` and Keras' mnist.npz write
 * them). Arrays named x_train/y_train[/x_test/y_test] as Keras does; x/y, or the positional
 * arr_0/arr_1 of `np.savez(path, x, y)`, are read as one split with a held-out test part. Only the
 * members used are inflated, each checked against its CRC-32 (src/io/zip-archive.ts).
 */
import { UserError } from '../../errors';
import { quotedName } from '../../io/contained-file';
import { ZipArchive } from '../../io/zip-archive';
import { assembleDataset, type LabelledArrays, type ReadOptions } from './assemble';
import type { Dataset } from './dataset';
import { MAX_ARRAY_BYTES, baseName, parseNpy, type NpyArray } from './npy';

const EXPECTED = 'x_train + y_train (and optionally x_test + y_test), or x + y';

/**
 * A model with several outputs takes one label array per output, named for the output layer:
 * `y_train_<output>` (+ `y_test_<output>`), or `y_<output>` beside `x`.
 */
export function readNpz(bytes: Uint8Array, file: string, options: ReadOptions = {}): Dataset {
  const archive = ZipArchive.open(
    bytes,
    file,
    `the .npz archive ${baseName(file)}`,
    'write it again with numpy.savez or numpy.savez_compressed',
  );
  const names = archive.members.map((m) => m.name.replace(/\.npy$/, ''));
  const array = (name: string): NpyArray | null => {
    const member = `${name}.npy`;
    if (!archive.has(member)) return null;
    const data = archive.read(member, MAX_ARRAY_BYTES, 'use a smaller dataset or a subset of it');
    return parseNpy(data, file, member);
  };
  const split = (x: string, y: string): LabelledArrays | null => {
    const hasX = archive.has(`${x}.npy`);
    const hasY = archive.has(`${y}.npy`);
    // Per-output label arrays: y_train_kind, y_train_price … (members ending in .npy only).
    const perOutput = names.filter(
      (n) => n.startsWith(`${y}_`) && archive.has(`${n}.npy`) && (y !== 'y' || !/^y_(train|test)/.test(n)),
    );
    if (!hasX && !hasY && perOutput.length === 0) return null;
    if (!hasX || (!hasY && perOutput.length === 0))
      throw new UserError(`${baseName(file)} has ${hasX ? x : hasY ? y : perOutput[0]} but no ${hasX ? y : x}`, file, null, `an .npz for --data holds ${EXPECTED}`);
    const labels = (member: string, output: string | null) => ({
      y: array(member)!,
      what: `${member}.npy in ${baseName(file)}`,
      output,
    });
    return {
      x: array(x)!,
      xWhat: `${x}.npy in ${baseName(file)}`,
      ys: hasY ? [labels(y, null)] : perOutput.map((n) => labels(n, n.slice(y.length + 1))),
    };
  };
  const name = baseName(file).replace(/\.npz$/i, '');
  const train = split('x_train', 'y_train') ?? split('x', 'y') ?? split('arr_0', 'arr_1');
  if (!train) {
    const held = names.slice(0, 8).map(quotedName).join(', ') + (names.length > 8 ? ` and ${names.length - 8} more` : '');
    throw new UserError(`${baseName(file)} holds ${names.length ? held : 'no arrays'}; expected ${EXPECTED}`, file, null, 'save it with np.savez(path, x_train=…, y_train=…, x_test=…, y_test=…)');
  }
  return assembleDataset(name, file, train, split('x_test', 'y_test'), options);
}
