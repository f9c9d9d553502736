/**
 * The main job: pick a backend, load the model and data, train with taps, advise, report.
 * Emits protocol events as it goes; the CLI prints them and the extension relays them.
 */
import type * as tfType from '@tensorflow/tfjs';
import { initBackend, type BackendInfo } from '../backend/select';
import type { Tf } from '../backend/tf';
import { loadData } from '../data/load';
import { makeSplits, type Splits } from '../data/splits';
import { buildModel } from '../model/build/build';
import { loadExample, loadModelSpec } from '../model/load';
import type { ModelSpec } from '../model/spec';
import { activationOf, topologyLayers } from '../model/activation-of';
import { neverFiringUnits } from '../probe/never-fires';
import { Prober } from '../probe/prober';
import {
  PROTOCOL_VERSION,
  type EngineEvent,
  type LayerProbe,
  type Report,
  type RunConfig,
} from '../protocol';
import { advise, DEFAULT_THRESHOLDS, type LayerHistory } from '../advisor/rules';
import { Trainer } from '../training/trainer';
import { buildReport, runStartedEvent, sourceFindings } from './report';
import { ProbeSchedule } from './probe-schedule';

export interface CancelToken {
  cancelled: boolean;
}

export type Emit = (event: EngineEvent) => void;

/** Everything a run needs once the backend, model and data are ready (shared with the what-if). */
export interface Prepared {
  tf: Tf;
  backend: BackendInfo;
  spec: ModelSpec;
  splits: Splits;
  batchSize: number;
  totalSteps: number;
}

const MAX_VALIDATION = 1000;
export const VALIDATIONS_PER_RUN = 8;

export async function prepare(config: RunConfig, emit: Emit, runId: string): Promise<Prepared> {
  // The person's model and data first: a bad file fails fast, before any backend is started.
  const spec = config.file ? await loadModelSpec(config.file) : loadExample(config.example ?? 'mnist-cnn');
  const data = await loadData(config.data);
  const { tf, info } = await initBackend(config.backend);
  emit({
    v: PROTOCOL_VERSION,
    runId,
    type: 'log',
    level: 'info',
    message: `backend: ${info.name} — ${info.detail}`,
  });
  for (const a of info.attempts.filter((x) => !x.ok)) {
    emit({
      v: PROTOCOL_VERSION,
      runId,
      type: 'log',
      level: 'info',
      message: `backend ${a.route} not used: ${a.reason}`,
    });
  }
  const inputShape = await inputShapeOf(tf, spec, config.seed);
  const splits = makeSplits(
    data,
    inputShape,
    config.probe,
    MAX_VALIDATION,
    config.data.includes('/') ? config.data : null,
  );
  const batchSize = config.batch ?? spec.training.batchSize ?? 250;
  const stepsPerEpoch = Math.ceil(splits.train.count / batchSize);
  const totalSteps = config.steps ?? (config.epochs ?? spec.training.epochs ?? 1) * stepsPerEpoch;
  return { tf, backend: info, spec, splits, batchSize, totalSteps };
}

async function inputShapeOf(tf: Tf, spec: ModelSpec, seed: number): Promise<(number | null)[]> {
  const model = await buildModel(tf, spec, seed);
  const shape = model.inputs[0]!.shape.slice(1);
  model.dispose();
  return shape;
}

/** The nonlinearity of the model's output layer: softmax probabilities, log-probabilities or logits. */
export function lastActivation(spec: ModelSpec): string {
  const layers = topologyLayers(spec.topology);
  const last = layers[layers.length - 1];
  return last ? (activationOf(last.class_name, last.config) ?? 'linear') : 'linear';
}

