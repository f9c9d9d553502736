/**
 * A synthetic run for the dashboard's performance check, in a Web Worker so that making the events
 * costs the page nothing: the page only pays for receiving them (a structured clone, as from the
 * host) and for what the dashboard does with them. Layers are shaped like a wide CNN's: 64–512
 * units, four ReLU layers to one ELU, some dying, some drifting, activations that grow up to 100×
 * (histogram ranges widen by the real rule of src/histogram.ts).
 */
import type { EngineEvent, LayerProbe, LayerSummary } from '../../src/protocol';
import {
  initialRange,
  rangeEdges,
  rangeHi,
  widenRange,
  HISTOGRAM_BINS,
  type HistogramRange,
} from '../../src/histogram';

declare const self: {
  postMessage(message: unknown): void;
  onmessage: ((e: { data: SyntheticRunRequest }) => void) | null;
};

export interface SyntheticRunRequest {
  runId: string;
  layers: number;
  probes: number;
  /** Probe events per second; 0 = all at once. */
  perSecond: number;
  stepsPerProbe: number;
}

const OBSERVATIONS = 256;

/** Deterministic, so every measurement sees the same run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LayerShape {
  name: string;
  units: number;
  elu: boolean;
  /** Dying layers: when (share of the run) their units start to die, and the share that dies. */
  dieFrom: number;
  dieTo: number;
  drift: number;
  growth: number;
}

function shapes(n: number, r: () => number): LayerShape[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `block${Math.floor(i / 4)}.conv${i % 4}`,
    units: [64, 128, 256, 512][i % 4]!,
    elu: i % 5 === 4,
    dieFrom: i % 7 === 3 ? 0.6 * r() : 2,
    dieTo: 0.2 + 0.7 * r(),
    drift: i % 3 === 0 ? 2 * r() - 1 : 0.1 * r(),
    growth: i % 10 === 0 ? 100 : 3,
  }));
}

function summary(l: LayerShape, i: number): LayerSummary {
  return {
    name: l.name,
    className: 'Conv2D',
    activation: l.elu ? 'elu' : 'relu',
    outputShape: [null, 8, 8, l.units],
    units: l.units,
    params: l.units * 9 * 64,
    tapped: true,
    source: { file: '/w/resnet.py', line: 10 + i, column: 9 },
  };
}

function layerProbe(
  l: LayerShape,
  step: number,
  t: number,
  ranges: Map<string, HistogramRange>,
  r: () => number,
): LayerProbe {
  const scale = 1 + (l.growth - 1) * t * t;
  const max = 4 * scale * (0.8 + 0.4 * r());
  const min = l.elu ? -1 + 0.01 * r() : 0;
  const previous = ranges.get(l.name);
  const range = widenRange(previous ?? initialRange(l.elu ? 'elu' : 'relu', 1, min, max), min, max).range;
  ranges.set(l.name, range);
  const dying = Math.max(0, Math.min(1, (t - l.dieFrom) / 0.3));
  const deadFraction = l.elu ? 0 : dying > 0 ? dying * l.dieTo : 0.01 * r();
  const deadCount = Math.round(deadFraction * l.units);
  const fireCount = Array.from({ length: l.units }, (_, u) =>
    u < deadCount ? 0 : Math.floor(40 + 200 * r()),
  );
  const total = l.units * OBSERVATIONS;
  // A ReLU layer: a spike at 0 and a half-normal tail; ELU: mass down to −α and the same tail.
  const sparsity = l.elu ? 0.3 : 0.4 + 0.5 * deadFraction;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const zeroBin = Math.floor((0 - range.lo) / range.width);
  counts[Math.max(0, Math.min(HISTOGRAM_BINS - 1, zeroBin))]! += Math.round(total * sparsity);
  const tail = total - Math.round(total * sparsity);
  const sigma = max / 3;
  let placed = 0;
  for (let k = 0; k < HISTOGRAM_BINS; k++) {
    const centre = range.lo + (k + 0.5) * range.width;
    if (centre <= 0 || centre >= max) continue;
    const c = Math.round(
      ((tail * range.width) / sigma) * 0.8 * Math.exp(-(centre * centre) / (2 * sigma * sigma)),
    );
    counts[k]! += c;
    placed += c;
  }
  counts[Math.max(0, zeroBin)]! += Math.max(0, tail - placed);
  const mean = (l.elu ? 0.05 : 0.3) + l.drift * t * 0.5 + 0.01 * r();
  const saturated = l.elu ? Math.round(0.2 * t * l.units) : 0;
  return {
    layer: l.name,
    step,
    units: l.units,
    observationsPerUnit: OBSERVATIONS,
    fireCount,
    dead: {
      count: deadCount,
      fraction: deadCount / l.units,
      units: Array.from({ length: deadCount }, (_, u) => u),
    },
    dormant: { count: 0, fraction: 0, units: [] },
    saturated: l.elu
      ? {
          count: saturated,
          fraction: saturated / l.units,
          units: Array.from({ length: saturated }, (_, u) => u),
        }
      : null,
    sparsity,
    mean,
    std: 0.5 * scale,
    min,
    max: Math.min(max, rangeHi(range) - range.width / 2),
    meanAbs: Math.abs(mean),
    histogram: { edges: rangeEdges(range), counts, underflow: 0, overflow: 0 },
    nonFinite: 0,
  };
}

function run(req: SyntheticRunRequest): void {
  const r = random(req.layers * 7919 + req.probes);
  const layers = shapes(req.layers, r);
  const totalSteps = req.probes * req.stepsPerProbe;
  const ranges = new Map<string, HistogramRange>();
  const send = (event: EngineEvent) => self.postMessage({ kind: 'event', event });
  send({
    v: 1,
    runId: req.runId,
    type: 'run-started',
    backend: 'webgpu',
    backendDetail: 'synthetic',
    model: {
      name: `synthetic-${req.layers}`,
      origin: 'example',
      file: '/w/resnet.py',
      layers: layers.map(summary),
    },
    probeSize: OBSERVATIONS,
    totalSteps,
    definitions: {},
  });
  let i = 0;
  const next = () => {
    const step = i * req.stepsPerProbe;
    const t = i / Math.max(1, req.probes - 1);
    send({
      v: 1,
      runId: req.runId,
      type: 'progress',
      step,
      totalSteps,
      loss: 2.3 * Math.exp(-3 * t) + 0.05 * r(),
      accuracy: 0.1 + 0.85 * (1 - Math.exp(-4 * t)),
      samplesPerSecond: 900 + 50 * r(),
    });
    send({
      v: 1,
      runId: req.runId,
      type: 'probe',
      step,
      layers: layers.map((l) => layerProbe(l, step, t, ranges, r)),
    });
    i++;
    if (i === req.probes) self.postMessage({ kind: 'done' });
    return i < req.probes;
  };
  if (req.perSecond <= 0) {
    while (next());
    return;
  }
  const timer = setInterval(() => {
    if (!next()) clearInterval(timer);
  }, 1000 / req.perSecond);
}

self.onmessage = (e) => run(e.data);
