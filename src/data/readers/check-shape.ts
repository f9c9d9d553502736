/**
 * Fits data samples to a model's input: [28, 28] digits feed a [28, 28, 1] CNN or a [784] MLP
 * unchanged, because samples are stored flat and only the element count has to agree. Anything
 * else is a UserError naming the data file, the data's sample shape and the model's input shape.
 */
import { UserError } from '../../errors';
import type { Dataset } from './dataset';

/**
 * The per-sample shape to feed the model. `modelInputShape` is the model's input shape without
 * the batch dimension, or `model.inputs[0].shape` with it (a leading null is taken as the batch
 * dimension). One other null dimension is inferred from the element count.
 */
export function checkShape(ds: Dataset, modelInputShape: readonly (number | null)[], file: string): number[] {
  const wanted = modelInputShape.length >= 2 && modelInputShape[0] === null ? modelInputShape.slice(1) : [...modelInputShape];
  const perSample = ds.sampleShape.reduce((a, b) => a * b, 1);
  const known = wanted.reduce<number>((a, b) => a * (b ?? 1), 1);
  const unknown = wanted.filter((d) => d === null).length;
  const fail = (why: string): UserError =>
    new UserError(
      `the data's samples have shape [${ds.sampleShape.join(', ')}] (${perSample} values) but the model's input is [${wanted.map((d) => d ?? '?').join(', ')}]${why}`,
      file,
      null,
      "pass data whose samples match the model's input shape, or change the model's input shape",
    );
  if (unknown === 0) {
    if (known !== perSample) throw fail(` (${known} values)`);
    return wanted as number[];
  }
  if (unknown === 1) {
    if (known === 0 || perSample % known !== 0) throw fail('');
    return wanted.map((d) => d ?? perSample / known);
  }
  // Several free dimensions: only data of the same rank whose fixed dimensions agree fits.
  if (ds.sampleShape.length === wanted.length && wanted.every((d, i) => d === null || d === ds.sampleShape[i])) return [...ds.sampleShape];
  throw fail('');
}

/** The dataset with `sampleShape` set to what the model takes (the flat data is shared). */
export function reshapeForModel(ds: Dataset, modelInputShape: readonly (number | null)[], file: string): Dataset {
  return { ...ds, sampleShape: checkShape(ds, modelInputShape, file) };
}
