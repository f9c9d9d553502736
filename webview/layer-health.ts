/**
 * A layer's health badge: the worst finding the advisor made about it, else what its latest probe
 * shows. Pure (tested without a DOM).
 */
import type { Finding, LayerProbe } from '../src/protocol';

export type Health = 'error' | 'warning' | 'info' | 'ok';
const RANK: Record<Health, number> = { error: 3, warning: 2, info: 1, ok: 0 };

export function healthFromProbe(p: LayerProbe, deadThreshold = 0.1): Health {
  if (p.nonFinite > 0) return 'error';
  if (p.dead.fraction >= 0.5) return 'error';
  if (p.dead.fraction >= deadThreshold || (p.saturated?.fraction ?? 0) >= deadThreshold) return 'warning';
  if (p.dead.count > 0 || p.dormant.fraction >= deadThreshold) return 'info';
  return 'ok';
}

export function worst(a: Health, b: Health): Health {
  return RANK[a] >= RANK[b] ? a : b;
}

export function layerHealth(p: LayerProbe, findings: readonly Finding[], deadThreshold = 0.1): Health {
  return findings
    .filter((f) => f.layer === p.layer)
    .reduce<Health>((h, f) => worst(h, f.severity), healthFromProbe(p, deadThreshold));
}

export interface LayerRow {
  probe: LayerProbe;
  health: Health;
}

/** Worst first; among equals, the larger dead (or saturated) share first, then by name. */
export function sortBySeverity(rows: LayerRow[]): LayerRow[] {
  const share = (p: LayerProbe) => Math.max(p.dead.fraction, p.saturated?.fraction ?? 0);
  return [...rows].sort(
    (a, b) =>
      RANK[b.health] - RANK[a.health] ||
      share(b.probe) - share(a.probe) ||
      a.probe.layer.localeCompare(b.probe.layer),
  );
}
