/** `--data digits|fashion|PATH` → a Dataset. */
import { UserError } from '../errors';
import { loadDigits, loadFashion } from './bundled';
import type { Dataset } from './readers/dataset';
import { readDataset, type ReadOptions } from './readers';
import { resolve } from 'node:path';

/** digits / fashion (and their Keras names): the datasets that ship, class labels only. */
export function isBuiltInData(data: string): boolean {
  return ['digits', 'mnist', 'fashion', 'fashion_mnist'].includes(data);
}

export async function loadData(data: string, options: ReadOptions = {}): Promise<Dataset> {
  if (data === 'digits' || data === 'mnist') return loadDigits();
  if (data === 'fashion' || data === 'fashion_mnist') return loadFashion();
  if (data.includes('/') || data.includes('.')) return readDataset(resolve(data), options);
  throw new UserError(`unknown data '${data}'`, null, null, 'use --data digits, fashion or a path to .npz/.npy/.csv');
}
