/**
 * Divergence, read from the series alone: the training loss, the training accuracy and each layer's
 * mean |activation| and non-finite count per probe. Nothing here assumes the engine trained the model,
 * so live taps on a person's own run are judged by the same rules. The thresholds come from a
 * learning-rate sweep of the example (docs/elu.md, "When training diverges"): healthy runs and
 * diverged runs sit orders of magnitude apart on each of them, and every threshold sits in that gap.
 */
import type { TrainingSummary } from '../protocol';

/** The loss at the end (median of the last steps) at least this × max(its start, ln classes). */
export const LOSS_RISE = 2;
/** A layer's mean |activation| at least this × its first probe's: the activations exploded. */
export const ACTIVATION_GROWTH = 100;
/** Accuracy within this of chance (1 / classes) … */
export const CHANCE_MARGIN = 0.1;
/** … or within this share of chance, whichever is tighter (2 classes: 0.6; 10 classes: 0.15). */
export const CHANCE_FACTOR = 1.5;
/** "Not falling": the end loss is above this × its start. */
export const NOT_FALLING = 0.9;
/**
 * "Rose": the end loss is above this × its start. A rate too low also guesses at chance, with a flat
 * loss (measured: end/start ≤ 1.00); the start is one batch's loss, so the margin covers its noise.
 */
export const ROSE = 1.25;
/** The end of training is the median of the last eighth of the steps, 1 to 50 of them. */
const TAIL_SHARE = 1 / 8;
const TAIL_MAX = 50;
/** Activations this close to zero at the first probe are too small to grow "× times" from. */
const SCALE_FLOOR = 1e-3;

/** One layer's probe series, in model order. */
export interface LayerSeries {
  layer: string;
  steps: number[];
  /** Mean |activation| over the probe set; NaN where the layer had no finite output. */
  meanAbs: number[];
  /** Non-finite output values per probe (0 where unknown). */
  nonFinite: number[];
}

export type DivergenceSign = 'non-finite' | 'loss' | 'chance' | 'activations';

