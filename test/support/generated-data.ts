/**
 * Data files written by the tests, every value known: images or feature vectors with class labels,
 * regression targets or per-output labels, and integer token sequences for text models.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { npyBytes, npzBytes } from '../unit/data-readers/npy-writer';
import { seededRandom } from '../../src/training/rng';

export type Member = Uint8Array;

export function writeNpz(path: string, members: Record<string, Member>): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, npzBytes(members));
  return path;
}

/** `n` samples of `shape` floats in [0, 1), seeded. */
export function floats(n: number, shape: number[], seed: number): Member {
  const r = seededRandom(seed);
  const size = n * shape.reduce((a, b) => a * b, 1);
  return npyBytes(
    '<f4',
    [n, ...shape],
    Float32Array.from({ length: size }, () => r()),
  );
}

/** Class indices 0…classes-1 (int64, as numpy writes them). */
export function classIndices(n: number, classes: number): Member {
  return npyBytes(
    '<i8',
    [n],
    BigInt64Array.from({ length: n }, (_, i) => BigInt(i % classes)),
  );
}

/** One-hot rows of `classes` (float32). */
export function oneHotRows(n: number, classes: number): Member {
  const rows = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) rows[i * classes + (i % classes)] = 1;
  return npyBytes('<f4', [n, classes], rows);
}

/** Real-valued targets, `width` per sample. */
export function targets(n: number, width: number, seed: number): Member {
  const r = seededRandom(seed);
  const values = Float32Array.from({ length: n * width }, () => r() * 4 - 2);
  return npyBytes('<f4', width === 1 ? [n] : [n, width], values);
}

/**
 * Token sequences: `n` samples of `length` ids below `vocabulary` (int32), label = i % classes,
 * and each class draws its ids from its own slice of the vocabulary, so there is something to learn.
 */
export function tokenSequences(
  n: number,
  length: number,
  vocabulary: number,
  classes: number,
  seed: number,
): { x: Member; y: Member } {
  const r = seededRandom(seed);
  const slice = Math.max(1, Math.floor((vocabulary - 1) / classes));
  const ids = new Int32Array(n * length);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < length; t++)
      ids[i * length + t] = 1 + (i % classes) * slice + Math.floor(r() * slice);
  return { x: npyBytes('<i4', [n, length], ids), y: classIndices(n, classes) };
}
