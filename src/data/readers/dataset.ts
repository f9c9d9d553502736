/** A labelled dataset in memory, as every data source produces it. */
export interface Dataset {
  name: string;
  /** Samples, row-major, each `sampleShape` elements; values scaled to [0, 1] for uint8 sources. */
  xTrain: Float32Array;
  xTest: Float32Array;
  /** Class index per sample of the first label set (its stored index, or a one-hot row's argmax); empty when it holds real values. */
  yTrain: Int32Array;
  yTest: Int32Array;
  /** Shape of one sample, e.g. [28, 28] or [28, 28, 1] or [784]. */
  sampleShape: number[];
  /** Classes of the first label set (one-hot width, else the largest index + 1); 0 for real values. */
  classes: number;
  /**
   * The labels as stored, one set per model output (several only for a multi-output .npz). Their
   * meaning depends on the model's output, so they are checked against it before step 0
   * (src/training/label-check.ts), not here.
   */
  labels: LabelSet[];
  /** The features are integer token ids kept as stored (an Embedding's input), not scaled. */
  tokenIds?: boolean;
  /** digits / fashion: class labels shipped with the extension, never regression targets. */
  builtIn?: boolean;
}

export interface LabelSet {
  /** The model output this set is for (`y_train_price` → "price"); null for the one `y_train`. */
  output: string | null;
  /**
   * index: one non-negative integer per sample; distribution: rows of `width` non-negative values
   * summing to 1 (one-hot rows, or soft labels); values: anything else (regression targets).
   */
  form: 'index' | 'distribution' | 'values';
  /** Values per sample (1 for indices). */
  width: number;
  train: Float32Array;
  test: Float32Array;
  /** Where the set came from, for messages: "y_train.npy in data.npz". */
  what: string;
}

/** Samples in a set of labels. */
export function labelCount(set: LabelSet, part: 'train' | 'test'): number {
  return set[part].length / set.width;
}
