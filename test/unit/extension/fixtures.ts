/** Probe / state builders shared by the extension and webview tests. */
import type { DashboardState, LayerProbe, ProbeEvent, RunStartedEvent } from '../../../src/protocol';

export function probe(
  layer: string,
  step: number,
  dead: number,
  units: number,
  mean: number,
  extra: Partial<LayerProbe> = {},
): LayerProbe {
  return {
    layer,
    step,
    units,
    observationsPerUnit: 256,
    fireCount: Array.from({ length: units }, (_, i) => (i < dead ? 0 : 10)),
    dead: { count: dead, fraction: dead / units, units: Array.from({ length: dead }, (_, i) => i) },
    dormant: { count: 0, fraction: 0, units: [] },
    saturated: null,
    sparsity: 0.5,
    mean,
    std: 1,
    min: 0,
    max: 3,
    meanAbs: Math.abs(mean),
    histogram: { edges: [0, 1, 2, 3], counts: [5, 3, 1], underflow: 0, overflow: 0 },
    nonFinite: 0,
    ...extra,
  };
}

export function probeEvent(runId: string, step: number, layers: LayerProbe[], arm?: string): ProbeEvent {
  return { v: 1, runId, type: 'probe', step, layers, ...(arm ? { arm } : {}) };
}

export function runStarted(runId: string, file: string | null): RunStartedEvent {
  return {
    v: 1,
    runId,
    type: 'run-started',
    backend: 'wasm',
    backendDetail: 'wasm (SIMD, 1 thread)',
    model: { name: 'sequential', origin: 'keras-py', file, layers: [] },
    probeSize: 256,
    totalSteps: 300,
    definitions: {},
  };
}

export function stateWith(file: string | null, probes: ProbeEvent[]): DashboardState {
  return {
    runId: 'r1',
    status: 'running',
    started: runStarted('r1', file),
    progress: [],
    probes,
    validation: [],
    findings: [],
    report: null,
    error: null,
  };
}
