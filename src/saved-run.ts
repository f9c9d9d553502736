/**
 * A finished run as the Runs view keeps it, and back again: the report with the dashboard's probe
 * history (SavedRun), the finished dashboard state rebuilt from one, the ghost series another run
 * lends the trend charts, and the headline the list shows. Pure: src/run-store.ts does the files.
 *
 * The probe history is saved beside the report (not rebuilt from it) because the report holds each
 * layer's last histogram only; the heatmaps and the overview of a saved run need every step's.
 * Loss, accuracy and validation are rebuilt from the report, which holds them for every step.
 */
import {
  DEFINITIONS,
  PROTOCOL_VERSION,
  SAVED_RUN_SCHEMA,
  type DashboardState,
  type LayerProbe,
  type ProbeEvent,
  type ProgressEvent,
  type Report,
  type RunComparison,
  type SavedRun,
  type SavedRunSummary,
  type TrainingSummary,
  type ValidationEvent,
} from './protocol';
import { MAX_PROGRESS_POINTS, thinOnStepGrid } from './dashboard-state';

/**
 * Layer-probes kept per arm in a saved run or an exported report (≈ 1 KB each once compacted):
 * a 4-layer model keeps every one of the dashboard's 400 steps, a 200-layer model 40 of them.
 */
export const SAVED_LAYER_PROBES = 8000;

/** An older probe without its per-unit lists (fire counts, unit indices): the counts stay. */
function compacted(p: ProbeEvent): ProbeEvent {
  return {
    ...p,
    layers: p.layers.map((l): LayerProbe =>
      l.compacted
        ? l
        : {
            ...l,
            compacted: true,
            fireCount: [],
            dead: { ...l.dead, units: [] },
            dormant: { ...l.dormant, units: [] },
            saturated: l.saturated ? { ...l.saturated, units: [] } : null,
          },
    ),
  };
}

/**
 * Each arm's probe events thinned to SAVED_LAYER_PROBES (step 0 and the newest stay, the rest
 * evenly spread) and compacted except the newest, which keeps its per-unit lists as a live
 * dashboard's does.
 */
export function probesForSaving(probes: readonly ProbeEvent[]): ProbeEvent[] {
  const keep = new Set<ProbeEvent>();
  const newest = new Set<ProbeEvent>();
  for (const arm of new Set(probes.map((p) => p.arm))) {
    const ofArm = probes.filter((p) => p.arm === arm);
    const layers = Math.max(1, ofArm[ofArm.length - 1]?.layers.length ?? 1);
    const cap = Math.max(2, Math.floor(SAVED_LAYER_PROBES / layers));
    for (const p of ofArm.length > cap ? thinOnStepGrid(ofArm, cap) : ofArm) keep.add(p);
    newest.add(ofArm[ofArm.length - 1]!);
  }
  return probes.filter((p) => keep.has(p)).map((p) => (newest.has(p) ? p : compacted(p)));
}

/** "20250312T140215Z": sorts as the time it names. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
}

/** The run as saved, or null while it has no report (running, or failed before one). */
export function savedRunFromState(state: DashboardState, savedAt: Date = new Date()): SavedRun | null {
  if (!state.report) return null;
  const runId = state.runId ?? 'run';
  const run = runId.replace(/[^\w-]/g, '').slice(0, 12) || 'run';
  return {
    schema: SAVED_RUN_SCHEMA,
    id: `${stamp(savedAt)}-${run}`,
    runId,
    savedAt: savedAt.toISOString(),
    report: state.report,
    probes: probesForSaving(state.probes),
  };
}

/** One arm's loss and accuracy as the progress events the training chart reads. */
function progressOf(runId: string, t: TrainingSummary, arm: string | undefined): ProgressEvent[] {
  const events = t.loss.map((loss, i): ProgressEvent => ({
    v: PROTOCOL_VERSION,
    runId,
    type: 'progress',
    ...(arm !== undefined ? { arm } : {}),
    step: i + 1,
    totalSteps: t.steps,
    loss,
    accuracy: t.accuracy[i] ?? NaN,
    samplesPerSecond: t.samplesPerSecond,
  }));
  return thinOnStepGrid(events, MAX_PROGRESS_POINTS);
}

