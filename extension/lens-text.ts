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

/** "▶ Analyze discriminator": the lens on a model's definition line when the file defines several. */
export function analyzeModelLensTitle(model: string): string {
  return `▶ Analyze ${model}`;
}

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

/** One runtime layer of a source line that owns several, with its first and latest probes. */
export interface InstanceTimeline {
  layer: string;
  first: LayerProbe;
  latest: LayerProbe;
}

/**
 * The lens of a line that owns several runtime layers (a block's `self.relu` used in 8 blocks):
 * "relu ×8 · 12% dead (96/800) · worst layer3_1_relu 40% · mean +0.12…+0.48". Aggregated honestly:
 * the share is of all their units together, the worst layer is named with its own share, and the
 * means are a range, not an average that no layer has. `count` is how many the line owns; layers not
 * probed yet are "k of N probed".
 */
export function instancesLensTitle(
  activation: string | null,
  count: number,
  timelines: InstanceTimeline[],
): string {
  const saturating = activation !== null && !canDie(activation);
  const setOf = (p: LayerProbe) => (saturating ? (p.saturated ?? p.dead) : p.dead);
  const word = saturating ? 'saturated' : 'dead';
  let hit = 0;
  let units = 0;
  let worst = timelines[0]!;
  for (const t of timelines) {
    hit += setOf(t.latest).count;
    units += t.latest.units;
    if (setOf(t.latest).fraction > setOf(worst.latest).fraction) worst = t;
  }
  const means = timelines.map((t) => t.latest.mean);
  const lo = Math.min(...means);
  const hi = Math.max(...means);
  const mean = lo === hi ? formatMean(lo) : `${formatMean(lo)}…${formatMean(hi)}`;
  const probed = timelines.length < count ? ` (${timelines.length} of ${count} probed)` : '';
  const share = units > 0 ? hit / units : 0;
  const worstText = hit > 0 ? ` · worst ${worst.layer} ${formatPercent(setOf(worst.latest).fraction)}` : '';
  return `${activation ?? 'linear'} ×${count}${probed} · ${formatPercent(share)} ${word} (${hit}/${units})${worstText} · mean ${mean}`;
}
