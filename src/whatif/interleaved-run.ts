/**
 * Trains several arms of one experiment in lockstep: step arm A, step arm B, … so they progress
 * together, meet the same machine load, and a cancel (checked only between rounds) leaves series of
 * equal length. Every arm gets its own Trainer with the same seed — the same batches in the same
 * order and the same dropout seeds per step — the same probe set, optimizer and budget; probes and
 * validations happen for all arms at the same steps.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { LayerHistory } from '../advisor/rules';
import { ProbeSchedule } from '../analysis/probe-schedule';
import {
  inputRange,
  lastActivation,
  VALIDATIONS_PER_RUN,
  type CancelToken,
  type Emit,
  type Prepared,
} from '../analysis/run-analysis';
import type { Split } from '../data/splits';
import type { ModelSpec } from '../model/spec';
import { neverFiringUnits } from '../probe/never-fires';
import { Prober } from '../probe/prober';
import { PROTOCOL_VERSION, type LayerProbe, type RunConfig, type TrainingSummary } from '../protocol';
import { Trainer, type StepResult } from '../training/trainer';

export interface ArmSetup {
  name: string;
  spec: ModelSpec;
  model: tfType.LayersModel;
  /** The layers this arm changed (empty for the baseline). */
  layers: string[];
}

export interface ArmRun {
  name: string;
  layers: string[];
  training: TrainingSummary;
  /** Probe results per probe step. */
  probes: LayerProbe[][];
  histories: LayerHistory[];
  /** Every training step's wall time in milliseconds. */
  stepMs: number[];
  /** Median step time (robust to the first steps' kernel compilation and to machine load spikes). */
  msPerStep: number;
  /** Loss and accuracy on `options.test` after training, when given. */
  test: StepResult | null;
}

