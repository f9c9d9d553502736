/**
 * What the webview keeps with vscode.setState so a hidden and re-shown view paints at once, before
 * the host answers `ready` with the whole state. Versioned: a state written by another build is
 * ignored. VS Code serialises the state to JSON on every setState, so the copy is kept small —
 * per-unit arrays only on the latest probe, a wide model's history thinned to a few steps — and
 * written at most every PERSIST_INTERVAL_MS.
 */
import type { DashboardState, ProbeEvent } from '../src/protocol';
import { MAX_PROBES, thinOnStepGrid } from '../src/dashboard-state';

/** 2: histograms re-bin onto the newest edges; states from before (fixed edges) are not reused. */
export const PERSISTED_STATE_VERSION = 2;
/** Layer-probes per arm in the persisted copy: a 4-layer model keeps its history, a 200-layer one 10 steps. */
export const PERSISTED_LAYER_PROBES = 2000;
export const PERSIST_INTERVAL_MS = 2000;

export interface PersistedState {
  version: typeof PERSISTED_STATE_VERSION;
  dashboard: DashboardState;
}

export function compactProbes(probes: readonly ProbeEvent[]): ProbeEvent[] {
  return probes.map((p, i) =>
    i === probes.length - 1
      ? p
      : {
          ...p,
          layers: p.layers.map((l) => ({
            ...l,
            fireCount: [],
            dead: { ...l.dead, units: [] },
            dormant: { ...l.dormant, units: [] },
            saturated: l.saturated ? { ...l.saturated, units: [] } : null,
          })),
        },
  );
}

/** Each arm's probe events thinned to the persisted budget (step 0 and the newest stay). */
export function persistedProbes(probes: readonly ProbeEvent[]): ProbeEvent[] {
  const arms = new Set(probes.map((p) => p.arm));
  const kept = new Set<ProbeEvent>();
  for (const arm of arms) {
    const ofArm = probes.filter((p) => p.arm === arm);
    const layers = Math.max(1, ofArm[ofArm.length - 1]?.layers.length ?? 1);
    const cap = Math.max(2, Math.min(MAX_PROBES, Math.floor(PERSISTED_LAYER_PROBES / layers)));
    for (const p of ofArm.length > cap ? thinOnStepGrid(ofArm, cap) : ofArm) kept.add(p);
  }
  return probes.filter((p) => kept.has(p));
}

export function toPersisted(state: DashboardState): PersistedState {
  return {
    version: PERSISTED_STATE_VERSION,
    dashboard: { ...state, probes: compactProbes(persistedProbes(state.probes)) },
  };
}

/** Calls `save` at most every `ms` with the latest value: at once when idle, else once the interval ends. */
export function throttledSave<T>(save: (value: T) => void, ms: number): (value: T) => void {
  let last = -Infinity;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = Date.now();
    save(value);
  };
  return (value: T) => {
    pending = { value };
    if (timer) return;
    timer = setTimeout(flush, Math.max(0, last + ms - Date.now()));
  };
}

export function fromPersisted(raw: unknown): DashboardState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const p = raw as Partial<PersistedState>;
  if (p.version !== PERSISTED_STATE_VERSION || typeof p.dashboard !== 'object' || p.dashboard === null)
    return null;
  const d = p.dashboard;
  return Array.isArray(d.probes) && Array.isArray(d.progress) && Array.isArray(d.findings) ? d : null;
}