export interface Divergence {
  signs: DivergenceSign[];
  /** The first finite loss and the step it was taken at (1-based: the loss of step 1). */
  startLoss: number;
  startStep: number;
  /** Median of the last steps' finite losses (NaN when none is finite). */
  endLoss: number;
  endSteps: number;
  /** Mean training accuracy over the same last steps (NaN when unknown). */
  endAccuracy: number;
  chance: number | null;
  /** The layer whose mean |activation| grew the most, when it grew ≥ ACTIVATION_GROWTH×. */
  exploded: {
    layer: string;
    fromStep: number;
    toStep: number;
    from: number;
    to: number;
    growth: number;
  } | null;
  /** The first non-finite value: the loss at a step, or a layer's output at a probe step. */
  nonFinite: { step: number; where: 'loss' | 'activations'; layer: string | null } | null;
  /** Non-finite activations already at step 0, before any training step: the data or the weights. */
  beforeTraining: boolean;
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** The accuracy at or below which a classifier with `classes` outputs is guessing. */
export function chanceCeiling(classes: number): number {
  const chance = 1 / classes;
  return Math.min(chance * CHANCE_FACTOR, chance + CHANCE_MARGIN);
}

function firstNonFinite(loss: number[], layers: LayerSeries[]): Divergence['nonFinite'] {
  const lossStep = loss.findIndex((x) => !Number.isFinite(x));
  let probe: { step: number; layer: string } | null = null;
  for (const l of layers) {
    const i = l.nonFinite.findIndex((n) => n > 0);
    // Layers are in model order: on a tie in step the earlier layer is where it showed first.
    if (i >= 0 && (probe === null || l.steps[i]! < probe.step)) probe = { step: l.steps[i]!, layer: l.layer };
  }
  // A probe at step s describes the weights after s steps; the loss of step s + 1 is computed on them.
  if (probe && (lossStep < 0 || probe.step <= lossStep))
    return { step: probe.step, where: 'activations', layer: probe.layer };
  return lossStep >= 0 ? { step: lossStep + 1, where: 'loss', layer: null } : null;
}

function explodedLayer(layers: LayerSeries[]): Divergence['exploded'] {
  let best: Divergence['exploded'] = null;
  for (const l of layers) {
    const first = l.meanAbs.findIndex((x) => Number.isFinite(x));
    if (first < 0) continue;
    const from = l.meanAbs[first]!;
    if (!(from > 0)) continue;
    for (let i = first + 1; i < l.meanAbs.length; i++) {
      const to = l.meanAbs[i]!;
      if (!Number.isFinite(to)) continue;
      const growth = to / Math.max(from, SCALE_FLOOR);
      if (growth >= ACTIVATION_GROWTH && (best === null || growth > best.growth))
        best = { layer: l.layer, fromStep: l.steps[first]!, toStep: l.steps[i]!, from, to, growth };
    }
  }
  return best;
}

/**
 * Whether training diverged, and the evidence. `classes` (the output's, for chance accuracy) may be
 * null where unknown; the chance rule is then skipped. Null when nothing points to divergence.
 */
export function detectDivergence(
  training: TrainingSummary | null,
  layers: LayerSeries[],
  classes: number | null,
): Divergence | null {
  const loss = training?.loss ?? [];
  const accuracy = training?.accuracy ?? [];
  const startIndex = loss.findIndex((x) => Number.isFinite(x));
  const finiteLoss = loss.filter((x) => Number.isFinite(x));
  const k = Math.min(TAIL_MAX, Math.max(1, Math.ceil(loss.length * TAIL_SHARE)));
  const startLoss = startIndex >= 0 ? loss[startIndex]! : NaN;
  const endLoss = median(loss.slice(-k).filter((x) => Number.isFinite(x)));
  const endAccuracy = mean(accuracy.slice(-k).filter((x) => Number.isFinite(x)));
  const chance = classes !== null && classes >= 2 ? 1 / classes : null;
  const nonFinite = firstNonFinite(loss, layers);
  const exploded = explodedLayer(layers);

  const signs: DivergenceSign[] = [];
  const beforeTraining = nonFinite?.where === 'activations' && nonFinite.step === 0;
  if (nonFinite) signs.push('non-finite');
  // The loss rules compare the end with the start: a single step says nothing.
  const lossKnown = finiteLoss.length >= 2 && Number.isFinite(endLoss) && startIndex < loss.length - 1;
  if (lossKnown) {
    const chanceLoss = chance !== null ? Math.log(classes!) : 0;
    if (endLoss >= LOSS_RISE * Math.max(startLoss, chanceLoss)) signs.push('loss');
    if (chance !== null && Number.isFinite(endAccuracy) && endAccuracy <= chanceCeiling(classes!)) {
      // Guessing while the loss rose is divergence; guessing at a steady loss may be a rate too low.
      if (endLoss > ROSE * startLoss) signs.push('chance');
    }
    if (exploded && endLoss > NOT_FALLING * startLoss) signs.push('activations');
  }
  if (signs.length === 0) return null;
  return {
    signs,
    startLoss,
    startStep: startIndex + 1,
    endLoss,
    endSteps: k,
    endAccuracy,
    chance,
    exploded,
    nonFinite,
    beforeTraining,
  };
}

/** Compact numbers for messages: 2.29, 14.8, 9.9e9, 1e-7. */
export function compactNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e4 || a < 1e-3)) return x.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(3)));
}

/** A few words for tables and verdicts: "loss 2.29 → 14.8, accuracy at chance, dense's activations grew 1.8e11×". */
export function whyDiverged(d: Divergence): string {
  const parts: string[] = [];
  if (d.nonFinite)
    parts.push(
      `${d.nonFinite.where === 'loss' ? 'loss' : 'activations'} not finite from step ${d.nonFinite.step}`,
    );
  else parts.push(`loss ${compactNumber(d.startLoss)} → ${compactNumber(d.endLoss)}`);
  if (d.signs.includes('chance')) parts.push('accuracy at chance');
  if (d.exploded) parts.push(`${d.exploded.layer}'s activations grew ${compactNumber(d.exploded.growth)}×`);
  return parts.join(', ');
}
