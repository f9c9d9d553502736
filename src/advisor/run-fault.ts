/**
 * The run-level fault, named first: training diverged (lower the learning rate), or NaN/Inf values
 * that training did not make (the data, or weights as loaded). Everything measured after a fault
 * follows from it, so the layer findings are marked and lose their ELU advice (rules.ts).
 */
import type { Finding, SourceRef, TrainingSummary } from '../protocol';
import type { NonFiniteOrigin } from '../probe/non-finite-origin';
import { describeOrigin } from '../probe/non-finite-origin';
import { FINDING_SEVERITY } from '../severity';
import { compactNumber as num, detectDivergence, type Divergence, type LayerSeries } from './divergence';
import type { LayerHistory } from './rules';

/** Where the engine stopped on a non-finite value, and what it found had caused it. */
export interface NonFiniteFault {
  step: number;
  trigger: 'loss' | 'probe';
  origin: NonFiniteOrigin;
}

/** What the advisor knows about the run beyond the series; every field may be unknown (live taps). */
export interface RunContext {
  /** The learning rate training used. */
  learningRate: number | null;
  /** Its optimizer's name (adam, sgd …), for the usual rate. */
  optimizer: string | null;
  /** Output classes, for chance accuracy. */
  classes: number | null;
  /** The optimizer's default rate, said beside a rate far above it. */
  usualLearningRate: number | null;
  fault: NonFiniteFault | null;
}

export const UNKNOWN_RUN: RunContext = {
  learningRate: null,
  optimizer: null,
  classes: null,
  usualLearningRate: null,
  fault: null,
};

const pct = (f: number) => `${(100 * f).toFixed(1)}%`;

export function layerSeries(histories: LayerHistory[]): LayerSeries[] {
  return histories.map((h) => ({
    layer: h.name,
    steps: h.probes.map((p) => p.step),
    meanAbs: h.probes.map((p) =>
      p.nonFinite > 0 && p.nonFinite >= p.units * p.observationsPerUnit ? NaN : p.meanAbs,
    ),
    nonFinite: h.probes.map((p) => p.nonFinite),
  }));
}

function sourceOf(histories: LayerHistory[], layer: string): SourceRef | null {
  const s = histories.find((h) => h.name === layer)?.spec?.source;
  return s ? { file: s.file, line: s.line, column: s.column } : null;
}

/** Optimizer names as their papers and frameworks write them. */
const OPTIMIZER_NAMES: Record<string, string> = {
  adam: 'Adam',
  adamax: 'Adamax',
  sgd: 'SGD',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
};

function rateAdvice(c: RunContext): string {
  if (c.learningRate === null) return 'Lower the learning rate (e.g. 10× lower) and run again.';
  const usual =
    c.usualLearningRate !== null && c.learningRate > c.usualLearningRate
      ? ` (${c.optimizer ? (OPTIMIZER_NAMES[c.optimizer.toLowerCase()] ?? c.optimizer) : 'the optimizer'}'s usual rate is ${num(c.usualLearningRate)})`
      : '';
  return `Lower the learning rate: it was ${num(c.learningRate)}; try ${num(c.learningRate / 10)} (10× lower) and lower it again while the loss still rises${usual}.`;
}

function divergenceReasons(d: Divergence, c: RunContext): string[] {
  const reasons: string[] = [];
  if (Number.isFinite(d.startLoss) && Number.isFinite(d.endLoss)) {
    const verb = d.endLoss > d.startLoss ? 'rose' : 'went';
    reasons.push(
      `the loss ${verb} from ${num(d.startLoss)} at step ${d.startStep} to ${num(d.endLoss)} (median of the last ${d.endSteps} step${d.endSteps === 1 ? '' : 's'})`,
    );
  }
  if (d.chance !== null && Number.isFinite(d.endAccuracy)) {
    const at = d.signs.includes('chance') ? 'at chance' : 'against chance';
    reasons.push(`training accuracy ${pct(d.endAccuracy)} ${at} (${pct(d.chance)} for ${c.classes} classes)`);
  }
  if (d.exploded) {
    const e = d.exploded;
    reasons.push(
      `${e.layer}'s activations exploded: mean |activation| ${num(e.from)} at step ${e.fromStep} → ${num(e.to)} at step ${e.toStep} (${num(e.growth)}×)`,
    );
  }
  if (d.nonFinite) {
    const n = d.nonFinite;
    const where = n.where === 'loss' ? 'the loss' : `${n.layer}'s output`;
    const origin = c.fault ? `; it came from ${describeOrigin(c.fault.origin)}` : '';
    reasons.push(`the first NaN/Inf appeared in ${where} at step ${n.step}${origin}`);
  }
  return reasons;
}

