/**
 * Per-layer activation statistics, computed on the device in one fused pass per layer. Only small
 * summaries (per-unit counts, a 64-bin histogram, a few scalars) are read back — in one `data()`
 * call for the whole probe, so a GPU backend stalls once per probe, not once per statistic.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { LayerProbe, UnitSet } from '../protocol';
import { CAN_DIE } from '../model/activation-families';
import type { Tap } from './taps';
import { HISTOGRAM_BINS, edgesFor } from './histogram-edges';

export const SATURATION_TOLERANCE = 0.01;
const SCALARS = 7;

export interface ProbeOptions {
  step: number;
  /** Per tapped layer, the fixed histogram range [lo, hi). */
  ranges: [number, number][];
  dormantTau: number;
}

function unitSet(indices: number[], units: number): UnitSet {
  return { count: indices.length, fraction: units ? indices.length / units : 0, units: indices };
}

/**
 * Builds the packed summary tensor for one layer output (run inside tidy). Costs ~25 elementwise
 * passes, most of a probe's time: non-finite values are zeroed once (`clean`) and every count is
 * taken from that, the histogram's underflow rides in an extra bin 0, and exact min/max over
 * finite values are recomputed only for the rare layer that has non-finite values.
 */
function summarise(tf: Tf, output: tfType.Tensor, tap: Tap, lo: number, hi: number): tfType.Tensor1D {
  const flat = output.reshape([-1, tap.units]);
  const finite = tf.isFinite(flat);
  const clean = tf.where(finite, flat, tf.zerosLike(flat));
  const parts: tfType.Tensor[] = [clean.greater(0).cast('float32').sum(0), clean.abs().sum(0)];
  if (tap.alpha !== null) {
    // −α(1 − tol) < 0, so a zeroed non-finite value never counts as saturated.
    parts.push(
      clean
        .lessEqual(-tap.alpha * (1 - SATURATION_TOLERANCE))
        .cast('float32')
        .sum(0),
    );
  }
  // Bins 1..B hold [lo, hi) (the last also takes values that round up to B), bin 0 the underflow;
  // everything ≥ hi is clipped into bin B and taken back out with the exact overflow count.
  const index = clean
    .sub(lo)
    .div((hi - lo) / HISTOGRAM_BINS)
    .floor()
    .add(1)
    .clipByValue(0, HISTOGRAM_BINS)
    .cast('int32')
    .reshape([-1]);
  parts.push(tf.bincount(index as tfType.Tensor1D, tf.tensor1d([], 'float32'), HISTOGRAM_BINS + 1));
  const count = (t: tfType.Tensor) => t.cast('float32').sum();
  parts.push(
    tf.stack([
      clean.sum(),
      clean.square().sum(),
      clean.min(),
      clean.max(),
      count(clean.lessEqual(0)),
      count(finite),
      count(clean.greaterEqual(hi)),
    ]),
  );
  return tf.concat(parts.map((p) => p.reshape([-1]))) as tfType.Tensor1D;
}

/** The bin (0 = underflow) that a zeroed non-finite value fell into, in float32 as the device computed it. */
function binOfZero(lo: number, hi: number): number {
  const f = Math.fround;
  const width = f((hi - lo) / HISTOGRAM_BINS);
  return Math.min(HISTOGRAM_BINS, Math.max(0, Math.floor(f(f(0 - lo) / width)) + 1));
}

/** Exact min/max over the finite values of one output (only for layers with non-finite values). */
async function finiteRange(tf: Tf, output: tfType.Tensor): Promise<[number, number]> {
  const packed = tf.tidy(() => {
    const finite = tf.isFinite(output);
    return tf.stack([
      tf.where(finite, output, tf.fill(output.shape, Infinity)).min(),
      tf.where(finite, output, tf.fill(output.shape, -Infinity)).max(),
    ]);
  });
  const v = await packed.data();
  packed.dispose();
  return [v[0]!, v[1]!];
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
  const take = (n: number) => {
    const slice = values.subarray(offset, offset + n);
    offset += n;
    return slice;
  };
  const probes = taps.map((tap, i): LayerProbe => {
    const output = outputs[i]!;
    const [lo, hi] = options.ranges[i]!;
    const C = tap.units;
    const observations = output.size / C;
    const fire = take(C);
    const absSum = take(C);
    const saturatedCount = tap.alpha !== null ? take(C) : null;
    const bins = Array.from(take(HISTOGRAM_BINS + 1));
    const [sum, sumSq, min, max, nonPositiveOrZeroed, finiteCount, over] = Array.from(take(SCALARS)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const nonFinite = output.size - finiteCount;
    // Zeroed non-finite values sit in the bin of 0; values ≥ hi were clipped into the last bin.
    bins[binOfZero(lo, hi)]! -= nonFinite;
    bins[HISTOGRAM_BINS]! -= over;
    const underflow = bins[0]!;
    const counts = bins.slice(1);
    const mean = finiteCount ? sum / finiteCount : NaN;
    const variance = finiteCount ? Math.max(0, sumSq / finiteCount - mean * mean) : NaN;
    const unitMeanAbs = Array.from(absSum, (x) => x / observations);
    const layerMeanAbs = unitMeanAbs.reduce((a, b) => a + b, 0) / C;
    const dead: number[] = [];
    const dormant: number[] = [];
    const saturated: number[] = [];
    for (let u = 0; u < C; u++) {
      if (CAN_DIE.has(tap.activation) && fire[u] === 0) dead.push(u);
      if (unitMeanAbs[u]! < options.dormantTau * layerMeanAbs || layerMeanAbs === 0) dormant.push(u);
      if (saturatedCount && saturatedCount[u] === observations) saturated.push(u);
    }
    return {
      layer: tap.name,
      step: options.step,
      units: C,
      observationsPerUnit: observations,
      fireCount: Array.from(fire),
      dead: unitSet(dead, C),
      dormant: unitSet(dormant, C),
      saturated: saturatedCount ? unitSet(saturated, C) : null,
      sparsity: output.size ? (nonPositiveOrZeroed - nonFinite) / output.size : 0,
      mean,
      std: Math.sqrt(variance),
      min: finiteCount ? min : NaN,
      max: finiteCount ? max : NaN,
      meanAbs: layerMeanAbs,
      histogram: { edges: edgesFor(lo, hi), counts, underflow, overflow: over },
      nonFinite,
    };
  });
  // min/max above treat non-finite values as 0: recompute them exactly where any exist.
  for (const [i, probe] of probes.entries()) {
    if (probe.nonFinite > 0 && probe.nonFinite < outputs[i]!.size)
      [probe.min, probe.max] = await finiteRange(tf, outputs[i]!);
  }
  return probes;
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
