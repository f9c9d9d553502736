/** `--data digits|fashion|PATH` → a Dataset. */
import { UserError } from '../errors';
import { loadDigits, loadFashion } from './bundled';
import type { Dataset } from './readers/dataset';

export async function loadData(data: string): Promise<Dataset> {
  if (data === 'digits' || data === 'mnist') return loadDigits();
  if (data === 'fashion' || data === 'fashion_mnist') return loadFashion();
  throw new UserError(`unknown data '${data}'`, null, null, 'use --data digits, fashion or a path to .npz/.npy/.csv');
}
