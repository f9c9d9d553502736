/**
 * The advisor: findings a person understands, each with its evidence in numbers and the probe size,
 * and a suggestion where one applies (ELU for ReLU-family layers whose units die or whose mean drifts,
 * with He init where the layer uses Glorot/default, and early stopping — docs/elu.md). Severities
 * are graded by src/severity.ts, which the dashboard's badges share. A run-level fault (divergence,
 * NaN/Inf in the data or weights — run-fault.ts) comes first, and the layer findings measured after
 * it carry no ELU advice: units a diverging run killed say nothing about ReLU.
 */
import type { Finding, LayerProbe, SourceRef, Suggestion, TrainingSummary } from '../protocol';
import type { LayerSpec } from '../model/spec';
import { isSwitchableToElu, reportsMeanDrift } from '../model/activation-families';
import { isGlorotOrDefault } from '../model/initializer-names';
import { defaultRunConfig } from '../run-config';
import { FINDING_SEVERITY, deadUnitsSeverity, meanDriftSeverity, worstFirst } from '../severity';
import { runFault, UNKNOWN_RUN, type RunContext } from './run-fault';

export interface AdvisorThresholds {
  /** Dead fraction at or above which dead units are a warning (default 0.10). */
  deadThreshold: number;
  /** Dormant fraction at or above which it is reported (default 0.10). */
  dormantThreshold: number;
  /** Mean drift (away from zero) reported when it exceeds this × the layer's step-0 std. */
  driftStd: number;
  /** Saturated fraction reported for ELU / leaky layers. */
  saturationThreshold: number;
  eluAlpha: number;
}

export const DEFAULT_THRESHOLDS: AdvisorThresholds = {
  deadThreshold: defaultRunConfig().deadThreshold,
  dormantThreshold: 0.1,
  driftStd: 0.5,
  saturationThreshold: 0.1,
  eluAlpha: defaultRunConfig().eluAlpha,
};

export interface LayerHistory {
  name: string;
  activation: string;
  spec: LayerSpec | null;
  probes: LayerProbe[];
  neverFires: number[] | null;
}

