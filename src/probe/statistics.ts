/**
 * Per-layer activation statistics, computed on the device in one fused pass per layer. Only small
 * summaries (per-unit counts, a 64-bin histogram, a few scalars) are read back — in one `data()`
 * call for the whole probe, so a GPU backend stalls once per probe, not once per statistic.
 *
 * Histogram ranges follow src/histogram.ts: after the fused pass, a layer whose finite min/max fell
 * outside its range is widened by doubling and only its histogram is binned again (one more small
 * pass, batched over such layers; rare once a run's activations have settled).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { LayerProbe, UnitSet } from '../protocol';
import { CAN_DIE } from '../model/activation-families';
import type { Tap } from './taps';
import {
  HISTOGRAM_BINS,
  binOf,
  initialRange,
  isClosedRange,
  rangeEdges,
  widenRange,
  type HistogramRange,
} from '../histogram';

export const SATURATION_TOLERANCE = 0.01;
const SCALARS = 6;

export interface ProbeOptions {
  step: number;
  /**
   * Per tapped layer, its histogram range from the previous probe (read it back from that probe's
   * edges with `rangeOfEdges`), or null at its first probe.
   */
  ranges: (HistogramRange | null)[];
  dormantTau: number;
}

function unitSet(indices: number[], units: number): UnitSet {
  return { count: indices.length, fraction: units ? indices.length / units : 0, units: indices };
}

/** Non-finite values zeroed, so every count and sum below can run without masks. */
function cleaned(tf: Tf, output: tfType.Tensor, tap: Tap): { clean: tfType.Tensor2D; finite: tfType.Tensor } {
  const flat = output.reshape([-1, tap.units]) as tfType.Tensor2D;
  const finite = tf.isFinite(flat);
  return { clean: tf.where(finite, flat, tf.zerosLike(flat)), finite };
}

const isPowerOfTwo = (x: number) => x > 0 && 2 ** Math.round(Math.log2(x)) === x;

/**
 * Each value's bin, exactly as `binOf` (src/histogram.ts) and the live taps' kernels compute it
 * (inside tidy). With w = 2^k and lo/w an integer, v · 2^−k is exact in float32 and so is its floor.
 * Otherwise (relu6's 3·2^k widths, lo/w not an integer after doublings below) floor((v − lo)/w) is
 * only an estimate — float32 rounding puts values within an ulp of an edge in the neighbouring
 * bin — so it is corrected once against the edges, which are exact in float32. Indices are clipped
 * into [0, B): the caller widens first, so only `hi` of a closed range reaches the clip.
 */
function binIndex(tf: Tf, clean: tfType.Tensor, range: HistogramRange): tfType.Tensor {
  const { lo, width } = range;
  const offset = lo / width;
  let bin: tfType.Tensor;
  if (isPowerOfTwo(width) && Number.isInteger(offset)) {
    bin = clean
      .mul(1 / width)
      .floor()
      .sub(offset);
  } else {
    const estimate = clean.sub(lo).div(width).floor().clipByValue(-1, HISTOGRAM_BINS);
    const edge = estimate.mul(width).add(lo);
    bin = estimate
      .sub(clean.less(edge).cast('float32'))
      .add(clean.greaterEqual(edge.add(width)).cast('float32'));
  }
  return tf.clipByValue(bin, 0, HISTOGRAM_BINS - 1);
}

/** Bin counts of `clean` over `range` (inside tidy). Zeroed non-finite values sit in the bin of 0. */
function binCounts(tf: Tf, clean: tfType.Tensor, range: HistogramRange): tfType.Tensor1D {
  const index = binIndex(tf, clean, range).cast('int32').reshape([-1]);
  return tf.bincount(index as tfType.Tensor1D, tf.tensor1d([], 'float32'), HISTOGRAM_BINS);
}

/**
 * Builds the packed summary tensor for one layer output (run inside tidy). Costs ~20 elementwise
 * passes, most of a probe's time: non-finite values are zeroed once (`clean`) and every count is
 * taken from that; exact min/max over finite values are recomputed only for the rare layer that
 * has non-finite values.
 */
function summarise(tf: Tf, output: tfType.Tensor, tap: Tap, range: HistogramRange): tfType.Tensor1D {
  const { clean, finite } = cleaned(tf, output, tap);
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
  parts.push(binCounts(tf, clean, range));
  const count = (t: tfType.Tensor) => t.cast('float32').sum();
  parts.push(
    tf.stack([
      clean.sum(),
      clean.square().sum(),
      clean.min(),
      clean.max(),
      count(clean.lessEqual(0)),
      count(finite),
    ]),
  );
  return tf.concat(parts.map((p) => p.reshape([-1]))) as tfType.Tensor1D;
}

/** The bin that a zeroed non-finite value fell into (0 is inside every range). */
function binOfZero(range: HistogramRange): number {
  return binOf(0, range);
}

interface NonFiniteDetail {
  min: number;
  max: number;
  negInf: number;
  posInf: number;
  /** Per unit: how many of its observations were NaN or ±Inf. */
  unitNonFinite: Float32Array;
}

/**
 * Exact finite min/max, the −∞ / +∞ counts and each unit's non-finite count of each output (only
 * layers with non-finite values), in one readback.
 */
