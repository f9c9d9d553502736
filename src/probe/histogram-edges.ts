/**
 * Fixed histogram edges per layer, chosen once from the first probe so every later histogram of
 * that layer uses the same bins (values outside land in underflow/overflow, never in a moved bin).
 */
export const HISTOGRAM_BINS = 64;

/** Known output ranges; others are taken from the first probe with headroom for growth. */
export function histogramRange(
  activation: string,
  alpha: number | null,
  min0: number,
  max0: number,
): [number, number] {
  switch (activation) {
    case 'softmax':
    case 'sigmoid':
    case 'hard_sigmoid':
      return [0, 1];
    case 'tanh':
    case 'softsign':
      return [-1, 1];
    case 'relu6':
      return [0, 6];
  }
  const finiteMin = Number.isFinite(min0) ? min0 : 0;
  const finiteMax = Number.isFinite(max0) ? max0 : 1;
  // Training usually grows activations: leave 2× headroom above the first maximum.
  const hi = finiteMax > 0 ? niceCeil(2 * finiteMax) : 1;
  let lo: number;
  if (activation === 'relu' || activation === 'thresholded_relu') lo = 0;
  else if ((activation === 'elu' || activation === 'selu') && alpha !== null) lo = -alpha * 1.0625;
  else lo = finiteMin >= 0 ? 0 : -niceCeil(-2 * finiteMin);
  return [lo, hi > lo ? hi : lo + 1];
}

/** Rounds up to 1, 2 or 5 × a power of ten, so edges read well. */
export function niceCeil(x: number): number {
  if (x <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

export function edgesFor(lo: number, hi: number, bins = HISTOGRAM_BINS): number[] {
  const w = (hi - lo) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => lo + i * w);
}
