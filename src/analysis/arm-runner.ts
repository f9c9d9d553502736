/**
 * The one training loop. It trains the arms of one experiment in lockstep — step arm A, step arm B,
 * … — so they progress together and meet the same machine load; the plain analysis is the one-arm
 * case, the ELU what-if two arms, the seed grid four. Every arm gets its own Trainer with the same
 * seed (the same batches in the same order, the same dropout seeds per step), the same probe set,
 * optimizer and budget; probes and validations happen for all arms at the same steps.
 *
 * Stop means stop: between steps the loop yields to the event loop, so a signal or an IPC cancel is
 * seen within one step even on backends whose kernels never give the event loop a turn (wasm, cpu).
 * On cancel, everywhere alike: the round of steps in progress finishes, the state reached is probed
 * if the last probe is older, and every arm returns series of equal length.
 *
 * NaN or ±Inf stops every arm too: a non-finite loss at once, a non-finite probe (any tapped layer)
 * before the next step. Numbers after the first NaN mean nothing, and the run ends with the cause
 * (the data, a layer's weights, the first layer whose output is non-finite: non-finite-stop.ts).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { LayerHistory } from '../advisor/rules';
import type { Split, Splits } from '../data/splits';
import type { ModelSpec } from '../model/spec';
import { neverFiringUnits } from '../probe/never-fires';
import { Prober } from '../probe/prober';
import type { Emit, LayerProbe, RunConfig, TrainingSummary } from '../protocol';
import type { NonFiniteFault } from '../advisor/run-fault';
import { effectiveLearningRate } from '../training/optimizer';
import { Trainer, type StepResult } from '../training/trainer';
import { describeStop, diagnoseStop, type NonFiniteStop } from './non-finite-stop';
import type { Prepared } from './prepare';
import { ProbeSchedule } from './probe-schedule';

export interface CancelToken {
  cancelled: boolean;
}

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
  /** The learning rate this arm trained with (the optimizer's default where none was given). */
  learningRate: number;
  /** Where this arm met its first NaN/Inf and what caused it; null when it met none. */
  fault: NonFiniteFault | null;
}

export interface RunArmsOptions {
  /** Evaluate every arm on this split after the last step (the seed grid's held-out test set). */
  test?: Split;
}

/** Validations per run, spread evenly over the budget (the last step always validates). */
export const VALIDATIONS_PER_RUN = 8;
/** At most this often a progress event per arm (the last step and a stop always report). */
const PROGRESS_INTERVAL_MS = 100;

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
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

/** A macrotask turn: lets signal handlers and IPC messages run (a resolved promise would not). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Arm {
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
  learningRate: number;
  /** The first non-finite loss or probe of this arm (the run stops at it), then its diagnosis. */
  stop: NonFiniteStop | null;
  fault: NonFiniteFault | null;
}

