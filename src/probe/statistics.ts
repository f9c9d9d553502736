/**
 * Per-layer activation statistics, computed on the device in one fused pass per layer. Only small
 * summaries (per-unit counts, a 64-bin histogram, a few scalars) are read back — in one `data()`
 * call for the whole probe, so a GPU backend stalls once per probe, not once per statistic.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { LayerProbe, UnitSet } from '../protocol';
import { CAN_DIE, type Tap } from './taps';
import { HISTOGRAM_BINS, edgesFor } from './histogram-edges';

export const SATURATION_TOLERANCE = 0.01;
const SCALARS = 8;

export interface ProbeOptions {
  step: number;
  /** Per tapped layer, the fixed histogram range [lo, hi). */
  ranges: [number, number][];
  dormantTau: number;
}

function unitSet(indices: number[], units: number): UnitSet {
  return { count: indices.length, fraction: units ? indices.length / units : 0, units: indices };
}

/** Builds the packed summary tensor for one layer output (caller disposes / runs inside tidy). */
function summarise(tf: Tf, output: tfType.Tensor, tap: Tap, lo: number, hi: number): tfType.Tensor1D {
  const flat = output.reshape([-1, tap.units]);
  const finite = tf.isFinite(flat);
  const clean = tf.where(finite, flat, tf.zerosLike(flat));
  const fire = clean.greater(0).cast('float32').sum(0);
  const absSum = clean.abs().sum(0);
  const parts: tfType.Tensor[] = [fire, absSum];
  if (tap.alpha !== null) {
    const threshold = -tap.alpha * (1 - SATURATION_TOLERANCE);
    // logicalAnd, not where() on booleans: the latter corrupts memory on the wasm backend (4.22).
    parts.push(tf.logicalAnd(finite, flat.lessEqual(threshold)).cast('float32').sum(0));
  }
  // Non-finite values are parked below the range so they never land in a bin.
  const binned = tf.where(finite, flat, tf.fill(flat.shape, lo - 1));
  const width = (hi - lo) / HISTOGRAM_BINS;
  const index = binned
    .sub(lo)
    .div(width)
    .floor()
    .clipByValue(0, HISTOGRAM_BINS - 1)
    .cast('int32')
    .reshape([-1]);
  parts.push(
    tf.bincount(index as tfType.Tensor1D, tf.tensor1d([], 'float32'), HISTOGRAM_BINS).cast('float32'),
  );
  const count = (t: tfType.Tensor) => t.cast('float32').sum();
  parts.push(
    tf.stack([
      clean.sum(),
      clean.square().sum(),
      tf.where(finite, flat, tf.fill(flat.shape, Infinity)).min(),
      tf.where(finite, flat, tf.fill(flat.shape, -Infinity)).max(),
      count(tf.logicalAnd(finite, flat.lessEqual(0))),
      count(tf.logicalNot(finite)),
      count(binned.less(lo)),
      count(binned.greaterEqual(hi)),
    ]),
  );
  return tf.concat(parts.map((p) => p.reshape([-1]))) as tfType.Tensor1D;
}

/** Computes every tapped layer's summary from the tap model's outputs; disposes nothing it did not make. */
export async function summariseProbe(
  tf: Tf,
  outputs: tfType.Tensor[],
  taps: Tap[],
  options: ProbeOptions,
): Promise<LayerProbe[]> {
  const packed = tf.tidy(() =>
    tf.concat(outputs.map((o, i) => summarise(tf, o, taps[i]!, ...options.ranges[i]!))),
  );
  const values = await packed.data();
  packed.dispose();
  let offset = 0;
  return taps.map((tap, i) => {
    const output = outputs[i]!;
    const C = tap.units;
    const observations = output.size / C;
    const take = (n: number) => {
      const slice = values.subarray(offset, offset + n);
      offset += n;
      return slice;
    };
    const fire = take(C);
    const absSum = take(C);
    const saturatedCount = tap.alpha !== null ? take(C) : null;
    const counts = Array.from(take(HISTOGRAM_BINS));
    const [sum, sumSq, min, max, nonPositive, nonFinite, under, over] = Array.from(
      take(SCALARS),
    ) as number[] as [number, number, number, number, number, number, number, number];
    // Edge bins received the clipped out-of-range values: take them back out.
    counts[0]! -= under!;
    counts[HISTOGRAM_BINS - 1]! -= over!;
    const finiteCount = output.size - nonFinite;
    const mean = finiteCount ? sum / finiteCount : NaN;
    const variance = finiteCount ? Math.max(0, sumSq / finiteCount - mean * mean) : NaN;
    const unitMeanAbs = Array.from(absSum, (s) => s / observations);
    const layerMeanAbs = unitMeanAbs.reduce((a, b) => a + b, 0) / C;
    const dead: number[] = [];
    const dormant: number[] = [];
    const saturated: number[] = [];
    for (let u = 0; u < C; u++) {
      if (CAN_DIE.has(tap.activation) && fire[u] === 0) dead.push(u);
      if (unitMeanAbs[u]! < options.dormantTau * layerMeanAbs || layerMeanAbs === 0) dormant.push(u);
      if (saturatedCount && saturatedCount[u] === observations) saturated.push(u);
    }
    const [lo, hi] = options.ranges[i]!;
    return {
      layer: tap.name,
      step: options.step,
      units: C,
      observationsPerUnit: observations,
      fireCount: Array.from(fire),
      dead: unitSet(dead, C),
      dormant: unitSet(dormant, C),
      saturated: saturatedCount ? unitSet(saturated, C) : null,
      sparsity: output.size ? nonPositive / output.size : 0,
      mean,
      std: Math.sqrt(variance),
      min: finiteCount ? min : NaN,
      max: finiteCount ? max : NaN,
      meanAbs: layerMeanAbs,
      histogram: { edges: edgesFor(lo, hi), counts, underflow: under - nonFinite, overflow: over },
      nonFinite,
    };
  });
}

/** Min and max of each finite output (for choosing histogram edges at the first probe). */
export async function outputRanges(tf: Tf, outputs: tfType.Tensor[]): Promise<[number, number][]> {
  const packed = tf.tidy(() =>
    tf.concat(
      outputs.map((o) => {
        const finite = tf.isFinite(o);
        return tf.stack([
          tf.where(finite, o, tf.fill(o.shape, Infinity)).min(),
          tf.where(finite, o, tf.fill(o.shape, -Infinity)).max(),
        ]);
      }),
    ),
  );
  const v = await packed.data();
  packed.dispose();
  return outputs.map((_, i) => [v[2 * i]!, v[2 * i + 1]!]);
}
