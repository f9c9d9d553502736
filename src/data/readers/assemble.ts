/**
 * From raw arrays to a Dataset: x as float32 (uint8 sources scaled to [0, 1], float sources kept),
 * labels as int32 class indices (one-hot rows become their argmax), and a held-out test split
 * (the last 15%) when the source has none.
 */
import { UserError } from '../../errors';
import type { Dataset } from './dataset';
import type { NpyArray } from './npy';

/** Share of samples held out as the test split when a source brings none. */
export const HOLDOUT_FRACTION = 0.15;

export interface LabelledArrays {
  x: NpyArray;
  y: NpyArray;
  /** Where each came from, for errors: `x_train.npy in mnist.npz`. */
  xWhat: string;
  yWhat: string;
}

/**
 * Feature values above this magnitude are refused: no network trains meaningfully on them, and they
 * are what an int32 header over float bytes (or another wrong dtype) reads as.
 */
export const MAX_FEATURE_MAGNITUDE = 1e6;

export function toFloatSamples(x: NpyArray, file: string, what: string): Float32Array {
  if (x.shape.length < 2) throw new UserError(`${what} has shape (${x.shape.join(', ')}); samples need at least 2 dimensions (count, features…)`, file, null, 'reshape it to (samples, features) or (samples, height, width)');
  const d = x.data;
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

export function toLabels(y: NpyArray, samples: number, file: string, what: string): { labels: Int32Array; oneHotClasses: number | null } {
  const [n, k = 1, ...rest] = y.shape;
  if (y.shape.length === 0 || y.shape.length > 2 || rest.length > 0) throw new UserError(`${what} has shape (${y.shape.join(', ')}); labels must be (samples,) class indices or (samples, classes) one-hot rows`, file);
  if (n !== samples) throw new UserError(`${what} has ${n} labels for ${samples} samples`, file, null, 'x and y must have the same number of rows');
  const value = (i: number): number => Number(y.data[i]!);
  const labels = new Int32Array(n);
  if (y.shape.length === 2 && k > 1) {
    // A NaN row would otherwise argmax to class 0 and train (and score) as class 0.
    for (let i = 0; i < n * k; i++) {
      const v = value(i);
      if (!Number.isFinite(v)) throw new UserError(`${what} row ${Math.floor(i / k)} holds ${v}; one-hot labels must be finite`, file, null, 'remove or fix the rows with missing labels');
    }
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (value(r * k + c) > value(r * k + best)) best = c;
      labels[r] = best;
    }
    return { labels, oneHotClasses: k };
  }
  for (let i = 0; i < n; i++) {
    const v = value(i);
    if (!Number.isInteger(v) || v < 0 || v > 1_000_000) throw new UserError(`${what}[${i}] is ${v}; labels must be non-negative integer class indices`, file, null, 'convert labels to integers 0…classes-1');
    labels[i] = v;
  }
  return { labels, oneHotClasses: null };
}

/** Builds the Dataset; `test` absent means: hold out the last 15% of `train`. */
export function assembleDataset(name: string, file: string, train: LabelledArrays, test: LabelledArrays | null): Dataset {
  const xTrain = toFloatSamples(train.x, file, train.xWhat);
  const yTrain = toLabels(train.y, train.x.shape[0]!, file, train.yWhat);
  const sampleShape = train.x.shape.slice(1);
  if (!test) return holdOut(name, file, xTrain, yTrain.labels, sampleShape, yTrain.oneHotClasses);
  const testShape = test.x.shape.slice(1);
  if (testShape.join(',') !== sampleShape.join(',')) throw new UserError(`${test.xWhat} samples have shape (${testShape.join(', ')}) but training samples have (${sampleShape.join(', ')})`, file);
  const xTest = toFloatSamples(test.x, file, test.xWhat);
  const yTest = toLabels(test.y, test.x.shape[0]!, file, test.yWhat);
  if (yTrain.oneHotClasses !== null && yTest.oneHotClasses !== null && yTrain.oneHotClasses !== yTest.oneHotClasses) {
    throw new UserError(`one-hot labels have ${yTrain.oneHotClasses} classes in training and ${yTest.oneHotClasses} in test`, file);
  }
  return {
    name,
    xTrain,
    yTrain: yTrain.labels,
    xTest,
    yTest: yTest.labels,
    sampleShape,
    classes: classCount([yTrain.labels, yTest.labels], yTrain.oneHotClasses ?? yTest.oneHotClasses),
  };
}

/** Keeps the first 85% for training and the last 15% as the test split. */
export function holdOut(name: string, file: string, x: Float32Array, y: Int32Array, sampleShape: number[], oneHotClasses: number | null): Dataset {
  const n = y.length;
  if (n < 2) throw new UserError(`the data has ${n} sample${n === 1 ? '' : 's'}; at least 2 are needed to hold out a test split`, file);
  const nTest = Math.max(1, Math.round(n * HOLDOUT_FRACTION));
  const nTrain = n - nTest;
  const per = sampleShape.reduce((a, b) => a * b, 1);
  return {
    name,
    xTrain: x.subarray(0, nTrain * per),
    yTrain: y.subarray(0, nTrain),
    xTest: x.subarray(nTrain * per, n * per),
    yTest: y.subarray(nTrain, n),
    sampleShape,
    classes: classCount([y], oneHotClasses),
  };
}

function classCount(labelSets: Int32Array[], oneHotClasses: number | null): number {
  if (oneHotClasses !== null) return oneHotClasses;
  let max = -1;
  for (const set of labelSets) for (const v of set) if (v > max) max = v;
  return max + 1;
}
