/**
 * The histogram rule shared by the engine, the dashboard and the live taps (which implement the
 * same rule in Python, python/activation_lens/histogram.py): B equal bins [e_i, e_{i+1}) with edges
 * e_i = lo + i·w. A layer's range is chosen at its first probe and afterwards only ever DOUBLES
 * towards the side a value fell out of, so each new edge is an old edge and every earlier histogram
 * re-bins exactly onto the newest edges (counts are summed, never estimated). Finite values are
 * therefore always inside the range; `underflow` / `overflow` count only −∞ / +∞ (NaN is counted
 * only as non-finite).
 *
 * A bounded activation's known range is CLOSED: its last bin is [e_63, hi], so the bound itself —
 * relu6 outputs of exactly 6, sigmoid/softmax 1.0, tanh ±1.0, all common — stays in it instead of
 * doubling the range. Every other range, a doubled one included, is half-open. Binning is exact in
 * both engines: by comparison with the edges (`binOf`), which are dyadic and exact in float32.
 *
 * Import-free: the webview imports this file too.
 */

/** Bins per histogram; even, so a doubling merges bins pairwise. */
export const HISTOGRAM_BINS = 64;

/** The smallest starting bin width, 2^MIN_WIDTH_EXPONENT (a layer whose first probe is all zero). */
export const MIN_WIDTH_EXPONENT = -24;

/** Bins [lo + i·width, lo + (i+1)·width) for i = 0 … HISTOGRAM_BINS − 1. */
export interface HistogramRange {
  lo: number;
  width: number;
}

/** The shape of protocol.ts's `Histogram`, restated so this file imports nothing. */
export interface BinnedHistogram {
  edges: number[];
  counts: number[];
  underflow: number;
  overflow: number;
}

export type DoublingDirection = 'above' | 'below';

/**
 * Activations whose output range is known before any data: their first range is that range
 * (closed). The activation table's `range` column says the same; a unit test keeps them equal.
 */
const KNOWN_RANGES: Record<string, HistogramRange> = {
  softmax: { lo: 0, width: 1 / HISTOGRAM_BINS },
  sigmoid: { lo: 0, width: 1 / HISTOGRAM_BINS },
  hard_sigmoid: { lo: 0, width: 1 / HISTOGRAM_BINS },
  tanh: { lo: -1, width: 2 / HISTOGRAM_BINS },
  softsign: { lo: -1, width: 2 / HISTOGRAM_BINS },
  relu6: { lo: 0, width: 6 / HISTOGRAM_BINS },
};

/** The known (closed) range of a bounded activation, or null. */
export function knownRange(activation: string): HistogramRange | null {
  const known = KNOWN_RANGES[activation];
  return known ? { ...known } : null;
}

/** Whether `range` is the known range of `activation`: closed, its last bin holds `hi`. */
export function isClosedRange(activation: string, range: HistogramRange): boolean {
  const known = KNOWN_RANGES[activation];
  return known !== undefined && known.lo === range.lo && known.width === range.width;
}

export function rangeHi(range: HistogramRange, bins = HISTOGRAM_BINS): number {
  return range.lo + bins * range.width;
}

export function rangeEdges(range: HistogramRange, bins = HISTOGRAM_BINS): number[] {
  return Array.from({ length: bins + 1 }, (_, i) => range.lo + i * range.width);
}

/** The range whose edges these are (first edge, equal width). */
export function rangeOfEdges(edges: readonly number[]): HistogramRange {
  const bins = edges.length - 1;
  if (bins < 1) throw new RangeError(`a histogram needs at least 2 edges, got ${edges.length}`);
  const lo = edges[0] as number;
  return { lo, width: ((edges[bins] as number) - lo) / bins };
}

/**
 * A layer's range at its first probe: the known range of a bounded activation, else from the
 * finite min m and max M: lo = 0 when m ≥ 0, else symmetric (lo = −(B/2)·w); w the smallest power
 * of two 2^k (k ≥ −24) that holds every value (m ≥ lo, M < lo + B·w). No finite values → m = M = 0.
 * Callers pass the first probe through `widenRange` as well (closed for a known range), for values
 * beyond a known range (a mislabelled activation).
 */
export function initialRange(
  activation: string,
  _alpha: number | null,
  min: number,
  max: number,
): HistogramRange {
  const known = KNOWN_RANGES[activation];
  if (known) return { ...known };
  const m = Number.isFinite(min) ? min : 0;
  const M = Number.isFinite(max) ? Math.max(max, m) : m;
  const half = HISTOGRAM_BINS / 2;
  const symmetric = m < 0;
  for (let k = MIN_WIDTH_EXPONENT; ; k++) {
    const width = 2 ** k;
    if (!Number.isFinite(width)) throw new RangeError(`no histogram range holds [${min}, ${max}]`);
    const lo = symmetric ? -half * width : 0;
    if (m >= lo && M < lo + HISTOGRAM_BINS * width) return { lo, width };
  }
}

