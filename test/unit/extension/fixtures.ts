/** Probe / state builders shared by the extension and webview tests. */
import {
  REPORT_SCHEMA,
  type DashboardState,
  type LayerProbe,
  type ProbeEvent,
  type Report,
  type RunConfig,
  type RunStartedEvent,
} from '../../../src/protocol';
import { defaultRunConfig } from '../../../src/run-config';

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

/** A complete, valid report of a run that trained nothing: what scripted engines send (the host checks it). */
export function emptyReport(overrides: Partial<Report> = {}): Report {
  return {
    schema: REPORT_SCHEMA,
    createdAt: '2025-01-01T00:00:00.000Z',
    backend: 'cpu',
    backendDetail: 'cpu',
    model: { name: 'm', origin: 'example', file: null, layers: [] },
    data: { name: 'digits', train: 8000, probe: 256, validation: 1000 },
    config: defaultRunConfig(),
    layers: [],
    findings: [],
    training: {
      steps: 0,
      loss: [],
      accuracy: [],
      valLoss: [],
      valAccuracy: [],
      valSteps: [],
      samplesPerSecond: 0,
      wallSeconds: 0,
      probeSeconds: 0,
    },
    cancelled: false,
    ...overrides,
  };
}

/** A run of the example far longer than any test waits for (wasm, small batches): what Stop must cut short. */
export function longWasmRun(steps: number): RunConfig {
  return { ...defaultRunConfig(), example: 'mnist-cnn', backend: 'wasm', steps, batch: 32, probe: 64 };
}
