/**
 * Lining up two runs on one step axis for the trend charts: this run's series and another run's
 * (a comparison, drawn as ghost lines) rarely share their steps, so the x values are the union and
 * each series is null where it has no point (the charts span the gaps). Pure (tested without a DOM).
 */

/** One series as step → value. */
export type StepSeries = ReadonlyMap<number, number>;

/** At most `max` points of a long series, evenly spread, the first and last kept. */
export function thinPoints<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  const stride = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * stride)]!);
  return out;
}

/** The sorted union of the series' steps, and each series' values on it (null where absent or NaN). */
export function onUnionOfSteps(series: readonly (StepSeries | null)[]): {
  steps: number[];
  values: (number | null)[][];
} {
  const all = new Set<number>();
  for (const s of series) if (s) for (const step of s.keys()) all.add(step);
  const steps = [...all].sort((a, b) => a - b);
  return {
    steps,
    // NaN (no accuracy: a regression model) is a gap, not a point.
    values: series.map((s) =>
      steps.map((step) => {
        const v = s?.get(step);
        return v === undefined || Number.isNaN(v) ? null : v;
      }),
    ),
  };
}

/** Per-step values as a series: [step, value] pairs (later pairs win on a repeated step). */
export function stepSeries<T>(
  items: readonly T[],
  step: (t: T) => number,
  value: (t: T) => number,
): StepSeries {
  return new Map(items.map((t) => [step(t), value(t)]));
}
