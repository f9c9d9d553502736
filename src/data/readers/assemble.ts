/**
 * From raw arrays to a Dataset: x as float32 (uint8 sources scaled to [0, 1], float sources kept,
 * token ids kept as stored), labels kept as stored with what they look like (class indices,
 * distributions such as one-hot rows, or real values) — whether they fit is for the model's output
 * to say — and a held-out test split (the last 15%) when the source has none.
 */
import { UserError } from '../../errors';
import type { Dataset, LabelSet } from './dataset';
import type { NpyArray } from './npy';

/** Share of samples held out as the test split when a source brings none. */
export const HOLDOUT_FRACTION = 0.15;

export interface LabelledArrays {
  x: NpyArray;
  /** Where x came from, for errors: `x_train.npy in mnist.npz`. */
  xWhat: string;
  /** One label array per model output; a single one (output null) for an ordinary dataset. */
  ys: { y: NpyArray; what: string; output: string | null }[];
}

export interface ReadOptions {
  /** The model reads integer token ids (an Embedding first): keep x as stored, integers only. */
  tokenIds?: boolean;
}

/**
 * Feature values above this magnitude are refused: no network trains meaningfully on them, and they
 * are what an int32 header over float bytes (or another wrong dtype) reads as.
 */
export const MAX_FEATURE_MAGNITUDE = 1e6;
/** Class indices above this are not class indices (and a one-hot of them would not fit in memory). */
const MAX_CLASS_INDEX = 1_000_000;

export function toFloatSamples(x: NpyArray, file: string, what: string, options: ReadOptions = {}): Float32Array {
  if (x.shape.length < 2) throw new UserError(`${what} has shape (${x.shape.join(', ')}); samples need at least 2 dimensions (count, features…)`, file, null, 'reshape it to (samples, features) or (samples, height, width)');
  const d = x.data;
  if (options.tokenIds) return toTokenIds(x, file, what);
  if (d instanceof Uint8Array) {
    const out = new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = d[i]! / 255;
    return out;
  }
  const out = d instanceof Float32Array ? d : d instanceof BigInt64Array ? Float32Array.from(d, (v) => Number(v)) : Float32Array.from(d);
  // float64 values are checked as stored: 1e300 is absurd, not the Infinity float32 makes of it.
  checkFeatureValues(d instanceof BigInt64Array ? out : d, x.shape, file, what);
  return out;
}

/** Token ids: non-negative integers, never scaled (an Embedding looks them up). */
function toTokenIds(x: NpyArray, file: string, what: string): Float32Array {
  const per = x.shape.slice(1).reduce((a, b) => a * b, 1) || 1;
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const v = Number(x.data[i]!);
    // float32 holds every integer id exactly up to 2^24, far above any vocabulary.
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 24)
      throw new UserError(
        `${what} sample ${Math.floor(i / per)} value ${i % per} is ${v}; a text model's input is token ids, non-negative integers`,
        file,
        null,
        'save x as an integer array of token ids (e.g. x.astype("int32")), padded to one length',
      );
    out[i] = v;
  }
  return out;
}

/** Refuses NaN, ±Infinity (also float64 values beyond float32's range) and absurd magnitudes. */
export function checkFeatureValues(values: ArrayLike<number>, shape: number[], file: string, what: string, line: (sample: number) => number | null = () => null): void {
  const per = shape.slice(1).reduce((a, b) => a * b, 1) || 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && Math.abs(v) <= MAX_FEATURE_MAGNITUDE) continue;
    const sample = Math.floor(i / per);
    const where = `${what} sample ${sample} value ${i % per}`;
    if (!Number.isFinite(v)) throw new UserError(`${where} is ${v}; features must be finite numbers`, file, line(sample), 'remove or impute the missing/infinite values before analysing');
    throw new UserError(`${where} is ${v.toExponential(3)}, above the ${MAX_FEATURE_MAGNITUDE.toExponential(0)} magnitude limit for features`, file, line(sample), "check the array's dtype (an integer dtype over float bytes reads like this) and scale the features, e.g. to [0, 1]");
  }
}

/** The labels as stored, finite, one row per sample; what they look like is recorded, not judged. */
export function toLabelSet(y: NpyArray, samples: number, file: string, what: string, output: string | null): Omit<LabelSet, 'test'> {
  const [n, k = 1, ...rest] = y.shape;
  if (y.shape.length === 0 || y.shape.length > 2 || rest.length > 0) throw new UserError(`${what} has shape (${y.shape.join(', ')}); labels must be (samples,) class indices or targets, or (samples, k) one-hot rows or targets`, file);
  if (n !== samples) throw new UserError(`${what} has ${n} labels for ${samples} samples`, file, null, 'x and y must have the same number of rows');
  const width = y.shape.length === 2 ? k : 1;
  if (width === 0) throw new UserError(`${what} has shape (${y.shape.join(', ')}): no label values`, file);
  const values = new Float32Array(n! * width);
  for (let i = 0; i < values.length; i++) {
    const v = Number(y.data[i]!);
    // A NaN row would otherwise argmax to class 0 and train (and score) as class 0; float64 values
    // beyond float32's range are refused as stored, before float32 makes them Infinity.
    if (!Number.isFinite(v) || Math.abs(v) > 3.4e38) {
      if (width > 1) throw new UserError(`${what} row ${Math.floor(i / width)} holds ${v}; one-hot labels must be finite, and so must targets`, file, null, 'remove or fix the rows with missing labels');
      throw new UserError(`${what}[${i}] is ${v}; labels must be finite numbers`, file, null, 'remove or fix the samples with missing labels');
    }
    values[i] = v;
  }
  return { output, form: labelForm(values, width), width, train: values, what };
}

