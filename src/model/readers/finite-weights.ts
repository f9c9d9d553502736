/**
 * Saved weights must be finite: a NaN or ±Infinity in a weight makes every activation downstream
 * NaN, which would read as "dead" units; it comes from a damaged file or a run that had diverged.
 */
import { UserError } from '../../errors';
import type { NamedWeight } from '../spec';

export function checkFiniteWeights(weights: readonly NamedWeight[], file: string): void {
  for (const w of weights) {
    const values = w.values;
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i]!)) continue;
      throw new UserError(
        `weight '${w.name}' holds ${values[i]} (value ${i} of shape [${w.shape.join(', ')}])`,
        file,
        null,
        'the saved weights are damaged, or training had diverged when they were saved; save the model from before that point',
      );
    }
  }
}
