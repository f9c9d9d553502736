/** A labelled image/feature dataset in memory, as every data source produces it. */
export interface Dataset {
  name: string;
  /** Samples, row-major, each `sampleShape` elements; values scaled to [0, 1] for uint8 sources. */
  xTrain: Float32Array;
  yTrain: Int32Array;
  xTest: Float32Array;
  yTest: Int32Array;
  /** Shape of one sample, e.g. [28, 28] or [28, 28, 1] or [784]. */
  sampleShape: number[];
  classes: number;
}