export interface InterleaveOptions {
  /** Evaluate every arm on this split after the last step (the seed grid's held-out test set). */
  test?: Split;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface ArmState {
  setup: ArmSetup;
  trainer: Trainer;
  prober: Prober;
  neverFires: Map<string, number[] | null>;
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  valSteps: number[];
  probes: LayerProbe[][];
  stepMs: number[];
  trainSeconds: number;
  probeSeconds: number;
  evalSeconds: number;
  test: StepResult | null;
}

export async function runInterleaved(
  p: Prepared,
  setups: ArmSetup[],
  config: RunConfig,
  emit: Emit,
  cancel: CancelToken,
  runId: string,
  options: InterleaveOptions = {},
): Promise<ArmRun[]> {
  const { tf, splits } = p;
  const arms: ArmState[] = [];
  const range = inputRange(splits);
  try {
    for (const setup of setups) {
      const trainer = new Trainer(
        tf,
        setup.model,
        splits,
        {
          batchSize: p.batchSize,
          seed: config.seed,
          optimizer: setup.spec.training.optimizer,
          learningRate: config.learningRate ?? setup.spec.training.learningRate,
        },
        lastActivation(setup.spec),
      );
      arms.push({
        setup,
        trainer,
        prober: new Prober(tf, setup.model, splits.probe.x, splits.sampleShape, config.dormantTau),
        neverFires: await neverFiringUnits(setup.model, range),
        loss: [],
        accuracy: [],
        valLoss: [],
        valAccuracy: [],
        valSteps: [],
        probes: [],
        stepMs: [],
        trainSeconds: 0,
        probeSeconds: 0,
        evalSeconds: 0,
        test: null,
      });
    }
    const schedule = new ProbeSchedule(config.every, config.overheadBudget);
    const validateEvery = Math.max(1, Math.ceil(p.totalSteps / VALIDATIONS_PER_RUN));
    const started = performance.now();
    let lastProgress = 0;

    const probeAll = async (step: number) => {
      let seconds = 0;
      for (const a of arms) {
        const t0 = performance.now();
        const layers = await a.prober.probe(step);
        const s = (performance.now() - t0) / 1000;
        a.probeSeconds += s;
        seconds += s;
        a.probes.push(layers);
        emit({ v: PROTOCOL_VERSION, runId, type: 'probe', arm: a.setup.name, step, layers });
      }
      schedule.recordProbe(seconds);
    };
    const validateAll = async (step: number) => {
      for (const a of arms) {
        const t0 = performance.now();
        const r = await a.trainer.evaluate();
        a.evalSeconds += (performance.now() - t0) / 1000;
        a.valLoss.push(r.loss);
        a.valAccuracy.push(r.accuracy);
        a.valSteps.push(step);
        emit({
          v: PROTOCOL_VERSION,
          runId,
          type: 'validation',
          arm: a.setup.name,
          step,
          valLoss: r.loss,
          valAccuracy: r.accuracy,
        });
      }
    };

    await probeAll(0);
    let lastProbed = 0;
    let step = 0;
    while (step < p.totalSteps && !cancel.cancelled) {
      step++;
      let roundSeconds = 0;
      let diverged: string | null = null;
      for (const a of arms) {
        const t0 = performance.now();
        const r = await a.trainer.step();
        const ms = performance.now() - t0;
        a.stepMs.push(ms);
        a.trainSeconds += ms / 1000;
        roundSeconds += ms / 1000;
        a.loss.push(r.loss);
        a.accuracy.push(r.accuracy);
        if (!Number.isFinite(r.loss)) diverged ??= `${a.setup.name}: loss became ${r.loss} at step ${step}`;
      }
      schedule.recordStep(roundSeconds);
      const now = performance.now();
      if (now - lastProgress > 100 || step === p.totalSteps) {
        lastProgress = now;
        for (const a of arms) {
          emit({
            v: PROTOCOL_VERSION,
            runId,
            type: 'progress',
            arm: a.setup.name,
            step,
            totalSteps: p.totalSteps,
            loss: a.loss[step - 1]!,
            accuracy: a.accuracy[step - 1]!,
            samplesPerSecond: (step * p.batchSize) / a.trainSeconds,
          });
        }
      }
      if (diverged) {
        // Every arm stops at the same step, so the series stay comparable.
        emit({
          v: PROTOCOL_VERSION,
          runId,
          type: 'log',
          level: 'warn',
          message: `${diverged}; every arm stopped here`,
        });
        await probeAll(step);
        lastProbed = step;
        break;
      }
      if (step === p.totalSteps || schedule.due(step - lastProbed)) {
        await probeAll(step);
        lastProbed = step;
      }
      if (config.validate !== false && (step % validateEvery === 0 || step === p.totalSteps))
        await validateAll(step);
    }
    if (lastProbed !== step) await probeAll(step);
    if (options.test) {
      for (const a of arms) a.test = await a.trainer.evaluate(options.test);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    return arms.map((a) => toArmRun(a, p.batchSize, wallSeconds));
  } finally {
    for (const a of arms) {
      a.prober.dispose();
      a.trainer.dispose();
    }
  }
}

function toArmRun(a: ArmState, batchSize: number, wallSeconds: number): ArmRun {
  const histories: LayerHistory[] = a.prober.taps.map((tap, i) => ({
    name: tap.name,
    activation: tap.activation,
    spec: a.setup.spec.layers.find((l) => l.name === tap.name) ?? null,
    probes: a.probes.map((layers) => layers[i]).filter((x): x is LayerProbe => x !== undefined),
    neverFires: a.neverFires.get(tap.name) ?? null,
  }));
  return {
    name: a.setup.name,
    layers: a.setup.layers,
    training: {
      steps: a.loss.length,
      loss: a.loss,
      accuracy: a.accuracy,
      valLoss: a.valLoss,
      valAccuracy: a.valAccuracy,
      valSteps: a.valSteps,
      samplesPerSecond: a.trainSeconds > 0 ? (a.loss.length * batchSize) / a.trainSeconds : 0,
      // The arms share the clock; each arm's own share is its train + probe + validation time.
      wallSeconds: Math.min(wallSeconds, a.trainSeconds + a.probeSeconds + a.evalSeconds),
      probeSeconds: a.probeSeconds,
    },
    probes: a.probes,
    histories,
    stepMs: a.stepMs,
    msPerStep: median(a.stepMs),
    test: a.test,
  };
}
