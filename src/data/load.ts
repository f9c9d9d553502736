/** `--data digits|fashion|PATH` → a Dataset. */
import { UserError } from '../errors';
import { loadDigits, loadFashion } from './bundled';
import type { Dataset } from './readers/dataset';
import { readDataset } from './readers';
import { resolve } from 'node:path';

export async function loadData(data: string): Promise<Dataset> {
  if (data === 'digits' || data === 'mnist') return loadDigits();
  if (data === 'fashion' || data === 'fashion_mnist') return loadFashion();
  if (data.includes('/') || data.includes('.')) return readDataset(resolve(data));
  throw new UserError(`unknown data '${data}'`, null, null, 'use --data digits, fashion or a path to .npz/.npy/.csv');
}
