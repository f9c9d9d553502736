/**
 * The what-if verdict, honest in both directions. It judges the outcome (validation loss, or the
 * training loss where there is no validation) against the run's own noise, and reports what ELU did
 * to the layers (dead units removed, mean pulled toward zero) and what it cost (time per step).
 * `helps` is true only when ELU's loss is better beyond noise, false when it is worse beyond noise
 * or when nothing died and nothing changed; null when the run cannot tell. An arm that diverged
 * (the advisor's rule, src/advisor/divergence.ts) decides nothing for ELU: never a win.
 */
import { detectDivergence, whyDiverged, type Divergence, type LayerSeries } from '../advisor/divergence';
import { overfittingFinding } from '../advisor/rules';
import type { TrainingSummary, WhatIfArm, WhatIfVerdict } from '../protocol';
import { defaultRunConfig } from '../run-config';

/** Below this many steps a comparison says nothing. */
export const MIN_STEPS = 10;
/** Differences below this share of the loss are noise whatever the wobble says. */
export const RELATIVE_NOISE = 0.02;

const pct = (f: number) => `${Math.round(100 * f)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;
const num = (x: number) => (Math.abs(x) >= 0.01 ? x.toFixed(3) : x.toPrecision(2));

interface LossComparison {
  metric: 'validation loss' | 'training loss';
  baseline: number;
  elu: number;
  noise: number;
  step: number;
}

function meanOf(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/**
 * How much a metric wobbles by itself: the residual standard deviation around a straight line
 * through its last 3 evaluations (a trend is not noise; over more points a loss curve's bend would
 * count as noise). 0 with fewer than 3 points.
 */
export function wobble(series: number[], last = 3): number {
  const ys = series.slice(-last);
  const n = ys.length;
  if (n < 3) return 0;
  const mx = (n - 1) / 2;
  const my = meanOf(ys);
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxy / sxx;
  const residuals = ys.map((y, x) => y - (my + slope * (x - mx)));
  return Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / (n - 2));
}

/** The loss the verdict compares, with the noise it is judged against. */
export function compareLoss(a: TrainingSummary, b: TrainingSummary): LossComparison | null {
  const n = Math.min(a.valLoss.length, b.valLoss.length);
  if (n > 0 && Number.isFinite(a.valLoss[n - 1]!) && Number.isFinite(b.valLoss[n - 1]!)) {
    const baseline = a.valLoss[n - 1]!;
    const elu = b.valLoss[n - 1]!;
    // Two standard deviations of the difference of two wobbling arms.
    const noise = Math.max(
      (RELATIVE_NOISE * (baseline + elu)) / 2,
      2 * Math.hypot(wobble(a.valLoss.slice(0, n)), wobble(b.valLoss.slice(0, n))),
    );
    return { metric: 'validation loss', baseline, elu, noise, step: a.valSteps[n - 1] ?? a.steps };
  }
  const steps = Math.min(a.loss.length, b.loss.length);
  if (steps === 0) return null;
  // No validation: the mean of the last quarter (≤ 50 steps) of training loss, noise = 2 standard errors.
  const k = Math.max(1, Math.min(50, Math.floor(steps / 4)));
  const ta = a.loss.slice(steps - k, steps);
  const tb = b.loss.slice(steps - k, steps);
  const se = (xs: number[]) => {
    const m = meanOf(xs);
    return xs.length > 1 ? Math.sqrt(meanOf(xs.map((x) => (x - m) ** 2)) / (xs.length - 1)) : 0;
  };
  const baseline = meanOf(ta);
  const elu = meanOf(tb);
  return {
    metric: 'training loss',
    baseline,
    elu,
    noise: Math.max((RELATIVE_NOISE * (baseline + elu)) / 2, 2 * Math.hypot(se(ta), se(tb))),
    step: steps,
  };
}

/** What ELU did to the switched layers, in words. */
function layerEffects(
  baseline: WhatIfArm,
  elu: WhatIfArm,
): {
  details: string[];
  removedDead: { layer: string; count: number; fraction: number }[];
  headline: string | null;
} {
  const details: string[] = [];
  const removedDead: { layer: string; count: number; fraction: number }[] = [];
  let headline: string | null = null;
  for (const e of elu.final.filter((l) => l.switched)) {
    const r = baseline.final.find((l) => l.layer === e.layer);
    if (!r) continue;
    const dead =
      r.dead > 0
        ? `dead ${r.dead}/${r.units} (${pct(r.dead / r.units)}) → none (ELU cannot die)`
        : `no dead units in either arm`;
    const sat =
      e.saturated > 0 ? `; ${e.saturated}/${e.units} ELU units saturated (every output within 1% of −α)` : '';
    const meanText = `mean ${signed(r.mean)} → ${signed(e.mean)} (drift from step 0: ${signed(r.mean - r.mean0)} vs ${signed(e.mean - e.mean0)})`;
    const dormant = r.dormant !== e.dormant ? `; dormant ${r.dormant} → ${e.dormant}` : '';
    details.push(`${e.layer}: ${dead}${sat}; ${meanText}${dormant}.`);
    if (r.dead > 0) removedDead.push({ layer: e.layer, count: r.dead, fraction: r.dead / r.units });
    const closer = Math.abs(e.mean) < Math.abs(r.mean);
    // The headline is the layer that lost the largest share of dead units, else the first mean pulled toward zero.
    const best = removedDead.reduce<{ fraction: number } | null>(
      (m, d) => (m && m.fraction >= d.fraction ? m : d),
      null,
    );
    if (r.dead > 0 && best?.fraction === r.dead / r.units) {
      headline = `ELU removed ${pct(r.dead / r.units)} dead units in ${e.layer}${closer ? ` and brought its mean from ${signed(r.mean)} to ${signed(e.mean)}` : ''}`;
    } else if (!headline && closer && removedDead.length === 0) {
      headline = `ELU brought ${e.layer}'s mean from ${signed(r.mean)} to ${signed(e.mean)}`;
    }
  }
  return { details, removedDead, headline };
}

