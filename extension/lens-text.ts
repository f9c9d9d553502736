/**
 * The words on a layer's code lens, from the latest probe of that layer. Pure, so the exact text is
 * unit-tested: "dense · 41% dead (105/256) · mean +0.38 ↑".
 */
import type { LayerProbe } from '../src/protocol';
import { canDie } from '../src/model/activation-families';

export const ANALYZE_LENS_TITLE = '▶ Analyze activations';
export const SWITCH_LENS_TITLE = 'Switch to ELU';
/** During a run, before this layer's first probe arrives. */
export const WAITING_LENS_TITLE = '$(loading~spin) waiting for the first probe…';

/** "41%", "<1%" for a non-zero share that would round to 0, "0%" for none. */
export function formatPercent(fraction: number): string {
  if (fraction > 0 && fraction < 0.005) return '<1%';
  return `${Math.round(fraction * 100)}%`;
}

/** "+0.38" / "-0.02": the sign always shows, since the ELU argument is about drift from zero. */
export function formatMean(mean: number): string {
  const text = Math.abs(mean) >= 100 ? mean.toFixed(0) : mean.toFixed(2);
  return mean >= 0 && !text.startsWith('-') ? `+${text}` : text;
}

/** ↑ / ↓ for the mean's change since step 0; nothing when it moved less than the printed precision. */
export function driftArrow(first: LayerProbe, latest: LayerProbe): string {
  const delta = latest.mean - first.mean;
  if (Math.abs(delta) < 0.005) return '';
  return delta > 0 ? ' ↑' : ' ↓';
}

/**
 * The statistics lens: dead units for ReLU-family layers that can die; saturated units for ELU and
 * leaky variants, which cannot die but can sit at −α (DEFINITIONS.saturated).
 */
export function layerLensTitle(
  layer: string,
  activation: string | null,
  first: LayerProbe,
  latest: LayerProbe,
): string {
  const saturated = activation !== null && !canDie(activation) ? latest.saturated : null;
  const set = saturated ?? latest.dead;
  const word = saturated ? 'saturated' : 'dead';
  const count = `${formatPercent(set.fraction)} ${word} (${set.count}/${latest.units})`;
  return `${layer} · ${count} · mean ${formatMean(latest.mean)}${driftArrow(first, latest)}`;
}