const pct = (f: number) => `${(100 * f).toFixed(f > 0 && f < 0.01 ? 1 : 0)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

function sourceOf(h: LayerHistory): SourceRef | null {
  const s = h.spec?.source;
  return s ? { file: s.file, line: s.line, column: s.column } : null;
}

function eluSuggestion(h: LayerHistory, t: AdvisorThresholds, why: string): Suggestion {
  const init = h.spec?.kernelInitializer;
  const heInit = isGlorotOrDefault(init);
  return {
    kind: 'switch-to-elu',
    layer: h.name,
    alpha: t.eluAlpha,
    heInit,
    earlyStopping: true,
    rationale:
      `${why} ELU (Clevert et al. 2015) has a non-zero gradient for negative inputs, so units cannot die, ` +
      `and its negative outputs pull the mean activation toward zero (less bias shift for the next layer).` +
      (heInit
        ? ' Use He initialisation with it: the seed experiment found ELU needs He init to match ReLU.'
        : '') +
      ' ELU converges faster but overfits sooner: train with early stopping and checkpoints. Run the what-if to see whether it helps this model.',
  };
}

/** What the layer findings measured after a run-level fault add to their message. */
function faultNote(fault: Finding): string {
  return fault.kind === 'divergence'
    ? ' (Follows the divergence above: no ELU advice.)'
    : ' (Measured on a run that stopped on NaN/Inf values above: no ELU advice.)';
}

/** Findings for one layer from its probe history; `fault`: the run's, when it had one. */
function layerFindings(h: LayerHistory, t: AdvisorThresholds, fault: Finding | null): Finding[] {
  const findings: Finding[] = [];
  const first = h.probes[0];
  const last = h.probes[h.probes.length - 1];
  if (!first || !last) return findings;
  const source = sourceOf(h);
  const samples = `${last.observationsPerUnit} observations per unit`;
  const switchable = isSwitchableToElu(h.activation);

  if (last.nonFinite > 0 || h.probes.some((p) => p.nonFinite > 0)) {
    const bad = h.probes.find((p) => p.nonFinite > 0)!;
    findings.push({
      kind: 'non-finite',
      layer: h.name,
      severity: FINDING_SEVERITY['non-finite'],
      message: `${h.name}: ${bad.nonFinite} non-finite activations (NaN/Inf) on the probe set at step ${bad.step}.`,
      evidence: { step: bad.step, nonFinite: bad.nonFinite, observationsPerUnit: bad.observationsPerUnit },
      source,
    });
  }

  if (last.dead.count > 0) {
    findings.push({
      kind: 'dead-units',
      layer: h.name,
      severity: deadUnitsSeverity(last.dead.fraction, t.deadThreshold),
      message:
        `${h.name}: ${last.dead.count} of ${last.units} units (${pct(last.dead.fraction)}) are dead — ` +
        `they fired 0 of ${last.observationsPerUnit} times on the probe set at step ${last.step}.`,
      evidence: {
        step: last.step,
        deadCount: last.dead.count,
        units: last.units,
        deadFraction: Number(last.dead.fraction.toFixed(4)),
        observationsPerUnit: last.observationsPerUnit,
        deadUnits: last.dead.units.slice(0, 64),
      },
      source,
    });
  }

  const deadSeries = h.probes.map((p) => p.dead.count);
  const rise = last.dead.count - first.dead.count;
  if (
    h.probes.length >= 3 &&
    rise >= Math.max(1, Math.ceil(0.02 * last.units)) &&
    last.dead.count >= Math.max(...deadSeries.slice(0, -1))
  ) {
    findings.push({
      kind: 'dying',
      layer: h.name,
      severity: FINDING_SEVERITY.dying,
      message: `${h.name}: units are dying — dead went from ${first.dead.count} at step ${first.step} to ${last.dead.count} at step ${last.step} (${samples}).`,
      evidence: { steps: h.probes.map((p) => p.step), deadCount: deadSeries },
      source,
    });
  }

  if (reportsMeanDrift(h.activation) && Number.isFinite(last.mean) && Number.isFinite(first.mean)) {
    const away = Math.abs(last.mean) - Math.abs(first.mean);
    const scale = Math.max(first.std, 1e-6);
    if (away > t.driftStd * scale) {
      findings.push({
        kind: 'mean-drift',
        layer: h.name,
        severity: meanDriftSeverity(away, scale),
        message:
          `${h.name}: the mean activation moved away from zero, ${signed(first.mean)} at step ${first.step} → ${signed(last.mean)} at step ${last.step} ` +
          `(${signed(last.mean - first.mean)}, ${(away / scale).toFixed(1)}× the step-0 std) — a bias shift the next layer has to absorb.`,
        evidence: {
          step0Mean: Number(first.mean.toFixed(4)),
          mean: Number(last.mean.toFixed(4)),
          drift: Number((last.mean - first.mean).toFixed(4)),
          step0Std: Number(first.std.toFixed(4)),
          probeSteps: h.probes.length,
        },
        source,
      });
    }
  }

  if (last.saturated && last.saturated.fraction >= t.saturationThreshold) {
    findings.push({
      kind: 'saturation',
      layer: h.name,
      severity: FINDING_SEVERITY.saturation,
      message: `${h.name}: ${last.saturated.count} of ${last.units} units (${pct(last.saturated.fraction)}) are saturated — every output within 1% of −α on the probe set at step ${last.step}.`,
      evidence: {
        step: last.step,
        saturatedCount: last.saturated.count,
        units: last.units,
        observationsPerUnit: last.observationsPerUnit,
      },
      source,
    });
  }

  const dormantOnly = last.dormant.units.filter((u) => !last.dead.units.includes(u));
  if (dormantOnly.length / last.units >= t.dormantThreshold) {
    findings.push({
      kind: 'dormant',
      layer: h.name,
      severity: FINDING_SEVERITY.dormant,
      message: `${h.name}: ${dormantOnly.length} of ${last.units} live units (${pct(dormantOnly.length / last.units)}) are dormant — mean |activation| below τ × the layer mean.`,
      evidence: { step: last.step, dormantCount: dormantOnly.length, units: last.units },
      source,
    });
  }

  if (h.neverFires && h.neverFires.length > 0 && switchable) {
    findings.push({
      kind: 'never-fires',
      layer: h.name,
      severity: FINDING_SEVERITY['never-fires'],
      message: `${h.name}: ${h.neverFires.length} units can never fire — their largest possible pre-activation over the input range is ≤ 0 (checked from the weights, before any data).`,
      evidence: { units: h.neverFires.slice(0, 64), count: h.neverFires.length },
      source,
    });
  }

  if (fault) {
    for (const f of findings)
      if (f.kind === 'dead-units' || f.kind === 'dying' || f.kind === 'mean-drift')
        f.message += faultNote(fault);
  }
  // One suggestion per rectifier layer, on its most telling finding. After a fault only the static
  // never-fires check (from the initial weights, before any step) is still evidence about ReLU.
  if (switchable) {
    const target = fault
      ? findings.find((f) => f.kind === 'never-fires')
      : (findings.find((f) => f.kind === 'dead-units' && f.severity === 'warning') ??
        findings.find((f) => f.kind === 'dying') ??
        findings.find((f) => f.kind === 'never-fires') ??
        findings.find((f) => f.kind === 'mean-drift') ??
        findings.find((f) => f.kind === 'dead-units'));
    if (target) target.suggestion = eluSuggestion(h, t, target.message);
  }
  return findings;
}

/** Validation loss rising while training loss falls: recommend early stopping with checkpoints. */
export function overfittingFinding(training: TrainingSummary): Finding | null {
  const v = training.valLoss;
  if (v.length < 3) return null;
  const best = v.indexOf(Math.min(...v));
  const lastVal = v[v.length - 1]!;
  const bestVal = v[best]!;
  if (best === v.length - 1 || lastVal < bestVal * 1.05) return null;
  const trainBest = mean(windowAround(training.loss, training.valSteps[best]!));
  const trainLast = mean(windowAround(training.loss, training.valSteps[v.length - 1]!));
  if (!(trainLast < trainBest)) return null;
  return {
    kind: 'overfitting',
    layer: null,
    severity: FINDING_SEVERITY.overfitting,
    message:
      `Validation loss rose from ${bestVal.toFixed(4)} at step ${training.valSteps[best]} to ${lastVal.toFixed(4)} at step ${training.valSteps[v.length - 1]} ` +
      `while training loss kept falling (${trainBest.toFixed(4)} → ${trainLast.toFixed(4)}): stop early and keep the best checkpoint.`,
    evidence: {
      bestStep: training.valSteps[best]!,
      bestValLoss: bestVal,
      lastValLoss: lastVal,
      trainLossAtBest: trainBest,
      trainLossLast: trainLast,
    },
    source: null,
  };
}

function windowAround(series: number[], step: number, half = 10): number[] {
  return series.slice(Math.max(0, step - half), Math.min(series.length, step + half + 1));
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/**
 * Every finding of a run: the run-level fault (or null) and the rest, worst first. `run` says what is
 * known beyond the series (learning rate, classes, the engine's diagnosis of a NaN); live taps may
 * know none of it.
 */
export function adviseRun(
  histories: LayerHistory[],
  training: TrainingSummary | null,
  t: AdvisorThresholds = DEFAULT_THRESHOLDS,
  run: RunContext = UNKNOWN_RUN,
): { fault: Finding | null; findings: Finding[] } {
  const fault = runFault(histories, training, run);
  const findings = histories.flatMap((h) => layerFindings(h, t, fault));
  // A diverged loss that rises and falls again is not overfitting.
  const overfit = training && !fault ? overfittingFinding(training) : null;
  if (overfit) findings.push(overfit);
  return { fault, findings: findings.sort((a, b) => worstFirst(a.severity, b.severity)) };
}

/** Every finding of a run, worst first, a run-level fault before all (see adviseRun). */
export function advise(
  histories: LayerHistory[],
  training: TrainingSummary | null,
  t: AdvisorThresholds = DEFAULT_THRESHOLDS,
  run: RunContext = UNKNOWN_RUN,
): Finding[] {
  const { fault, findings } = adviseRun(histories, training, t, run);
  return fault ? [fault, ...findings] : findings;
}