function divergenceFinding(d: Divergence | null, c: RunContext, histories: LayerHistory[]): Finding {
  const reasons = d ? divergenceReasons(d, c) : [];
  const fault = c.fault;
  if (fault && !d) reasons.push(`training stopped at step ${fault.step}: ${describeOrigin(fault.origin)}`);
  const evidence: Finding['evidence'] = {};
  if (d) {
    evidence.signs = d.signs.join(', ');
    evidence.startLoss = d.startLoss;
    evidence.startStep = d.startStep;
    evidence.endLoss = d.endLoss;
    evidence.endSteps = d.endSteps;
    if (Number.isFinite(d.endAccuracy)) evidence.accuracy = Number(d.endAccuracy.toFixed(4));
    if (d.chance !== null) evidence.chance = Number(d.chance.toFixed(4));
    if (d.exploded) {
      evidence.explodedLayer = d.exploded.layer;
      evidence.activationGrowth = d.exploded.growth;
      evidence.meanAbsFrom = d.exploded.from;
      evidence.meanAbsTo = d.exploded.to;
    }
    if (d.nonFinite) {
      evidence.firstNonFiniteStep = d.nonFinite.step;
      evidence.firstNonFiniteIn = d.nonFinite.layer ?? 'loss';
    }
  }
  if (c.learningRate !== null) {
    evidence.learningRate = c.learningRate;
    evidence.suggestedLearningRate = c.learningRate / 10;
  }
  if (fault) {
    evidence.stoppedAtStep = fault.step;
    evidence.origin = fault.origin.kind;
    evidence.originDetail = describeOrigin(fault.origin);
  }
  const layer = d?.exploded?.layer ?? d?.nonFinite?.layer ?? null;
  return {
    kind: 'divergence',
    layer: null,
    severity: FINDING_SEVERITY.divergence,
    message:
      `Training diverged: ${reasons.join('; ')}. ${rateAdvice(c)} ` +
      'Dead units and mean drift measured after this follow from the divergence: no ELU advice for them.',
    evidence,
    source: layer ? sourceOf(histories, layer) : null,
  };
}

/** NaN/Inf that training did not make: in the data, or in the weights before any step. */
function nonFiniteFinding(
  histories: LayerHistory[],
  fault: NonFiniteFault | null,
  d: Divergence | null,
): Finding {
  const origin = fault?.origin;
  const layer = origin && (origin.kind === 'weights' || origin.kind === 'output') ? origin.layer : null;
  const fix =
    origin?.kind === 'input'
      ? 'Fix or drop those samples (or impute the missing values) before training.'
      : origin?.kind === 'weights'
        ? `The model's ${layer} holds them before any training step: re-save the model or re-initialise that layer.`
        : 'Training did not make them: check the input data and the weights the model was loaded with.';
  const what = origin
    ? describeOrigin(origin)
    : `the first is in ${d?.nonFinite?.layer ?? 'a layer'}'s output on the probe set`;
  const step = fault?.step ?? 0;
  return {
    kind: 'non-finite',
    layer,
    severity: FINDING_SEVERITY['non-finite'],
    message: `NaN/Inf values before any training step (training stopped at step ${step}): ${what}. ${fix}`,
    evidence: {
      stoppedAtStep: step,
      origin: origin?.kind ?? 'data or weights',
      ...(origin ? { originDetail: what } : {}),
    },
    source: layer ? sourceOf(histories, layer) : null,
  };
}

/** True for a fault the engine traced to something training did not make. */
function notMadeByTraining(fault: NonFiniteFault | null, d: Divergence | null): boolean {
  if (fault) return fault.origin.kind === 'input' || (fault.origin.kind === 'weights' && fault.step === 0);
  return d?.beforeTraining === true;
}

/** The run-level fault, or null for a run that trained normally. */
export function runFault(
  histories: LayerHistory[],
  training: TrainingSummary | null,
  context: RunContext,
): Finding | null {
  const d = detectDivergence(training, layerSeries(histories), context.classes);
  if (!d && !context.fault) return null;
  return notMadeByTraining(context.fault, d)
    ? nonFiniteFinding(histories, context.fault, d)
    : divergenceFinding(d, context, histories);
}
