/**
 * The dashboard's state and the one reducer that folds engine events into it. Pure (no DOM, no
 * Node): the host keeps the authoritative copy and sends it whole on `ready`; afterwards both sides
 * apply the same events, so only small event messages cross the webview boundary.
 */
import type { DashboardState, EngineEvent, LayerProbe, ProbeEvent } from './protocol';

/**
 * Bounds on what the dashboard keeps, so the webview's memory and the host's `state` message stay
 * bounded on long runs and wide models. Display only: the report keeps every probe. Each list is
 * bounded per arm (a what-if run interleaves two) by `thinOnStepGrid`: step 0 — the drift
 * reference — and the newest always stay, and the rest stays evenly spread over the run's steps.
 */
export const MAX_PROGRESS_POINTS = 2000;
/** Probe events per arm for a narrow model. */
export const MAX_PROBES = 400;
/** Layer-probes per arm (a probe event of a 200-layer model holds 200): caps wide models lower. */
export const MAX_LAYER_PROBES = 50_000;
/** Probe events per arm that even the widest model keeps. */
export const MIN_PROBES = 64;

/** The probe-event cap per arm for a model that taps `layers` layers. */
export function probeCap(layers: number): number {
  return Math.max(MIN_PROBES, Math.min(MAX_PROBES, Math.floor(MAX_LAYER_PROBES / Math.max(1, layers))));
}

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
      return { ...state, progress: appendThinned(state.progress, event, MAX_PROGRESS_POINTS) };
    case 'probe':
      return {
        ...state,
        probes: appendThinned(compactPrevious(state.probes, event), event, probeCap(event.layers.length)),
      };
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

/**
 * Thins one arm's entries (steps ascending) to at most `max`: the steps are cut into blocks of G
 * steps, G the smallest power of two that leaves fewer than `max` blocks over the run so far, and
 * the first entry of each block is kept, plus the newest. G only grows with the run and doubling
 * it merges blocks pairwise, so each append agrees with the one before: the kept steps stay evenly
 * spaced (the newest stretch no denser than the rest). Lists up to max/2 are left alone.
 */
export function thinOnStepGrid<T extends { step: number }>(items: readonly T[], max: number): T[] {
  if (items.length <= max / 2) return [...items];
  const first = items[0]!.step;
  const last = items[items.length - 1]!.step;
  let block = 1;
  while (Math.floor(last / block) - Math.floor(first / block) + 1 > max - 1) block *= 2;
  let previous = NaN;
  return items.filter((e, i) => {
    const b = Math.floor(e.step / block);
    const starts = b !== previous;
    previous = b;
    return starts || i === items.length - 1;
  });
}

/** Appends `event` and thins the entries of its arm only, so the other arm keeps its own steps. */
function appendThinned<T extends { arm?: string; step: number }>(
  items: readonly T[],
  event: T,
  max: number,
): T[] {
  const all = [...items, event];
  const ofArm = all.filter((e) => e.arm === event.arm);
  const kept = thinOnStepGrid(ofArm, max);
  if (kept.length === ofArm.length) return all;
  const keep = new Set(kept);
  return all.filter((e) => e.arm !== event.arm || keep.has(e));
}

/**
 * The previous newest probe event of `next`'s arm without its per-unit lists (fire counts and unit
 * indices, the bulk of an event; only the newest probe's are shown), its edges shared with the
 * event before it where they are equal, so the kept history costs about one histogram (counts)
 * per layer-probe.
 */
function compactPrevious(probes: readonly ProbeEvent[], next: ProbeEvent): ProbeEvent[] {
  let at = -1;
  let before = -1;
  for (let i = probes.length - 1; i >= 0 && before < 0; i--) {
    if (probes[i]!.arm !== next.arm) continue;
    if (at < 0) at = i;
    else before = i;
  }
  if (at < 0) return [...probes];
  const previous = probes[at]!;
  const earlier = new Map(
    (before >= 0 ? probes[before]!.layers : []).map((l) => [l.layer, l.histogram.edges]),
  );
  const compacted: ProbeEvent = {
    ...previous,
    layers: previous.layers.map((l) => {
      const edges = earlier.get(l.layer);
      return {
        ...l,
        compacted: true as const,
        fireCount: [],
        dead: { ...l.dead, units: [] },
        dormant: { ...l.dormant, units: [] },
        saturated: l.saturated ? { ...l.saturated, units: [] } : null,
        histogram: edges && sameNumbers(edges, l.histogram.edges) ? { ...l.histogram, edges } : l.histogram,
      };
    }),
  };
  const out = [...probes];
  out[at] = compacted;
  return out;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
