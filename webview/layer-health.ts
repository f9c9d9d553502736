/**
 * A layer's health badge: the worst finding the advisor made about it, else what its latest probe
 * shows (graded by src/severity.ts, the advisor's own rules). Pure (tested without a DOM).
 */
import type { Finding, LayerProbe } from '../src/protocol';
import { defaultRunConfig } from '../src/run-config';
import { probeHealth, worst, worstFirst, type Health } from '../src/severity';

export type { Health };

/** `deadThreshold`: the run's, once its report says; the default until then. */
export function layerHealth(
  p: LayerProbe,
  findings: readonly Finding[],
  deadThreshold = defaultRunConfig().deadThreshold,
): Health {
  return findings
    .filter((f) => f.layer === p.layer)
    .reduce<Health>((h, f) => worst(h, f.severity), probeHealth(p, deadThreshold));
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
      worstFirst(a.health, b.health) ||
      share(b.probe) - share(a.probe) ||
      a.probe.layer.localeCompare(b.probe.layer),
  );
}
