/** Finished runs for the run-store, saved-run and export tests: states the engine could have sent. */
import type { DashboardState, LayerProbe, LayerReport, Report } from '../../../src/protocol';
import { applyEngineEvent, emptyDashboardState } from '../../../src/dashboard-state';
import { emptyReport, probe, probeEvent, runStarted } from '../extension/fixtures';

export interface RunShape {
  runId?: string;
  file?: string | null;
  model?: string;
  /** Layer names; the last one dies (dead share grows to `deadAtEnd`). */
  layers?: string[];
  steps?: number;
  every?: number;
  deadAtEnd?: number;
  cancelled?: boolean;
}

function layerReport(last: LayerProbe, history: LayerProbe[]): LayerReport {
  return {
    name: last.layer,
    className: 'Dense',
    activation: 'relu',
    source: null,
    units: last.units,
    dead: last.dead,
    dormant: last.dormant,
    saturated: last.saturated,
    sparsity: last.sparsity,
    mean: last.mean,
    std: last.std,
    min: last.min,
    max: last.max,
    histogram: last.histogram,
    nonFinite: last.nonFinite,
    meanDrift: history.map((p) => ({ step: p.step, mean: p.mean })),
    deadFraction: history.map((p) => ({ step: p.step, fraction: p.dead.fraction })),
    neverFires: null,
  };
}

/** A run of `steps` steps probed every `every`, finished with a report that matches its probes. */
export function finishedState(shape: RunShape = {}): DashboardState {
  const runId = shape.runId ?? 'run-1';
  const layers = shape.layers ?? ['conv2d', 'dense'];
  const steps = shape.steps ?? 40;
  const every = shape.every ?? 10;
  const units = 64;
  let s = applyEngineEvent(emptyDashboardState(), {
    ...runStarted(runId, shape.file ?? '/w/mnist_cnn.py'),
    model: { name: shape.model ?? 'mnist_cnn', origin: 'keras-py', file: shape.file ?? null, layers: [] },
  });
  const history = new Map<string, LayerProbe[]>();
  for (let step = 0; step <= steps; step += every) {
    const ps = layers.map((name, i) => {
      const dying = i === layers.length - 1;
      const dead = dying ? Math.round(((shape.deadAtEnd ?? 0.41) * units * step) / steps) : 0;
      return probe(name, step, dead, units, 0.1 + (dying ? step / 100 : 0));
    });
    for (const p of ps) history.set(p.layer, [...(history.get(p.layer) ?? []), p]);
    s = applyEngineEvent(s, probeEvent(runId, step, ps));
  }
  const loss = Array.from({ length: steps }, (_, i) => 2.3 - i / steps);
  const report: Report = emptyReport({
    model: { name: shape.model ?? 'mnist_cnn', origin: 'keras-py', file: shape.file ?? null, layers: [] },
    backend: 'wasm',
    layers: [...history.values()].map((h) => layerReport(h[h.length - 1]!, h)),
    training: {
      steps,
      loss,
      accuracy: loss.map((_, i) => i / steps),
      valLoss: [1.5],
      valAccuracy: [0.6],
      valSteps: [steps],
      samplesPerSecond: 300,
      wallSeconds: 10,
      probeSeconds: 1,
    },
    cancelled: shape.cancelled ?? false,
  });
  return applyEngineEvent(s, { v: 1, runId, type: 'run-finished', report });
}
