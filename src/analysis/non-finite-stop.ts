/**
 * The arm runner's stop on NaN / ±Inf: where it was seen (the training loss, or a probe) and, once
 * training has stopped, what caused it (src/probe/non-finite-origin.ts).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { NonFiniteFault } from '../advisor/run-fault';
import type { Tf } from '../backend/tf';
import type { Splits } from '../data/splits';
import { describeOrigin, diagnoseNonFinite } from '../probe/non-finite-origin';

export interface NonFiniteStop {
  step: number;
  trigger: 'loss' | 'probe';
}

export async function diagnoseStop(
  tf: Tf,
  model: tfType.LayersModel,
  splits: Splits,
  stop: NonFiniteStop,
): Promise<NonFiniteFault> {
  const origin = await diagnoseNonFinite(tf, model, {
    probe: splits.probe.x,
    train: splits.train.x,
    sampleShape: splits.sampleShape,
  });
  return { ...stop, origin };
}

/** One line for the log: what went non-finite, when, and where it came from. */
export function describeStop(fault: NonFiniteFault): string {
  const what =
    fault.trigger === 'loss'
      ? `the loss became NaN/Inf at step ${fault.step}`
      : `NaN/Inf on the probe set at step ${fault.step}`;
  return `${what}; it came from ${describeOrigin(fault.origin)}`;
}
