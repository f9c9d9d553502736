/**
 * Train / probe / validation splits. The probe set is a fixed batch of held-out samples, the same
 * at every probe step; validation uses the remaining held-out samples. Neither is ever trained on.
 */
import { UserError } from '../errors';
import type { Dataset } from './readers/dataset';

export interface Split {
  x: Float32Array;
  y: Int32Array;
  count: number;
}

export interface Splits {
  name: string;
  sampleShape: number[];
  classes: number;
  train: Split;
  probe: Split;
  validation: Split;
}

function take(x: Float32Array, y: Int32Array, size: number, from: number, count: number): Split {
  return { x: x.subarray(from * size, (from + count) * size), y: y.subarray(from, from + count), count };
}

/**
 * Reshapes the data to the model's input (equal element counts only) and splits the held-out part
 * into the probe set (first `probeSize`) and validation (the next up to `maxValidation`).
 */
export function makeSplits(
  data: Dataset,
  modelInput: (number | null)[],
  probeSize: number,
  maxValidation: number,
  dataFile: string | null,
): Splits {
  const modelShape = modelInput.map((d) => d ?? -1);
  const modelSize = modelShape.reduce((a, b) => a * b, 1);
  const dataSize = data.sampleShape.reduce((a, b) => a * b, 1);
  if (modelShape.some((d) => d < 0) || modelSize !== dataSize) {
    throw new UserError(
      `the data's samples have shape [${data.sampleShape.join(', ')}] but the model's input is [${modelInput.map((d) => d ?? 'None').join(', ')}]`,
      dataFile,
      null,
      'use data whose samples match the model input, or fix the input shape',
    );
  }
  const held = data.yTest.length;
  if (held < 2) throw new UserError(`the data has only ${held} held-out samples; the probe set needs more`, dataFile);
  const probeCount = Math.min(probeSize, Math.max(1, Math.floor(held / 2)));
  const validationCount = Math.min(maxValidation, held - probeCount);
  return {
    name: data.name,
    sampleShape: modelShape,
    classes: data.classes,
    train: { x: data.xTrain, y: data.yTrain, count: data.yTrain.length },
    probe: take(data.xTest, data.yTest, dataSize, 0, probeCount),
    validation: take(data.xTest, data.yTest, dataSize, probeCount, validationCount),
  };
}