async function nonFiniteDetails(tf: Tf, outputs: tfType.Tensor[], taps: Tap[]): Promise<NonFiniteDetail[]> {
  if (outputs.length === 0) return [];
  const packed = tf.tidy(() =>
    tf.concat(
      outputs.map((output, i) => {
        const finite = tf.isFinite(output);
        const count = (t: tfType.Tensor) => t.cast('float32').sum();
        const scalars = tf.stack([
          tf.where(finite, output, tf.fill(output.shape, Infinity)).min(),
          tf.where(finite, output, tf.fill(output.shape, -Infinity)).max(),
          count(output.equal(-Infinity)),
          count(output.equal(Infinity)),
        ]);
        const perUnit = tf.logicalNot(finite).cast('float32').reshape([-1, taps[i]!.units]).sum(0);
        return tf.concat([scalars, perUnit]);
      }),
    ),
  );
  const v = await packed.data();
  packed.dispose();
  let offset = 0;
  return outputs.map((_, i) => {
    const units = taps[i]!.units;
    const [min, max, negInf, posInf] = Array.from(v.subarray(offset, offset + 4)) as [
      number,
      number,
      number,
      number,
    ];
    const unitNonFinite = Float32Array.from(v.subarray(offset + 4, offset + 4 + units));
    offset += 4 + units;
    return { min, max, negInf, posInf, unitNonFinite };
  });
}

/** Bins the given layers again at their widened ranges: one small pass, one readback. */
async function rebinnedCounts(
  tf: Tf,
  outputs: tfType.Tensor[],
  taps: Tap[],
  ranges: HistogramRange[],
): Promise<Float32Array> {
  const packed = tf.tidy(() =>
    tf.concat(outputs.map((o, i) => binCounts(tf, cleaned(tf, o, taps[i]!).clean, ranges[i]!))),
  );
  const v = (await packed.data()) as Float32Array;
  packed.dispose();
  return v;
}

/** Computes every tapped layer's summary from the tap model's outputs; disposes nothing it did not make. */
export async function summariseProbe(
  tf: Tf,
  outputs: tfType.Tensor[],
  taps: Tap[],
  options: ProbeOptions,
): Promise<LayerProbe[]> {
  // Before a layer's first probe its range is unknown: bin into the first guess the rule allows
  // (exact for bounded activations) and bin again below once the min/max are known.
  const binned = taps.map((tap, i) => options.ranges[i] ?? initialRange(tap.activation, tap.alpha, 0, 0));
  const packed = tf.tidy(() => tf.concat(outputs.map((o, i) => summarise(tf, o, taps[i]!, binned[i]!))));
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
    const C = tap.units;
    const observations = output.size / C;
    const fire = take(C);
    const absSum = take(C);
    const saturatedCount = tap.alpha !== null ? take(C) : null;
    const counts = Array.from(take(HISTOGRAM_BINS));
    const [sum, sumSq, min, max, nonPositiveOrZeroed, finiteCount] = Array.from(take(SCALARS)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const nonFinite = output.size - finiteCount;
    counts[binOfZero(binned[i]!)]! -= nonFinite;
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
      histogram: { edges: rangeEdges(binned[i]!), counts, underflow: 0, overflow: 0 },
      nonFinite,
    };
  });

  // min/max above treat non-finite values as 0: recompute them exactly where any exist, with the
  // −∞ / +∞ counts that are all under/overflow now holds.
  const withNonFinite = probes.flatMap((p, i) => (p.nonFinite > 0 ? [i] : []));
  const details = await nonFiniteDetails(
    tf,
    withNonFinite.map((i) => outputs[i]!),
    withNonFinite.map((i) => taps[i]!),
  );
  withNonFinite.forEach((i, k) => {
    const { min, max, negInf, posInf, unitNonFinite } = details[k]!;
    const p = probes[i]!;
    if (p.nonFinite < outputs[i]!.size) [p.min, p.max] = [min, max];
    p.histogram.underflow = negInf;
    p.histogram.overflow = posInf;
    // A unit with NaN/Inf outputs never fired 0 of N "for real": its zeroed values are not ≤ 0, so it
    // is neither dead nor dormant (its fire count still counts only finite outputs > 0).
    const measurable = (u: number) => unitNonFinite[u] === 0;
    p.dead = unitSet(p.dead.units.filter(measurable), p.units);
    p.dormant = unitSet(p.dormant.units.filter(measurable), p.units);
  });

  // The rule: a first probe starts from its min/max; any range that no longer holds every finite
  // value doubles until it does, and only those layers are binned again.
  const settled = probes.map((p, i) => {
    const tap = taps[i]!;
    const start = options.ranges[i] ?? initialRange(tap.activation, tap.alpha, p.min, p.max);
    return widenRange(start, p.min, p.max, isClosedRange(tap.activation, start)).range;
  });
  const moved = settled.flatMap((r, i) =>
    r.lo !== binned[i]!.lo || r.width !== binned[i]!.width ? [i] : [],
  );
  if (moved.length > 0) {
    const counts = await rebinnedCounts(
      tf,
      moved.map((i) => outputs[i]!),
      moved.map((i) => taps[i]!),
      moved.map((i) => settled[i]!),
    );
    moved.forEach((i, k) => {
      const p = probes[i]!;
      const bins = Array.from(counts.subarray(k * HISTOGRAM_BINS, (k + 1) * HISTOGRAM_BINS));
      bins[binOfZero(settled[i]!)]! -= p.nonFinite;
      p.histogram = { ...p.histogram, edges: rangeEdges(settled[i]!), counts: bins };
    });
  }
  return probes;
}
