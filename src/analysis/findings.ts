/**
 * The one findings step of a run: a run-level fault (divergence, NaN/Inf) first, then what the reader
 * could not understand (naming its line), then the advisor's rules on the probe histories, with the
 * run's thresholds; sent as one findings event. Engine runs and live taps both come through here.
 */
import { adviseRun, DEFAULT_THRESHOLDS, type LayerHistory } from '../advisor/rules';
import type { RunContext } from '../advisor/run-fault';
import { topologyLayers } from '../model/activation-of';
import type { ModelSpec } from '../model/spec';
import type { Emit, Finding, RunConfig, TrainingSummary } from '../protocol';
import { DEFAULT_OPTIMIZER, usualLearningRate } from '../training/optimizer';

/** What the parser could not understand becomes findings that name the line. */
export function sourceFindings(spec: ModelSpec): Finding[] {
  return spec.issues.map((issue) => ({
    kind: 'source' as const,
    layer: null,
    severity: issue.severity,
    message: issue.message,
    evidence: { line: issue.line, column: issue.column },
    source: { file: issue.file, line: issue.line, column: issue.column },
  }));
}

/** The units of the model's last layer that has them: the classes of a classifier's output. */
function outputUnits(spec: ModelSpec): number | null {
  const layers = topologyLayers(spec.topology);
  for (let i = layers.length - 1; i >= 0; i--) {
    const units = layers[i]!.config.units;
    if (typeof units === 'number') return units;
  }
  return null;
}

/** What the engine knows of a run; live taps pass what they know (often nothing). */
export type KnownRun = Partial<Pick<RunContext, 'learningRate' | 'classes' | 'fault'>>;

function runContext(spec: ModelSpec, config: RunConfig, known: KnownRun): RunContext {
  // The engine (which says its rate) trains with its default optimizer where the source names none;
  // of a live run only what its source says is known.
  const engine = known.learningRate !== undefined;
  const optimizer = spec.training.optimizer ?? (engine ? DEFAULT_OPTIMIZER : null);
  return {
    learningRate: known.learningRate ?? config.learningRate ?? spec.training.learningRate ?? null,
    optimizer,
    classes: known.classes ?? outputUnits(spec),
    usualLearningRate: optimizer !== null ? usualLearningRate(optimizer) : null,
    fault: known.fault ?? null,
  };
}

export function runFindings(
  spec: ModelSpec,
  histories: LayerHistory[],
  training: TrainingSummary,
  config: RunConfig,
  emit: Emit,
  known: KnownRun = {},
): Finding[] {
  const thresholds = {
    ...DEFAULT_THRESHOLDS,
    deadThreshold: config.deadThreshold,
    eluAlpha: config.eluAlpha,
  };
  const advice = adviseRun(histories, training, thresholds, runContext(spec, config, known));
  // The run-level fault leads even the reader's findings: nothing else of the run can be trusted.
  const findings = [...(advice.fault ? [advice.fault] : []), ...sourceFindings(spec), ...advice.findings];
  emit({ type: 'findings', findings });
  return findings;
}