function validationOf(runId: string, t: TrainingSummary, arm: string | undefined): ValidationEvent[] {
  return t.valSteps.map((step, i) => ({
    v: PROTOCOL_VERSION,
    runId,
    type: 'validation',
    ...(arm !== undefined ? { arm } : {}),
    step,
    valLoss: t.valLoss[i] ?? NaN,
    valAccuracy: t.valAccuracy[i] ?? NaN,
  }));
}

/**
 * The finished dashboard state of a saved run, as the dashboard had it when the run ended: the
 * what-if arms keep their names, so the comparison charts draw as they did live.
 */
export function stateFromSavedRun(saved: SavedRun): DashboardState {
  const r = saved.report;
  const runId = saved.id;
  const arms: { name: string | undefined; training: TrainingSummary }[] = r.whatIf
    ? r.whatIf.arms.map((a) => ({ name: a.name, training: a.training }))
    : [{ name: undefined, training: r.training }];
  return {
    runId,
    status: r.cancelled ? 'cancelled' : 'finished',
    started: {
      v: PROTOCOL_VERSION,
      runId,
      type: 'run-started',
      backend: r.backend,
      backendDetail: r.backendDetail,
      ...(r.origin ? { origin: r.origin } : {}),
      ...(r.live ? { live: r.live } : {}),
      model: r.model,
      probeSize: r.data.probe,
      totalSteps: r.training.steps,
      definitions: DEFINITIONS,
    },
    progress: arms.flatMap((a) => progressOf(runId, a.training, a.name)),
    probes: saved.probes.map((p) => ({ ...p, runId })),
    validation: arms.flatMap((a) => validationOf(runId, a.training, a.name)),
    findings: r.findings,
    report: r,
    error: null,
  };
}

/** The series another run lends the trend charts as ghost lines. */
export function comparisonFromReport(report: Report, label: string): RunComparison {
  return {
    label,
    training: report.training,
    layers: report.layers.map((l) => ({
      name: l.name,
      deadFraction: l.deadFraction,
      meanDrift: l.meanDrift,
    })),
  };
}

const pct = (f: number) => (f > 0 && f < 0.005 ? '<1%' : `${Math.round(100 * f)}%`);

/** "dense 41% dead", "conv2d 3% saturated", "no dead units"; what-if runs say the verdict first. */
export function runHeadline(report: Report): string {
  let worst: { name: string; share: number; word: string } | null = null;
  for (const l of report.layers) {
    const saturated = l.saturated?.fraction ?? 0;
    const share = Math.max(l.dead.fraction, saturated);
    if (!worst || share > worst.share)
      worst = { name: l.name, share, word: saturated > l.dead.fraction ? 'saturated' : 'dead' };
  }
  const layers =
    worst && worst.share > 0
      ? `${worst.name} ${pct(worst.share)} ${worst.word}`
      : report.layers.length > 0
        ? 'no dead units'
        : `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}`;
  const helps = report.whatIf?.verdict.helps;
  const verdict = report.whatIf
    ? `ELU what-if: ${helps === true ? 'helps' : helps === false ? 'no benefit' : 'cannot tell'} · `
    : '';
  return `${verdict}${layers}${report.cancelled ? ' (stopped)' : ''}`.slice(0, 200);
}

export function summarize(saved: SavedRun, bytes: number): SavedRunSummary {
  const r = saved.report;
  return {
    id: saved.id,
    runId: saved.runId,
    savedAt: saved.savedAt,
    model: r.model.name,
    file: r.model.file,
    origin: r.origin ?? 'engine',
    backend: r.backend,
    whatIf: r.whatIf !== undefined,
    steps: r.training.steps,
    cancelled: r.cancelled,
    headline: runHeadline(r),
    bytes,
  };
}
