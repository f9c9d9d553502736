/** Synthetic class-labelled data as a Dataset, split by the engine's own makeSplits. */
import type { Dataset } from '../../src/data/readers/dataset';
import { makeSplits, type Splits } from '../../src/data/splits';

/**
 * `x` holds `y.length` samples of `sampleShape`; the first `train` samples train, the next `probe`
 * are the probe set and the rest (up to `validation`) validate.
 */
export function classSplits(
  name: string,
  x: Float32Array,
  y: Int32Array,
  sampleShape: number[],
  counts: { train: number; probe: number; validation: number },
): Splits {
  const per = sampleShape.reduce((a, b) => a * b, 1);
  const n = counts.train;
  const classes = Math.max(...y) + 1;
  const held = y.length - n;
  const data: Dataset = {
    name,
    xTrain: x.subarray(0, n * per),
    xTest: x.subarray(n * per),
    yTrain: y.subarray(0, n),
    yTest: y.subarray(n),
    sampleShape,
    classes,
    labels: [
      {
        output: null,
        form: 'index',
        width: 1,
        train: Float32Array.from(y.subarray(0, n)),
        test: Float32Array.from(y.subarray(n)),
        what: `${name} labels`,
      },
    ],
  };
  if (held < counts.probe + counts.validation) throw new Error('not enough held-out samples');
  return makeSplits(data, sampleShape, counts.probe, counts.validation, null);
}
