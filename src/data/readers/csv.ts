/**
 * CSV datasets shaped like Kaggle's mnist_train.csv: one sample per row, the label first (or in
 * the column a header names `label`), then the pixel/feature values. The header row is optional.
 * Integer values in 0…255 (with a maximum above 1) are uint8 pixels and are scaled to [0, 1];
 * anything else is kept as-is. `…train….csv` finds its `…test….csv` sibling as the test split.
 */
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../errors';
import { entryExists, readInside, readNamedFile } from '../../io/contained-file';
import { assembleDataset, MAX_FEATURE_MAGNITUDE, type ReadOptions } from './assemble';
import type { Dataset } from './dataset';
import type { NpyArray } from './npy';

interface CsvTable {
  /** Row-major features, labels removed (float32: a 60,000-row MNIST CSV is 188 MB as it is). */
  features: Float32Array;
  labels: Float64Array;
  rows: number;
  columns: number;
}

/** A JS string holds at most ~512 M characters; beyond this size a CSV is better saved as .npz. */
const MAX_CSV_BYTES = 256 * 1024 * 1024;
const SIZE_HINT = 'save large datasets as .npz (numpy.savez_compressed) instead';

export function readCsv(path: string, options: ReadOptions = {}): Dataset {
  const train = parseCsv(readNamedFile(path, 'the data file', MAX_CSV_BYTES, SIZE_HINT).toString('utf8'), path);
  const sibling = testSibling(path);
  const test = sibling
    ? parseCsv(
        readInside(
          { folder: dirname(path), name: basename(sibling), namedIn: path, what: 'the test split', hint: 'keep the test CSV as a regular file beside the training CSV' },
          MAX_CSV_BYTES,
          SIZE_HINT,
        ).toString('utf8'),
        sibling,
      )
    : null;
  if (test && test.columns !== train.columns) {
    throw new UserError(`${basename(sibling!)} has ${test.columns} feature columns but ${basename(path)} has ${train.columns}`, sibling, null, 'both files must describe the same samples');
  }
  // Scale only when every value in both files looks like a uint8 pixel, so train and test agree.
  // Token ids are never pixels, whatever their range.
  const pixels = !options.tokenIds && looksLikeUint8(train.features) && (!test || looksLikeUint8(test.features));
  const name = basename(path).replace(/\.csv$/i, '');
  const asArrays = (t: CsvTable, file: string) => ({
    x: { dtype: 'f4', shape: [t.rows, t.columns], data: pixels ? scaleInPlace(t.features) : t.features } satisfies NpyArray,
    xWhat: basename(file),
    ys: [{ y: { dtype: 'f8', shape: [t.rows], data: t.labels } satisfies NpyArray, what: `the label column of ${basename(file)}`, output: null }],
  });
  return assembleDataset(name, path, asArrays(train, path), test && sibling ? asArrays(test, sibling) : null, options);
}

/** `mnist_train.csv` → `mnist_test.csv` when that file exists. */
function testSibling(path: string): string | null {
  const name = basename(path);
  const at = name.toLowerCase().lastIndexOf('train');
  if (at < 0) return null;
  const candidate = `${name.slice(0, at)}${name[at] === 'T' ? 'Test' : 'test'}${name.slice(at + 5)}`;
  // Only a file inside the training CSV's folder counts (a symlink out of it is not followed).
  return entryExists(dirname(path), candidate) ? join(dirname(path), candidate) : null;
}

type CellKind = 'number' | 'non-finite' | 'empty' | 'word';

/** Decimal numbers only: Number() would also take '0x10', '0b1' and '' (as 16, 1 and 0). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function cellKind(cell: string): CellKind {
  if (cell === '') return 'empty';
  if (DECIMAL.test(cell)) return 'number';
  return /^[+-]?(nan|inf|infinity)$/i.test(cell) ? 'non-finite' : 'word';
}

/**
 * Whether the first row is a header, decided by the whole row: only names → header; only numbers
 * (NaN and inf count as numbers) → data; both → refused, since either reading could be wrong.
 */
function isHeaderRow(cells: string[], file: string, line: number): boolean {
  const kinds = cells.map(cellKind);
  const words = kinds.filter((k) => k === 'word').length;
  const numbers = kinds.filter((k) => k === 'number' || k === 'non-finite').length;
  if (words === 0) return false;
  if (numbers === 0) return true;
  const firstWord = cells[kinds.indexOf('word')]!;
  throw new UserError(
    `the first row mixes names (${JSON.stringify(firstWord.slice(0, 20))}) and numbers, so it is neither a header nor a sample`,
    file,
    line,
    'a header row holds only column names; a sample row only numbers',
  );
}

export function parseCsv(text: string, file: string): CsvTable {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first >= lines.length) throw new UserError(`${basename(file)} is empty`, file, null, 'a CSV for --data has one sample per row: label, then the feature values');
  const head = splitCells(lines[first]!);
  const hasHeader = isHeaderRow(head, file, first + 1);
  const labelColumn = hasHeader ? Math.max(0, head.findIndex((c) => c.toLowerCase() === 'label')) : 0;
  const width = head.length;
  if (width < 2) throw new UserError(`${basename(file)} has ${width} column per row; expected a label column and at least one feature column`, file, first + 1);
  const dataLines: number[] = [];
  for (let i = hasHeader ? first + 1 : first; i < lines.length; i++) if (lines[i]!.trim() !== '') dataLines.push(i);
  const rows = dataLines.length;
  const columns = width - 1;
  const features = new Float32Array(rows * columns);
  const labels = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const lineNo = dataLines[r]!;
    const cells = splitCells(lines[lineNo]!);
    if (cells.length !== width) throw new UserError(`row ${r + 1} has ${cells.length} values but the ${hasHeader ? 'header' : 'first row'} has ${width}`, file, lineNo + 1, 'every row needs the same columns: label, then the feature values');
    let out = r * columns;
    for (let c = 0; c < width; c++) {
      const v = Number(cells[c]);
      if (!DECIMAL.test(cells[c]!) || !Number.isFinite(v)) throw new UserError(`column ${c + 1} of row ${r + 1} is ${JSON.stringify(cells[c]!.slice(0, 20))}, not a finite number`, file, lineNo + 1, 'a CSV for --data holds only numbers below its optional header; remove or impute missing values');
      if (Math.abs(v) > MAX_FEATURE_MAGNITUDE) throw new UserError(`column ${c + 1} of row ${r + 1} is ${v.toExponential(3)}, above the ${MAX_FEATURE_MAGNITUDE.toExponential(0)} magnitude limit`, file, lineNo + 1, 'scale the features, e.g. to [0, 1]');
      if (c === labelColumn) labels[r] = v;
      else features[out++] = v;
    }
  }
  return { features, labels, rows, columns };
}

function splitCells(line: string): string[] {
  return line.split(',').map((c) => {
    const t = c.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

function looksLikeUint8(values: Float32Array): boolean {
  let max = 0;
  for (const v of values) {
    if (v < 0 || v > 255 || !Number.isInteger(v)) return false;
    if (v > max) max = v;
  }
  return max > 1;
}

function scaleInPlace(values: Float32Array): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] = values[i]! / 255;
  return values;
}
