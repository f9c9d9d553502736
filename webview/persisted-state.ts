/**
 * What the webview keeps with vscode.setState so a hidden and re-shown view paints at once, before
 * the host answers `ready`. Versioned: a state written by another build is ignored. Per-unit arrays
 * are dropped from all but the latest probe to keep the stored copy small.
 */
import type { DashboardState, ProbeEvent } from '../src/protocol';

export const PERSISTED_STATE_VERSION = 1;

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

export function toPersisted(state: DashboardState): PersistedState {
  return { version: PERSISTED_STATE_VERSION, dashboard: { ...state, probes: compactProbes(state.probes) } };
}

export function fromPersisted(raw: unknown): DashboardState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const p = raw as Partial<PersistedState>;
  if (p.version !== PERSISTED_STATE_VERSION || typeof p.dashboard !== 'object' || p.dashboard === null)
    return null;
  const d = p.dashboard;
  return Array.isArray(d.probes) && Array.isArray(d.progress) && Array.isArray(d.findings) ? d : null;
}
