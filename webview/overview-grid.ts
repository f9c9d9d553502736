/**
 * The model overview's numbers: one row per tapped layer, one column per probe step, the value
 * either the layer's dead share (ReLU family) or saturated share (ELU family), or its mean drift
 * since step 0. For display only, steps are merged into at most as many columns as the canvas has
 * pixels; a merged cell shows its worst step, so a brief collapse is never averaged away. Pure
 * (tested without a DOM).
 */
import type { LayerProbe } from '../src/protocol';

export type OverviewMode = 'health' | 'drift';
export type OverviewOrder = 'severity' | 'model';

/** One tapped layer as the dashboard knows it, in model order. */
export interface OverviewLayer {
  name: string;
  /**
   * How bad the host ranks the layer, larger is worse (the dashboard passes its layers table's
   * order: health badge, then dead / saturated share). Worst first in health mode follows it;
   * in drift mode the newest drift decides.
   */
  severity: number;
  /** Oldest first; the first is the step-0 reference for drift. */
  probes: readonly LayerProbe[];
}

export interface OverviewInput {
  /** Every probe step shown, ascending (the baseline arm's probe events). */
  steps: readonly number[];
  layers: readonly OverviewLayer[];
}

export interface OverviewRow {
  name: string;
  /** Position in model order. */
  index: number;
  /** What `health` mode shows for this layer. */
  metric: 'dead' | 'saturated';
  /** Per column: the value, NaN where the layer has no probe. */
  values: Float64Array;
  /** The newest value, for the severity order and the caption. */
  latest: number;
}

export interface OverviewGrid {
  mode: OverviewMode;
  rows: OverviewRow[];
  /** Per column, the first and last step merged into it. */
  columnSteps: [number, number][];
  /** Drift mode: the value drawn at full colour (step-0 standard deviations). */
  driftLimit: number;
}

/** The share the overview colours in health mode: saturated for the ELU family, else dead. */
export function healthValue(p: LayerProbe): number {
  return p.saturated ? p.saturated.fraction : p.dead.fraction;
}

/**
 * Mean drift in step-0 standard deviations, so layers of different scales share one colour scale
 * (a layer silent at step 0 falls back to its step-0 mean |activation|, then to absolute units).
 */
export function driftValue(p: LayerProbe, first: LayerProbe): number {
  const scale = first.std > 0 ? first.std : first.meanAbs > 0 ? first.meanAbs : 1;
  return (p.mean - first.mean) / scale;
}

/** Column c covers step indices [starts[c], starts[c + 1]); the first and last columns hold step 0 and the newest. */
export function columnStarts(steps: number, maxColumns: number): Int32Array {
  const columns = Math.max(1, Math.min(steps, Math.floor(maxColumns)));
  const starts = new Int32Array(columns + 1);
  for (let c = 0; c <= columns; c++) starts[c] = Math.floor((c * steps) / columns);
  return starts;
}

/** A drift limit that reads well in the legend: 0.5, 1, 2, 5, 10 … standard deviations. */
export function niceLimit(x: number): number {
  let limit = 0.5;
  for (let k = 0; limit < x && k < 40; k++) limit = [1, 2, 5][k % 3]! * 10 ** Math.floor(k / 3);
  return limit;
}

const SEVERITY_EPSILON = 1e-9;

/**
 * One layer's probes reduced to three compact arrays. Reading the same few fields of thousands of
 * probe objects on every render is mostly cache misses (7 ms for 200 × 250 in Chromium), so the
 * arrays are kept between renders and a probe object seen before is not read again.
 */
interface LayerSeries {
  probes: readonly LayerProbe[];
  first: LayerProbe | undefined;
  /** Entries in use; the arrays keep spare room so a render rarely allocates. */
  length: number;
  steps: Float64Array;
  health: Float64Array;
  drift: Float64Array;
}

/** Keep one per overview (layer name → series); pass it to every `overviewGrid` call. */
export type OverviewCache = Map<string, LayerSeries>;

/** How far ahead a probe is looked for among the previous render's: thinning drops every other. */
const REUSE_WINDOW = 8;