export interface VerdictOptions {
  /** Dead fraction that counts as a real dying problem (the advisor's threshold). */
  deadThreshold: number;
  /** Layers the ELU arm also He-initialised: the verdict then judges ELU and He init together. */
  heInit?: string[];
  /** Output classes, for the divergence rule's chance accuracy (unknown: that rule is skipped). */
  classes?: number | null;
}

/** An arm's layers as the divergence rule reads them: |mean| per probe (ReLU: the mean |activation|). */
function armSeries(arm: WhatIfArm): LayerSeries[] {
  return arm.meanDrift.map((d) => ({
    layer: d.layer,
    steps: d.steps,
    meanAbs: d.mean.map((m) => Math.abs(m)),
    // A NaN mean: no finite output at all in that probe.
    nonFinite: d.mean.map((m) => (Number.isFinite(m) ? 0 : 1)),
  }));
}

function divergedVerdict(
  baseline: WhatIfArm,
  elu: WhatIfArm,
  a: Divergence | null,
  b: Divergence | null,
  what: string,
): Pick<WhatIfVerdict, 'helps' | 'summary'> {
  const again = 'lower the learning rate and run the what-if again';
  if (a && b)
    return {
      helps: null,
      summary: `Training diverged in both arms (${baseline.name}: ${whyDiverged(a)}; ${elu.name}: ${whyDiverged(b)}): ${again}.`,
    };
  if (a)
    return {
      helps: null,
      summary: `Training diverged in ${baseline.name} (${whyDiverged(a)}); ${elu.name} kept training, but a comparison with a diverged arm says nothing about ${what}: ${again}.`,
    };
  return {
    helps: false,
    summary: `${what} diverged here (${whyDiverged(b!)}) while the ${baseline.name} arm kept training: no help at this learning rate.`,
  };
}

