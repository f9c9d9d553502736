/**
 * Units whose statistics say nothing: NaN/Inf among the weights a unit owns (its kernel column or
 * channel, its bias), or in the values an activation layer receives. A unit's own NaN outputs are
 * caught in statistics.ts; these are the NaNs a kernel swallows: wasm's fused Dense+ReLU (and ReLU6
 * and TF.js's ReLU layer) return 0 for a NaN pre-activation, so a unit with a NaN bias would look
 * "dead". It is neither dead nor firing, and the run stops on it like on any non-finite probe.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { LayerProbe, UnitSet } from '../protocol';
import type { Tap } from './taps';

export interface UnitFaults {
  /** Per unit: non-finite values among its own weights and its inputs (activation layers). */
  perUnit: Float32Array;
  /** Non-finite values among the layer's own weights. */
  weights: number;
}

/**
 * The tensor an activation layer (no weights of its own) receives, when it has one input shaped like
 * its output: unit u's input is the previous layer's unit u. Null otherwise.
 */
export function activationInput(tap: Tap): tfType.SymbolicTensor | null {
  if (tap.layer.weights.length > 0) return null;
  try {
    const input = tap.layer.input;
    if (Array.isArray(input)) return null;
    return input.shape[input.shape.length - 1] === tap.units ? input : null;
  } catch {
    // A layer applied at several places has no single input.
    return null;
  }
}

/** Per unit, non-finite values of one weight; a weight not laid out by unit counts for every unit. */
function perUnitOfWeight(tf: Tf, w: tfType.Tensor, units: number): tfType.Tensor {
  const bad = tf.logicalNot(tf.isFinite(w)).cast('float32');
  if (w.shape[w.shape.length - 1] === units) return bad.reshape([-1, units]).sum(0);
  return tf.ones([units]).mul(bad.sum());
}

/**
 * Per tap: its unit faults, or null when every weight it owns and every input it receives is finite.
 * `inputs[i]`: the value tap i received (activation layers), or null. One readback for all taps.
 */
export async function unitFaults(
  tf: Tf,
  taps: Tap[],
  inputs: (tfType.Tensor | null)[],
): Promise<(UnitFaults | null)[]> {
  if (taps.length === 0) return [];
  const packed = tf.tidy(() =>
    tf.concat(
      taps.map((tap, i) => {
        const own = tap.layer.weights.map((w) => perUnitOfWeight(tf, w.read(), tap.units));
        const weights = own.length > 0 ? tf.addN(own) : tf.zeros([tap.units]);
        const input = inputs[i];
        const received = input
          ? tf.logicalNot(tf.isFinite(input)).cast('float32').reshape([-1, tap.units]).sum(0)
          : tf.zeros([tap.units]);
        // The weights' own total, for the stop (a weight spread over every unit counts once here).
        const total = tap.layer.weights.reduce<tfType.Tensor>(
          (sum, w) => sum.add(tf.logicalNot(tf.isFinite(w.read())).cast('float32').sum()),
          tf.scalar(0),
        );
        return tf.concat([weights.add(received), total.reshape([1])]);
      }),
    ),
  );
  const values = await packed.data();
  packed.dispose();
  let offset = 0;
  return taps.map((tap) => {
    const perUnit = Float32Array.from(values.subarray(offset, offset + tap.units));
    const weights = values[offset + tap.units]!;
    offset += tap.units + 1;
    return perUnit.some((x) => x > 0) || weights > 0 ? { perUnit, weights } : null;
  });
}

function without(set: UnitSet, faults: Float32Array, units: number): UnitSet {
  const kept = set.units.filter((u) => faults[u] === 0);
  return { count: kept.length, fraction: units ? kept.length / units : 0, units: kept };
}

/** Units with faults are neither dead nor dormant (their fire counts stay as measured). */
export function excludeFaultyUnits(probe: LayerProbe, faults: UnitFaults | null): LayerProbe {
  if (!faults) return probe;
  return {
    ...probe,
    dead: without(probe.dead, faults.perUnit, probe.units),
    dormant: without(probe.dormant, faults.perUnit, probe.units),
  };
}