export interface Widening {
  range: HistogramRange;
  doublings: number;
  /** One entry per doubling, in order. */
  directions: DoublingDirection[];
}

/**
 * Widens `range` until the finite values between `min` and `max` fit, by doubling: a value ≥ hi
 * (> hi for a `closed` range) doubles the width keeping lo; a value < lo moves lo down by the old
 * span (B·w) and doubles the width, keeping hi. When both sides overflow the side with the larger
 * excess goes first (above on a tie). A doubled range is half-open. Non-finite min/max (no finite
 * values) never widen.
 */
export function widenRange(range: HistogramRange, min: number, max: number, closed = false): Widening {
  let { lo, width } = range;
  const directions: DoublingDirection[] = [];
  const hasMin = Number.isFinite(min);
  const hasMax = Number.isFinite(max);
  for (;;) {
    const hi = lo + HISTOGRAM_BINS * width;
    const holdsHi = closed && directions.length === 0;
    const below = hasMin && min < lo ? lo - min : -1;
    const above = hasMax && (holdsHi ? max > hi : max >= hi) ? max - hi : -1;
    if (below < 0 && above < 0) break;
    if (!Number.isFinite(hi)) throw new RangeError(`no histogram range holds [${min}, ${max}]`);
    if (above >= below) directions.push('above');
    else {
      directions.push('below');
      lo -= HISTOGRAM_BINS * width;
    }
    width *= 2;
  }
  return { range: { lo, width }, doublings: directions.length, directions };
}

/**
 * The bin holding `value`: the i with e_i ≤ value < e_{i+1}, by comparison with the edges (exact:
 * they are dyadic), `hi` itself in the last bin of a closed range; −1 below the range, B above it.
 * What the device kernels compute (src/probe/statistics.ts; python/activation_lens/statistics_*.py).
 */
export function binOf(value: number, range: HistogramRange, closed = false, bins = HISTOGRAM_BINS): number {
  const hi = rangeHi(range, bins);
  if (value < range.lo) return -1;
  if (closed && value === hi) return bins - 1;
  if (value >= hi) return bins;
  let i = Math.min(bins - 1, Math.max(0, Math.floor((value - range.lo) / range.width)));
  if (value < range.lo + i * range.width) i--;
  else if (value >= range.lo + (i + 1) * range.width) i++;
  return i;
}

/**
 * How the bins of a histogram on `from` land on `to`, when `to` is reached from `from` by n
 * doublings: `from` is then block j (of 2^n, each B·w wide) of `to`, and old bin i lands in new
 * bin ⌊(j·B + i) / 2^n⌋ — the composition of n pairwise merges. Null when `to` is not reachable.
 */
export function doublingsBetween(
  from: readonly number[],
  to: readonly number[],
): { doublings: number; block: number } | null {
  const bins = from.length - 1;
  if (to.length !== from.length || bins < 1) return null;
  const a = rangeOfEdges(from);
  const b = rangeOfEdges(to);
  if (!(a.width > 0) || !(b.width > 0)) return null;
  const ratio = b.width / a.width;
  const doublings = Math.round(Math.log2(ratio));
  if (doublings < 0 || !close(2 ** doublings, ratio)) return null;
  if (doublings > 0 && bins % 2 !== 0) return null;
  const blockFloat = (a.lo - b.lo) / (bins * a.width);
  const block = Math.round(blockFloat);
  if (!close(block, blockFloat) || block < 0 || block >= 2 ** doublings) return null;
  return { doublings, block };
}

/** Re-bins `histogram` exactly onto `targetEdges`; throws when they are not reachable by doublings. */
export function rebin(histogram: BinnedHistogram, targetEdges: readonly number[]): BinnedHistogram {
  const reach = doublingsBetween(histogram.edges, targetEdges);
  if (!reach)
    throw new RangeError(
      `histogram edges [${histogram.edges[0]}, ${histogram.edges.at(-1)}) do not re-bin onto [${targetEdges[0]}, ${targetEdges.at(-1)}) by doubling`,
    );
  const bins = targetEdges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const scale = 2 ** reach.doublings;
  const offset = reach.block * bins;
  for (let i = 0; i < histogram.counts.length; i++)
    counts[Math.floor((offset + i) / scale)]! += histogram.counts[i] as number;
  return {
    edges: [...targetEdges],
    counts,
    underflow: histogram.underflow,
    overflow: histogram.overflow,
  };
}

/** Equal up to float noise in edges that crossed a JSON round trip or were summed in another order. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