export function whatIfVerdict(
  baseline: WhatIfArm,
  elu: WhatIfArm,
  options: VerdictOptions = { deadThreshold: defaultRunConfig().deadThreshold },
): WhatIfVerdict {
  const details: string[] = [];
  const he = options.heInit ?? [];
  const what = he.length > 0 ? 'ELU with He init' : 'ELU';
  const steps = Math.min(baseline.training.steps, elu.training.steps);
  const effects = layerEffects(baseline, elu);
  details.push(...effects.details);
  if (he.length > 0) {
    details.push(
      `The ELU arm also He-initialises ${he.join(', ')} (as the suggestion says), so this compares the suggestion as a whole; ` +
        '`activation-lens experiment seed-grid` separates activation from initialisation.',
    );
  }

  const timeRatio = elu.msPerStep / baseline.msPerStep;
  if (Number.isFinite(timeRatio)) {
    details.push(
      `time per step: ${baseline.name} ${baseline.msPerStep.toFixed(1)} ms, ${elu.name} ${elu.msPerStep.toFixed(1)} ms ` +
        `(${timeRatio >= 1 ? `+${pct(timeRatio - 1)}` : `−${pct(1 - timeRatio)}`} for ELU; median over ${steps} interleaved steps).`,
    );
  }

  const classes = options.classes ?? null;
  const aDiverged = detectDivergence(baseline.training, armSeries(baseline), classes);
  const bDiverged = detectDivergence(elu.training, armSeries(elu), classes);
  let earlyStopping = false;
  for (const [arm, diverged] of [
    [baseline, aDiverged],
    [elu, bDiverged],
  ] as const) {
    // A diverged loss that rises and falls again is not overfitting.
    const overfit = diverged ? null : overfittingFinding(arm.training);
    if (overfit) {
      earlyStopping = true;
      details.push(`${arm.name}: ${overfit.message}`);
    }
  }
  if (aDiverged || bDiverged)
    return { ...divergedVerdict(baseline, elu, aDiverged, bDiverged, what), details, earlyStopping };

  if (steps < MIN_STEPS) {
    return {
      helps: null,
      summary: `Too short to judge: ${steps} step${steps === 1 ? '' : 's'} per arm (at least ${MIN_STEPS} needed)${effects.headline ? `; so far ${effects.headline}` : ''}.`,
      details,
      earlyStopping,
    };
  }

  const loss = compareLoss(baseline.training, elu.training);
  if (!loss) return { helps: null, summary: 'No loss to compare.', details, earlyStopping };
  const accuracy = accuracyText(baseline, elu);
  details.push(
    `${loss.metric} after ${loss.step} steps: ${baseline.name} ${num(loss.baseline)}, ${elu.name} ${num(loss.elu)} (noise ±${num(loss.noise)})${accuracy}.`,
  );
  const lossText = `${loss.metric} ${num(loss.elu)} vs ${num(loss.baseline)} after ${loss.step} steps`;
  const diff = loss.elu - loss.baseline;
  const deadSomewhere = baseline.final.some((l) => l.dead > 0);
  const bigDead = effects.removedDead.some((d) => d.fraction >= options.deadThreshold);

  if (diff < -loss.noise) {
    return {
      helps: true,
      summary: `${what} helps here: ${effects.headline ? `${effects.headline}; ` : ''}${lossText}.`,
      details,
      earlyStopping,
    };
  }
  if (diff > loss.noise) {
    return {
      helps: false,
      summary: `${what} is worse here: ${lossText}${effects.headline ? `, although ${effects.headline}` : ''}.`,
      details,
      earlyStopping,
    };
  }
  if (bigDead) {
    return {
      helps: null,
      summary: `Not decided yet: ${effects.headline}, but ${loss.metric} is within noise (${num(loss.elu)} vs ${num(loss.baseline)}, ±${num(loss.noise)}) after ${loss.step} steps; a longer run would tell.`,
      details,
      earlyStopping,
    };
  }
  return {
    helps: false,
    summary: `No benefit from ${what} here: ${deadSomewhere ? 'few units died' : 'nothing died'} and ${loss.metric} is within noise (${num(loss.elu)} vs ${num(loss.baseline)}, ±${num(loss.noise)}) after ${loss.step} steps.`,
    details,
    earlyStopping,
  };
}

function accuracyText(a: WhatIfArm, b: WhatIfArm): string {
  const n = Math.min(a.training.valAccuracy.length, b.training.valAccuracy.length);
  // A regression model has no accuracy (NaN): nothing to say about it.
  if (n === 0 || Number.isNaN(a.training.valAccuracy[n - 1]!)) return '';
  return `; validation accuracy ${a.name} ${a.training.valAccuracy[n - 1]!.toFixed(4)}, ${b.name} ${b.training.valAccuracy[n - 1]!.toFixed(4)}`;
}