/** Trains every arm for the budget, probing on the schedule; returns each arm's series and probes. */
export async function runArms(
  p: Prepared,
  setups: ArmSetup[],
  config: RunConfig,
  emit: Emit,
  cancel: CancelToken,
  options: RunArmsOptions = {},
): Promise<ArmRun[]> {
  const { tf, splits } = p;
  const arms: Arm[] = [];
  // Events name their arm only when there is more than one: a plain analysis speaks of "the model".
  const armOf = (a: Arm) => (setups.length > 1 ? { arm: a.setup.name } : {});
  const range = inputRange(splits);
  try {
    for (const setup of setups) {
      const learningRate = effectiveLearningRate(
        setup.spec.training.optimizer,
        config.learningRate ?? setup.spec.training.learningRate,
      );
      const trainer = new Trainer(
        tf,
        setup.model,
        splits,
        { batchSize: p.batchSize, seed: config.seed, optimizer: setup.spec.training.optimizer, learningRate },
        // The ELU arm changes hidden layers only: the outputs, their losses and labels are the same.
        p.plan,
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
        learningRate,
        stop: null,
        fault: null,
      });
    }
    const stopped = () => arms.some((a) => a.stop !== null);
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
        emit({ type: 'probe', ...armOf(a), step, layers });
        const nonFinite = layers.some((l) => l.nonFinite > 0) || a.prober.nonFiniteWeights.length > 0;
        if (a.stop === null && nonFinite) a.stop = { step, trigger: 'probe' };
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
        emit({ type: 'validation', ...armOf(a), step, valLoss: r.loss, valAccuracy: r.accuracy });
      }
    };
    const reportProgress = (step: number) => {
      lastProgress = performance.now();
      for (const a of arms) {
        emit({
          type: 'progress',
          ...armOf(a),
          step,
          totalSteps: p.totalSteps,
          loss: a.loss[step - 1]!,
          accuracy: a.accuracy[step - 1]!,
          samplesPerSecond: a.trainSeconds > 0 ? (step * p.batchSize) / a.trainSeconds : 0,
        });
      }
    };

    await probeAll(0);
    let lastProbed = 0;
    let step = 0;
    while (step < p.totalSteps && !stopped()) {
      await nextTurn();
      if (cancel.cancelled) break;
      step++;
      let roundSeconds = 0;
      for (const a of arms) {
        const t0 = performance.now();
        const r = await a.trainer.step();
        const ms = performance.now() - t0;
        a.stepMs.push(ms);
        a.trainSeconds += ms / 1000;
        roundSeconds += ms / 1000;
        a.loss.push(r.loss);
        a.accuracy.push(r.accuracy);
        if (!Number.isFinite(r.loss) && a.stop === null) a.stop = { step, trigger: 'loss' };
      }
      schedule.recordStep(roundSeconds);
      // A cancel that arrived during the round skips the scheduled probe and validation: the final
      // probe below describes the state reached.
      await nextTurn();
      const stopping = stopped() || cancel.cancelled || step === p.totalSteps;
      if (stopping || performance.now() - lastProgress > PROGRESS_INTERVAL_MS) reportProgress(step);
      // Every arm stops at the same step, so the series stay comparable.
      if (stopped() || cancel.cancelled) break;
      if (step === p.totalSteps || schedule.due(step - lastProbed)) {
        await probeAll(step);
        lastProbed = step;
      }
      if (stopped()) break;
      if (config.validate !== false && (step % validateEvery === 0 || step === p.totalSteps))
        await validateAll(step);
    }
    if (lastProbed !== step) await probeAll(step);
    for (const a of arms) {
      if (a.stop === null) continue;
      a.fault = await diagnoseStop(tf, a.setup.model, splits, a.stop);
      emit({
        type: 'log',
        level: 'warn',
        message: `${setups.length > 1 ? `${a.setup.name}: ` : ''}${describeStop(a.fault)}; ${setups.length > 1 ? 'every arm stopped here' : 'training stopped'}`,
      });
    }
    if (options.test) {
      for (const a of arms) a.test = await a.trainer.evaluate(options.test);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    return arms.map((a) => armRun(a, p.batchSize, wallSeconds, arms.length));
  } finally {
    for (const a of arms) {
      a.prober.dispose();
      a.trainer.dispose();
    }
  }
}

function armRun(a: Arm, batchSize: number, wallSeconds: number, armCount: number): ArmRun {
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
      // Arms share the clock: each arm's own share is its train + probe + validation time. A
      // single arm owns the whole wall time, event handling included.
      wallSeconds:
        armCount === 1 ? wallSeconds : Math.min(wallSeconds, a.trainSeconds + a.probeSeconds + a.evalSeconds),
      probeSeconds: a.probeSeconds,
    },
    probes: a.probes,
    histories,
    stepMs: a.stepMs,
    msPerStep: median(a.stepMs),
    test: a.test,
    learningRate: a.learningRate,
    fault: a.fault,
  };
}
