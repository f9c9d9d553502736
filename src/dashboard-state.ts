/**
 * The dashboard's state and the one reducer that folds engine events into it. Pure (no DOM, no
 * Node): the host keeps the authoritative copy and sends it whole on `ready`; afterwards both sides
 * apply the same events, so only small event messages cross the webview boundary.
 */
import type { DashboardState, EngineEvent, LayerProbe, ProbeEvent } from './protocol';

/** Keeps the webview's memory and each message bounded on long runs. */
export const MAX_PROGRESS_POINTS = 2000;
export const MAX_PROBES = 400;

export function emptyDashboardState(): DashboardState {
  return {
    runId: null,
    status: 'idle',
    started: null,
    progress: [],
    probes: [],
    validation: [],
    findings: [],
    report: null,
    error: null,
  };
}

/** Applies one engine event; returns a new state (the old one is never mutated). */
export function applyEngineEvent(state: DashboardState, event: EngineEvent): DashboardState {
  if (event.type === 'run-started') {
    // A new run replaces the old data only once the engine has actually started it.
    return { ...emptyDashboardState(), runId: event.runId, status: 'running', started: event };
  }
  if (state.runId !== null && event.runId !== state.runId) return state;
  switch (event.type) {
    case 'progress':
      return { ...state, progress: capped([...state.progress, event], MAX_PROGRESS_POINTS) };
    case 'probe':
      return { ...state, probes: capped([...state.probes, event], MAX_PROBES) };
    case 'validation':
      return { ...state, validation: [...state.validation, event] };
    case 'findings':
      return { ...state, findings: event.findings };
    case 'run-finished':
      return {
        ...state,
        status: event.report.cancelled ? 'cancelled' : 'finished',
        report: event.report,
        findings: event.report.findings,
      };
    case 'error':
      return { ...state, status: 'failed', error: event.message };
    case 'log':
      return state;
  }
}

/** The host's own transitions that do not come from the engine (crash, cancel before start). */
export function withStatus(
  state: DashboardState,
  status: DashboardState['status'],
  error: string | null = null,
): DashboardState {
  return { ...state, status, error };
}

function capped<T>(items: T[], max: number): T[] {
  // Thin evenly rather than drop the beginning: step 0 is the reference for drift.
  if (items.length <= max) return items;
  return items.filter((_, i) => i === 0 || i === items.length - 1 || i % 2 === 1);
}

/** Per layer: the latest probe, the first probe (step 0 reference) and the time series. */
export interface LayerTimeline {
  name: string;
  first: LayerProbe;
  latest: LayerProbe;
  probes: LayerProbe[];
}

/**
 * The arm the dashboard and the lenses describe: events without an arm (a plain run, or a what-if
 * baseline reported as the plain analysis), else the ReLU baseline, else the first arm seen.
 */
export function baselineArm(events: readonly { arm?: string }[]): string | undefined {
  if (events.length === 0 || events.some((e) => e.arm === undefined)) return undefined;
  return events.some((e) => e.arm === 'ReLU') ? 'ReLU' : events[0]?.arm;
}

/** The other arm of a what-if run (the ELU variant), if any. */
export function comparisonArm(events: readonly { arm?: string }[]): string | undefined {
  const base = baselineArm(events);
  return events.find((e) => e.arm !== base)?.arm;
}

/** Groups probe events by layer name, for one arm (default: the baseline). */
export function layerTimelines(
  probes: readonly ProbeEvent[],
  arm: string | undefined = baselineArm(probes),
): Map<string, LayerTimeline> {
  const out = new Map<string, LayerTimeline>();
  for (const p of probes) {
    if (p.arm !== arm) continue;
    for (const l of p.layers) {
      const t = out.get(l.layer);
      if (t) {
        t.probes.push(l);
        t.latest = l;
      } else out.set(l.layer, { name: l.layer, first: l, latest: l, probes: [l] });
    }
  }
  return out;
}