function labelForm(values: Float32Array, width: number): LabelSet['form'] {
  if (width === 1) return values.every((v) => Number.isInteger(v) && v >= 0 && v <= MAX_CLASS_INDEX) ? 'index' : 'values';
  for (let r = 0; r < values.length; r += width) {
    let sum = 0;
    for (let c = 0; c < width; c++) {
      const v = values[r + c]!;
      if (v < 0 || v > 1) return 'values';
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return 'values';
  }
  return 'distribution';
}

/** Class indices of a set (a distribution's argmax); empty for real values. */
function classIndices(set: Pick<LabelSet, 'form' | 'width'>, values: Float32Array): Int32Array {
  if (set.form === 'values') return new Int32Array(0);
  if (set.form === 'index') return Int32Array.from(values);
  const n = values.length / set.width;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < set.width; c++) if (values[r * set.width + c]! > values[r * set.width + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** A set's form over train and test together: indices on one side and values on the other are values. */
function jointForm(a: LabelSet['form'], b: LabelSet['form']): LabelSet['form'] {
  return a === b ? a : 'values';
}

/** Builds the Dataset; `test` absent means: hold out the last 15% of `train`. */
export function assembleDataset(name: string, file: string, train: LabelledArrays, test: LabelledArrays | null, options: ReadOptions = {}): Dataset {
  const samples = train.x.shape[0]!;
  const xTrain = toFloatSamples(train.x, file, train.xWhat, options);
  const trainSets = train.ys.map((s) => toLabelSet(s.y, samples, file, s.what, s.output));
  const sampleShape = train.x.shape.slice(1);
  if (!test) return holdOut(name, file, xTrain, trainSets, sampleShape, options);
  const testShape = test.x.shape.slice(1);
  if (testShape.join(',') !== sampleShape.join(',')) throw new UserError(`${test.xWhat} samples have shape (${testShape.join(', ')}) but training samples have (${sampleShape.join(', ')})`, file);
  const xTest = toFloatSamples(test.x, file, test.xWhat, options);
  const labels = trainSets.map((set): LabelSet => {
    const other = test.ys.find((s) => s.output === set.output);
    if (!other) throw new UserError(`${file.split(/[\\/]/).pop()} has test samples but no test labels for ${set.what}`, file, null, 'give every label array a test counterpart (y_test…), or leave the test split out');
    const t = toLabelSet(other.y, test.x.shape[0]!, file, other.what, other.output);
    if (t.width !== set.width) throw new UserError(`${set.what} has ${set.width} values per sample but ${t.what} has ${t.width}`, file, null, 'training and test labels must have the same shape per sample');
    return { ...set, form: jointForm(set.form, t.form), test: t.train };
  });
  return withClasses({ name, xTrain, xTest, sampleShape, labels, ...(options.tokenIds ? { tokenIds: true } : {}) });
}

/** Keeps the first 85% for training and the last 15% as the test split. */
export function holdOut(name: string, file: string, x: Float32Array, sets: Omit<LabelSet, 'test'>[], sampleShape: number[], options: ReadOptions = {}): Dataset {
  const n = x.length / (sampleShape.reduce((a, b) => a * b, 1) || 1);
  if (n < 2) throw new UserError(`the data has ${n} sample${n === 1 ? '' : 's'}; at least 2 are needed to hold out a test split`, file);
  const nTest = Math.max(1, Math.round(n * HOLDOUT_FRACTION));
  const nTrain = n - nTest;
  const per = sampleShape.reduce((a, b) => a * b, 1);
  const labels = sets.map((s): LabelSet => ({ ...s, train: s.train.subarray(0, nTrain * s.width), test: s.train.subarray(nTrain * s.width) }));
  return withClasses({ name, xTrain: x.subarray(0, nTrain * per), xTest: x.subarray(nTrain * per, n * per), sampleShape, labels, ...(options.tokenIds ? { tokenIds: true } : {}) });
}

/** yTrain / yTest / classes from the first label set. */
function withClasses(ds: Omit<Dataset, 'yTrain' | 'yTest' | 'classes'>): Dataset {
  const first = ds.labels[0]!;
  const yTrain = classIndices(first, first.train);
  const yTest = classIndices(first, first.test);
  let classes = 0;
  if (first.form === 'distribution') classes = first.width;
  else if (first.form === 'index') for (const set of [yTrain, yTest]) for (const v of set) if (v + 1 > classes) classes = v + 1;
  return { ...ds, yTrain, yTest, classes };
}
