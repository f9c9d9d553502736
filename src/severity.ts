/**
 * How bad a layer looks, graded in one place: the advisor's findings and the dashboard's health
 * badges both use these rules, so a badge and the Problems panel never disagree about a probe.
 * Import-free (types of ./protocol only): the webview imports it.
 */
import type { FindingKind, LayerProbe, Severity } from './protocol';

/** A badge: a severity, or nothing to report. */
export type Health = Severity | 'ok';

const RANK: Record<Health, number> = { error: 3, warning: 2, info: 1, ok: 0 };

export function worst(a: Health, b: Health): Health {
  return RANK[a] >= RANK[b] ? a : b;
}

/** For sort(): worst first. */
export function worstFirst(a: Health, b: Health): number {
  return RANK[b] - RANK[a];
}

/** Findings whose severity does not depend on how large the evidence is. */
export const FINDING_SEVERITY = {
  // NaN/Inf on the probe set: the numbers after it mean nothing.
  'non-finite': 'error',
  // Training diverged: every other number of the run follows from it, so it leads the list.
  divergence: 'error',
  dying: 'warning',
  'never-fires': 'warning',
  saturation: 'warning',
  dormant: 'info',
  overfitting: 'info',
} as const satisfies Partial<Record<FindingKind, Severity>>;

/** Dead units: a warning at or above the run's dead threshold, else for information. */
export function deadUnitsSeverity(deadFraction: number, deadThreshold: number): Severity {
  return deadFraction >= deadThreshold ? 'warning' : 'info';
}

/** Mean drift (away from zero): a warning beyond twice the layer's step-0 std, else for information. */
export function meanDriftSeverity(away: number, step0Std: number): Severity {
  return away > 2 * step0Std ? 'warning' : 'info';
}

/** Half the units dead or more: the layer has lost most of its capacity, an error on its badge. */
const LOST_CAPACITY = 0.5;

/**
 * A layer's badge from its latest probe alone, live, before the advisor has spoken. `threshold` is the
 * run's dead threshold, used for saturated and dormant shares as well.
 */
export function probeHealth(p: LayerProbe, threshold: number): Health {
  let health: Health = 'ok';
  if (p.nonFinite > 0) health = worst(health, FINDING_SEVERITY['non-finite']);
  if (p.dead.fraction >= LOST_CAPACITY) health = worst(health, 'error');
  if (p.dead.count > 0) health = worst(health, deadUnitsSeverity(p.dead.fraction, threshold));
  if ((p.saturated?.fraction ?? 0) >= threshold) health = worst(health, FINDING_SEVERITY.saturation);
  if (p.dormant.fraction >= threshold) health = worst(health, FINDING_SEVERITY.dormant);
  return health;
}
