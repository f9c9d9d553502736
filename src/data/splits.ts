/**
 * Train / probe / validation splits. The probe set is a fixed batch of held-out samples, the same
 * at every probe step; validation uses the remaining held-out samples. Neither is ever trained on.
 */
import { UserError } from '../errors';
import { checkShape } from './readers/check-shape';
import type { Dataset, LabelSet } from './readers/dataset';

export interface Split {
  x: Float32Array;
  /** Each label set's values for these samples (`width` per sample), in `Splits.labels` order. */
  targets: Float32Array[];
  count: number;
}

export interface Splits {
  name: string;
  sampleShape: number[];
  /** Classes of the first label set (0 for real values). */
  classes: number;
  /** What each label set is (its values are in each split's `targets`). */
  labels: Omit<LabelSet, 'train' | 'test'>[];
  /** The features are token ids (kept unscaled). */
  tokenIds: boolean;
  /** digits / fashion: class labels only. */
  builtIn: boolean;
  train: Split;
  probe: Split;
  validation: Split;
}

function take(x: Float32Array, sets: LabelSet[], size: number, from: number, count: number): Split {
  return {
    x: x.subarray(from * size, (from + count) * size),
    targets: sets.map((s) => s.test.subarray(from * s.width, (from + count) * s.width)),
    count,
  };
}

/**
 * Reshapes the data to the model's input (equal element counts; one unknown dimension, such as a
 * text model's sequence length, is taken from the data) and splits the held-out part into the probe
 * set (first `probeSize`) and validation (the next up to `maxValidation`). `refusal` says what
 * data the model wants and where its input is defined, for the refusal when the shapes disagree.
 */
export function makeSplits(
  data: Dataset,
  modelInput: (number | null)[],
  probeSize: number,
  maxValidation: number,
  dataFile: string | null,
  refusal: { hint: string; model: string | null; input: { file: string; line: number } | null } | null = null,
): Splits {
  let sampleShape: number[];
  try {
    // With the batch axis, so a leading unknown (a sequence's length) is not taken for it.
    sampleShape = checkShape(data, [null, ...modelInput], dataFile ?? '');
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    // The person's data file is what to change; with bundled data, the model's input line is.
    const input = refusal?.input ?? null;
    throw new UserError(
      `the samples of ${dataFile ? 'the data' : `the bundled ${data.name}`} have shape [${data.sampleShape.join(', ')}] but the model's input${input && dataFile ? ` (line ${input.line} of ${input.file})` : ''} is [${modelInput.map((d) => d ?? 'None').join(', ')}]`,
      dataFile ?? input?.file ?? refusal?.model ?? null,
      dataFile ? null : (input?.line ?? null),
      refusal?.hint ?? 'use data whose samples match the model input, or fix the input shape',
    );
  }
  const dataSize = data.sampleShape.reduce((a, b) => a * b, 1);
  const held = data.xTest.length / dataSize;
  if (held < 2) throw new UserError(`the data has only ${held} held-out samples; the probe set needs more`, dataFile);
  const probeCount = Math.min(probeSize, Math.max(1, Math.floor(held / 2)));
  const validationCount = Math.min(maxValidation, held - probeCount);
  return {
    name: data.name,
    sampleShape,
    classes: data.classes,
    labels: data.labels.map(({ train: _t, test: _s, ...meta }) => meta),
    tokenIds: data.tokenIds === true,
    builtIn: data.builtIn === true,
    train: {
      x: data.xTrain,
      targets: data.labels.map((s) => s.train),
      count: data.xTrain.length / dataSize,
    },
    probe: take(data.xTest, data.labels, dataSize, 0, probeCount),
    validation: take(data.xTest, data.labels, dataSize, probeCount, validationCount),
  };
}

/** A split holding every held-out sample (the seed grid's test set). */
export function testSplit(data: Dataset): Split {
  const size = data.sampleShape.reduce((a, b) => a * b, 1);
  return { x: data.xTest, targets: data.labels.map((s) => s.test), count: data.xTest.length / size };
}
