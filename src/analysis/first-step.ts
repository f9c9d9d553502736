/**
 * A run's setup, its step-0 probe and its first training step are where a model TF.js cannot
 * handle fails (the Trainer itself wraps its first step and evaluation). Failures before the first
 * progress event say where (src/training/training-failure.ts); after it, they are left as they are.
 */
import type { ModelSpec } from '../model/spec';
import type { Emit } from '../protocol';
import { explainTrainingFailure } from '../training/training-failure';

export async function untilFirstStep<T>(
  spec: ModelSpec,
  emit: Emit,
  run: (emit: Emit) => Promise<T>,
): Promise<T> {
  let stepped = false;
  let probed = false;
  const watched: Emit = (event) => {
    if (event.type === 'progress') stepped = true;
    if (event.type === 'probe') probed = true;
    emit(event);
  };
  try {
    return await run(watched);
  } catch (e) {
    if (stepped) throw e;
    throw explainTrainingFailure(e, spec, probed ? 'train' : 'set up');
  }
}
