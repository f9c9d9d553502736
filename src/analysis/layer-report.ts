/**
 * One layer's entry in the report@1: its newest probe, the mean and dead share of every probe, and
 * what is known about the layer besides (the model's spec for the engine, the run-started summary
 * for a live run). Both kinds of run write their reports through here.
 */
import type { LayerHistory } from '../advisor/rules';
import type { LayerReport } from '../protocol';

export type LayerIdentity = Pick<LayerReport, 'className' | 'activation' | 'source' | 'neverFires'>;

/** Null for a layer that was never probed. */
export function layerReportOf(h: LayerHistory, about: LayerIdentity): LayerReport | null {
  const last = h.probes[h.probes.length - 1];
  if (!last) return null;
  return {
    name: h.name,
    className: about.className,
    activation: about.activation,
    units: last.units,
    source: about.source,
    dead: last.dead,
    dormant: last.dormant,
    saturated: last.saturated,
    sparsity: last.sparsity,
    mean: last.mean,
    std: last.std,
    min: last.min,
    max: last.max,
    meanDrift: h.probes.map((p) => ({ step: p.step, mean: p.mean })),
    deadFraction: h.probes.map((p) => ({ step: p.step, fraction: p.dead.fraction })),
    histogram: last.histogram,
    nonFinite: last.nonFinite,
    neverFires: about.neverFires,
  };
}