/** Trains `model` for the budget, probing on the schedule; returns the probe histories. */
export async function trainWithTaps(
  p: Prepared,
  model: tfType.LayersModel,
  config: RunConfig,
  emit: Emit,
  cancel: CancelToken,
  runId: string,
): Promise<{
  histories: LayerHistory[];
  training: Report['training'];
  probes: LayerProbe[][];
  neverFires: Map<string, number[] | null>;
}> {
  const { tf, splits, spec } = p;
  const trainer = new Trainer(
    tf,
    model,
    splits,
    {
      batchSize: p.batchSize,
      seed: config.seed,
      optimizer: spec.training.optimizer,
      learningRate: config.learningRate ?? spec.training.learningRate,
    },
    lastActivation(spec),
  );
  const prober = new Prober(tf, model, splits.probe.x, splits.sampleShape, config.dormantTau);
  const neverFires = await neverFiringUnits(model, inputRange(splits));
  const schedule = new ProbeSchedule(config.every, config.overheadBudget);
  const loss: number[] = [];
  const accuracy: number[] = [];
  const valLoss: number[] = [];
  const valAccuracy: number[] = [];
  const valSteps: number[] = [];
  const probes: LayerProbe[][] = [];
  const validateEvery = Math.max(1, Math.ceil(p.totalSteps / VALIDATIONS_PER_RUN));
  let probeSeconds = 0;
  let trainSeconds = 0;
  let lastProgress = 0;

  const runProbe = async (step: number) => {
    const t0 = performance.now();
    const layers = await prober.probe(step);
    const seconds = (performance.now() - t0) / 1000;
    probeSeconds += seconds;
    schedule.recordProbe(seconds);
    probes.push(layers);
    emit({ v: PROTOCOL_VERSION, runId, type: 'probe', step, layers });
  };
  const validate = async (step: number) => {
    const r = await trainer.evaluate();
    valLoss.push(r.loss);
    valAccuracy.push(r.accuracy);
    valSteps.push(step);
    emit({ v: PROTOCOL_VERSION, runId, type: 'validation', step, valLoss: r.loss, valAccuracy: r.accuracy });
  };

  const started = performance.now();
  try {
    await runProbe(0);
    let lastProbed = 0;
    for (let step = 1; step <= p.totalSteps && !cancel.cancelled; step++) {
      const t0 = performance.now();
      const r = await trainer.step();
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      schedule.recordStep(seconds);
      loss.push(r.loss);
      accuracy.push(r.accuracy);
      if (!Number.isFinite(r.loss)) {
        emit({
          v: PROTOCOL_VERSION,
          runId,
          type: 'log',
          level: 'warn',
          message: `loss became ${r.loss} at step ${step}; training stopped`,
        });
        await runProbe(step);
        lastProbed = step;
        break;
      }
      const now = performance.now();
      if (now - lastProgress > 100 || step === p.totalSteps) {
        lastProgress = now;
        emit({
          v: PROTOCOL_VERSION,
          runId,
          type: 'progress',
          step,
          totalSteps: p.totalSteps,
          loss: r.loss,
          accuracy: r.accuracy,
          samplesPerSecond: (step * p.batchSize) / trainSeconds,
        });
      }
      if (step === p.totalSteps || schedule.due(step - lastProbed)) {
        await runProbe(step);
        lastProbed = step;
      }
      if (config.validate !== false && (step % validateEvery === 0 || step === p.totalSteps))
        await validate(step);
    }
    if (cancel.cancelled && probes.length > 0 && probes[probes.length - 1]![0]?.step !== loss.length)
      await runProbe(loss.length);
  } finally {
    prober.dispose();
    trainer.dispose();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const histories: LayerHistory[] = prober.taps.map((tap, i) => ({
    name: tap.name,
    activation: tap.activation,
    spec: spec.layers.find((l) => l.name === tap.name) ?? null,
    probes: probes.map((layers) => layers[i]!).filter(Boolean),
    neverFires: neverFires.get(tap.name) ?? null,
  }));
  return {
    histories,
    probes,
    neverFires,
    training: {
      steps: loss.length,
      loss,
      accuracy,
      valLoss,
      valAccuracy,
      valSteps,
      samplesPerSecond: trainSeconds > 0 ? (loss.length * p.batchSize) / trainSeconds : 0,
      wallSeconds,
      probeSeconds,
    },
  };
}

/** The range of every input element, for the static never-fires check. */
export function inputRange(splits: Splits): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const x = splits.train.x;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 1];
}

export async function runAnalysis(
  config: RunConfig,
  emit: Emit,
  cancel: CancelToken,
  runId: string,
): Promise<Report> {
  const p = await prepare(config, emit, runId);
  const model = await buildModel(p.tf, p.spec, config.seed);
  try {
    emit(runStartedEvent(p, model, p.spec, runId));
    const run = await trainWithTaps(p, model, config, emit, cancel, runId);
    const thresholds = {
      ...DEFAULT_THRESHOLDS,
      deadThreshold: config.deadThreshold,
      eluAlpha: config.eluAlpha,
    };
    const findings = [...sourceFindings(p.spec), ...advise(run.histories, run.training, thresholds)];
    emit({ v: PROTOCOL_VERSION, runId, type: 'findings', findings });
    return buildReport({
      prepared: p,
      config,
      model,
      histories: run.histories,
      findings,
      training: run.training,
      cancelled: cancel.cancelled,
    });
  } finally {
    model.dispose();
  }
}
