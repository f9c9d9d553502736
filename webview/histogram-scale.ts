/** How the dashboard scales histograms so their shape shows. Pure (tested without a DOM). */
import type { Histogram } from '../src/protocol';

/**
 * The scale that shows a histogram's shape: the second-largest count. A ReLU layer puts most of its
 * outputs in the bin at 0, and scaling to that spike would flatten everything else.
 */
export function shapeScale(counts: readonly number[]): number {
  let first = 0;
  let second = 0;
  for (const c of counts) {
    if (c > first) {
      second = first;
      first = c;
    } else if (c > second) second = c;
  }
  return Math.max(1, second > 0 && first > 3 * second ? second : first);
}

/** "tallest bar clipped: 4,913 at 0.00" when the y range hides a spike, else null. */
export function clippedNote(h: Histogram): string | null {
  const scale = shapeScale(h.counts) * 1.15;
  let at = -1;
  h.counts.forEach((c, i) => {
    if (c > scale && (at < 0 || c > (h.counts[at] ?? 0))) at = i;
  });
  if (at < 0) return null;
  const centre = ((h.edges[at] ?? 0) + (h.edges[at + 1] ?? 0)) / 2;
  return `tallest bar clipped: ${(h.counts[at] ?? 0).toLocaleString('en-US')} at ${centre.toFixed(2)}`;
}
