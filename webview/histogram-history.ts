/**
 * A layer's histograms over time on one set of edges, for the heatmap. Ranges only ever double
 * (src/histogram.ts), so the newest probe's edges hold every earlier value and each earlier
 * histogram re-bins onto them exactly. Pure (tested without a DOM).
 */
import type { Histogram, LayerProbe } from '../src/protocol';
import { doublingsBetween, rebin } from '../src/histogram';

export interface HistogramHistory {
  steps: number[];
  /** The newest probe's edges. */
  edges: number[];
  /** Per step, the counts on `edges`. */
  counts: number[][];
}

/** Re-binned counts per histogram, kept while the target edges stay the same (most renders). */
const cache = new WeakMap<Histogram, { edges: readonly number[]; counts: number[] }>();

export function histogramHistory(probes: readonly LayerProbe[]): HistogramHistory {
  const edges = probes[probes.length - 1]?.histogram.edges ?? [];
  const steps: number[] = [];
  const counts: number[][] = [];
  for (const p of probes) {
    const onEdges = rebinned(p.histogram, edges);
    // Edges no doubling reaches come only from a state saved by an older build: leave them out.
    if (!onEdges) continue;
    steps.push(p.step);
    counts.push(onEdges);
  }
  return { steps, edges, counts };
}

function rebinned(h: Histogram, edges: readonly number[]): number[] | null {
  if (h.edges === edges) return h.counts;
  const hit = cache.get(h);
  if (hit && sameEdges(hit.edges, edges)) return hit.counts;
  if (!doublingsBetween(h.edges, edges)) return null;
  const counts = rebin(h, edges).counts;
  cache.set(h, { edges, counts });
  return counts;
}

function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}
