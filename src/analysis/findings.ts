/**
 * The one findings step of a run: what the reader could not understand (naming its line), then the
 * advisor's rules on the probe histories, with the run's thresholds; sent as one findings event.
 */
import { advise, DEFAULT_THRESHOLDS, type LayerHistory } from '../advisor/rules';
import type { ModelSpec } from '../model/spec';
import type { Emit, Finding, RunConfig, TrainingSummary } from '../protocol';

/** What the parser could not understand becomes findings that name the line. */
export function sourceFindings(spec: Pick<ModelSpec, 'issues'>): Finding[] {
  return spec.issues.map((issue) => ({
    kind: 'source' as const,
    layer: null,
    severity: issue.severity,
    message: issue.message,
    evidence: { line: issue.line, column: issue.column },
    source: { file: issue.file, line: issue.line, column: issue.column },
  }));
}

/** `spec`: the model as read (a live run, which reads no source, passes no issues). */
export function runFindings(
  spec: Pick<ModelSpec, 'issues'>,
  histories: LayerHistory[],
  training: TrainingSummary,
  config: RunConfig,
  emit: Emit,
): Finding[] {
  const thresholds = {
    ...DEFAULT_THRESHOLDS,
    deadThreshold: config.deadThreshold,
    eluAlpha: config.eluAlpha,
  };
  const findings = [...sourceFindings(spec), ...advise(histories, training, thresholds)];
  emit({ type: 'findings', findings });
  return findings;
}