function layerSeries(layer: OverviewLayer, cache: OverviewCache | undefined): LayerSeries {
  const old = cache?.get(layer.name);
  const probes = layer.probes;
  if (old && old.probes === probes) return old;
  const first = probes[0];
  const n = probes.length;
  // Drift is relative to the first probe: another first (a new run) reuses nothing.
  const reuse = old && old.first === first ? old : null;
  const series: LayerSeries =
    reuse && reuse.steps.length >= n
      ? reuse
      : {
          probes,
          first,
          length: 0,
          steps: new Float64Array(2 * n),
          health: new Float64Array(2 * n),
          drift: new Float64Array(2 * n),
        };
  const previous = reuse?.probes ?? [];
  // The new list is the old one thinned, its last entry maybe replaced, plus new ones: an entry
  // seen before sits at or after its new place, so the arrays compact in place, front to back.
  let j = 0;
  for (let k = 0; k < n; k++) {
    const p = probes[k]!;
    let found = -1;
    for (let i = Math.max(j, k); i < Math.min(previous.length, j + REUSE_WINDOW); i++)
      if (previous[i] === p) {
        found = i;
        break;
      }
    if (found >= 0 && reuse) {
      series.steps[k] = reuse.steps[found]!;
      series.health[k] = reuse.health[found]!;
      series.drift[k] = reuse.drift[found]!;
      j = found + 1;
    } else {
      series.steps[k] = p.step;
      series.health[k] = healthValue(p);
      series.drift[k] = first ? driftValue(p, first) : NaN;
    }
  }
  series.probes = probes;
  series.first = first;
  series.length = n;
  cache?.set(layer.name, series);
  return series;
}

export function overviewGrid(
  input: OverviewInput,
  mode: OverviewMode,
  order: OverviewOrder,
  maxColumns: number,
  cache?: OverviewCache,
): OverviewGrid {
  const steps = input.steps;
  const starts = columnStarts(steps.length, maxColumns);
  const columns = starts.length - 1;
  const columnOfStep = new Int32Array(steps.length);
  for (let c = 0; c < columns; c++) columnOfStep.fill(c, starts[c], starts[c + 1]);
  let maxDrift = 0;
  const rows = input.layers.map((layer, index): OverviewRow => {
    const series = layerSeries(layer, cache);
    const of = mode === 'health' ? series.health : series.drift;
    const values = new Float64Array(columns).fill(NaN);
    let latest = NaN;
    // Probes and steps both ascend: walk them together instead of looking each step up.
    let at = 0;
    for (let k = 0; k < series.length; k++) {
      const step = series.steps[k]!;
      while (at < steps.length && steps[at]! < step) at++;
      if (at === steps.length) break;
      if (steps[at] !== step) continue;
      const v = of[k]!;
      if (!Number.isFinite(v)) continue;
      const c = columnOfStep[at]!;
      // The worst step of a merged column: the largest share, the largest drift either way.
      if (!(Math.abs(values[c]!) >= Math.abs(v))) values[c] = v;
      latest = v;
      if (mode === 'drift' && Math.abs(v) > maxDrift) maxDrift = Math.abs(v);
    }
    return {
      name: layer.name,
      index,
      metric: layer.probes[layer.probes.length - 1]?.saturated ? 'saturated' : 'dead',
      values,
      latest,
    };
  });
  if (cache && cache.size > input.layers.length) {
    const names = new Set(input.layers.map((l) => l.name));
    for (const name of cache.keys()) if (!names.has(name)) cache.delete(name);
  }
  if (order === 'severity') {
    const rank = new Map(input.layers.map((l) => [l.name, l.severity]));
    const magnitude = (r: OverviewRow) => (Number.isFinite(r.latest) ? Math.abs(r.latest) : -1);
    rows.sort(
      (a, b) =>
        (mode === 'health' ? rank.get(b.name)! - rank.get(a.name)! : 0) ||
        (Math.abs(magnitude(b) - magnitude(a)) > SEVERITY_EPSILON ? magnitude(b) - magnitude(a) : 0) ||
        a.index - b.index,
    );
  }
  const columnSteps: [number, number][] = [];
  for (let c = 0; c < columns; c++)
    columnSteps.push([steps[starts[c]!] ?? 0, steps[Math.max(starts[c]!, starts[c + 1]! - 1)] ?? 0]);
  return { mode, rows, columnSteps, driftLimit: niceLimit(maxDrift) };
}
