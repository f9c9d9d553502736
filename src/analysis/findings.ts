/**
 * The one findings step of a run: a run-level fault (divergence, NaN/Inf) first, then what the reader
 * could not understand (naming its line), each part of the file left out of the model (a warning on
 * its line: the analysis is partial), the loss the engine chose where the file names none, then the
 * advisor's rules on the probe histories, with the run's thresholds; sent as one findings event.
 * Engine runs and live taps both come through here.
 */
import { adviseRun, DEFAULT_THRESHOLDS, type LayerHistory } from '../advisor/rules';
import type { RunContext } from '../advisor/run-fault';
import { topologyLayers } from '../model/activation-of';
import type { ModelSpec } from '../model/spec';
import type { Emit, Finding, RunConfig, TrainingSummary } from '../protocol';
import { DEFAULT_OPTIMIZER, usualLearningRate } from '../training/optimizer';
import type { TrainingPlan } from '../training/label-check';

/** The model as read; a live run, which reads no source, passes only its (empty) issues. */
export type ReadModel = Pick<ModelSpec, 'issues'> &
  Partial<Pick<ModelSpec, 'omitted' | 'topology' | 'training'>>;

/**
 * What the parser could not understand becomes findings that name the line. A part left out of the
 * model is a warning on its line — the person's code is fine; our reading of it is partial.
 */
export function sourceFindings(spec: ReadModel): Finding[] {
  const omitted = spec.omitted ?? [];
  const at = (file: string, line: number, column: number) =>
    omitted.find((o) => o.file === file && o.line === line && o.column === column);
  const covered = new Set<unknown>();
  const findings: Finding[] = spec.issues.map((issue): Finding => {
    const part = issue.severity !== 'info' ? at(issue.file, issue.line, issue.column) : undefined;
    if (part) covered.add(part);
    return {
      kind: 'source' as const,
      layer: null,
      severity: part ? ('warning' as const) : issue.severity,
      message: issue.message,
      evidence: {
        line: issue.line,
        column: issue.column,
        ...(part ? { omitted: part.what } : {}),
      },
      source: { file: issue.file, line: issue.line, column: issue.column },
    };
  });
  for (const part of omitted) {
    if (covered.has(part)) continue;
    findings.push({
      kind: 'source',
      layer: null,
      severity: 'warning',
      message: `${part.what} is left out of the analysis: ${part.reason}`,
      evidence: { line: part.line, column: part.column, omitted: part.what },
      source: { file: part.file, line: part.line, column: part.column },
    });
  }
  return findings;
}

/** A loss the engine chose (the file names none, or one it does not have) is said on the output's line. */
export function lossFindings(plan: TrainingPlan | undefined): Finding[] {
  return (plan?.heads ?? []).flatMap((h) =>
    h.chosenBy === 'engine' && h.note
      ? [
          {
            kind: 'source' as const,
            layer: null,
            severity: 'info' as const,
            message: `trained with ${h.loss}${h.fromLogits ? ' (from logits)' : ''}: ${h.note}`,
            evidence: { output: h.head.name, loss: h.loss },
            source: h.head.source
              ? { file: h.head.source.file, line: h.head.source.line, column: h.head.source.column }
              : null,
          },
        ]
      : [],
  );
}

/** The units of the model's last layer that has them: the classes of a classifier's output. */
function outputUnits(spec: ReadModel): number | null {
  if (!spec.topology) return null;
  const layers = topologyLayers(spec.topology);
  for (let i = layers.length - 1; i >= 0; i--) {
    const units = layers[i]!.config.units;
    if (typeof units === 'number') return units;
  }
  return null;
}

/** What the engine knows of a run; live taps pass what they know (often nothing). */
export type KnownRun = Partial<Pick<RunContext, 'learningRate' | 'classes' | 'fault'>>;

function runContext(spec: ReadModel, config: RunConfig, known: KnownRun): RunContext {
  // The engine (which says its rate) trains with its default optimizer where the source names none;
  // of a live run only what its source says is known.
  const engine = known.learningRate !== undefined;
  const optimizer = spec.training?.optimizer ?? (engine ? DEFAULT_OPTIMIZER : null);
  return {
    learningRate: known.learningRate ?? config.learningRate ?? spec.training?.learningRate ?? null,
    optimizer,
    classes: known.classes ?? outputUnits(spec),
    usualLearningRate: optimizer !== null ? usualLearningRate(optimizer) : null,
    fault: known.fault ?? null,
  };
}

export function runFindings(
  spec: ReadModel,
  histories: LayerHistory[],
  training: TrainingSummary,
  config: RunConfig,
  emit: Emit,
  known: KnownRun = {},
  plan?: TrainingPlan,
): Finding[] {
  const thresholds = {
    ...DEFAULT_THRESHOLDS,
    deadThreshold: config.deadThreshold,
    eluAlpha: config.eluAlpha,
  };
  const advice = adviseRun(histories, training, thresholds, runContext(spec, config, known));
  // The run-level fault leads even the reader's findings: nothing else of the run can be trusted.
  const findings = [
    ...(advice.fault ? [advice.fault] : []),
    ...sourceFindings(spec),
    ...lossFindings(plan),
    ...advice.findings,
  ];
  emit({ type: 'findings', findings });
  return findings;
}
