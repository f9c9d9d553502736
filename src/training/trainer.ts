/**
 * One model's training, a step at a time, so a caller can interleave probes (and what-if arms)
 * between steps. Batches come from a seeded shuffle and dropout masks from seeded per-step seeds,
 * so the same seed gives the same run on the same backend. Each output trains with the loss its
 * plan names (src/training/loss-plan.ts) on targets made from the stored labels as the label
 * check decided (src/training/label-check.ts).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { Split, Splits } from '../data/splits';
import type { TrainingPlan } from './label-check';
import { accuracyFunction, lossFunction, type TensorFn } from './losses';
import { makeOptimizer } from './optimizer';
import { permutation, seededRandom } from './rng';
import { explainTrainingFailure } from './training-failure';

export interface TrainerOptions {
  batchSize: number;
  seed: number;
  optimizer?: string | undefined;
  learningRate?: number | null | undefined;
}

export interface StepResult {
  loss: number;
  /** NaN where accuracy means nothing (a regression model). */
  accuracy: number;
}

/** Held-out samples per evaluation chunk: bounds the memory of a validation pass. */
const EVALUATION_CHUNK = 500;

export class Trainer {
  private readonly order: () => Int32Array;
  private epochOrder: Int32Array;
  private cursor = 0;
  private readonly dropoutSeeds: () => number;
  private readonly dropouts: { seed?: number }[];
  private readonly sampleSize: number;
  stepsDone = 0;
  private readonly optimizer: tfType.Optimizer;
  private readonly losses: TensorFn[];
  /** The first output whose accuracy means something, with its function; null: none does. */
  private readonly accuracy: { head: number; fn: TensorFn } | null;
  private evaluated = false;

  constructor(
    private readonly tf: Tf,
    readonly model: tfType.LayersModel,
    private readonly splits: Splits,
    private readonly options: TrainerOptions,
    private readonly plan: TrainingPlan,
  ) {
    const shuffle = seededRandom(options.seed);
    this.order = () => permutation(splits.train.count, shuffle);
    this.epochOrder = this.order();
    this.dropoutSeeds = (() => {
      const r = seededRandom(options.seed ^ 0x5eed);
      return () => Math.floor(r() * 2 ** 31);
    })();
    this.dropouts = model.layers.filter((l) => l.getClassName().includes('Dropout')) as unknown as {
      seed?: number;
    }[];
    this.sampleSize = splits.sampleShape.reduce((a, b) => a * b, 1);
    this.optimizer = makeOptimizer(tf, options.optimizer, options.learningRate);
    this.losses = plan.heads.map((h) => lossFunction(tf, h));
    const head = plan.heads.findIndex((h) => accuracyFunction(tf, h) !== null);
    this.accuracy = head >= 0 ? { head, fn: accuracyFunction(tf, plan.heads[head]!)! } : null;
    const outputName = model.outputNames[head] ?? '';
    model.compile({
      optimizer: this.optimizer,
      loss: this.losses.length === 1 ? this.losses[0]! : this.losses,
      // One metric at most, so it is always the last value trainOnBatch returns.
      metrics: !this.accuracy
        ? []
        : this.losses.length === 1
          ? [this.accuracy.fn]
          : { [outputName]: this.accuracy.fn },
    });
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.splits.train.count / this.options.batchSize);
  }

  private nextBatch(): Split {
    const n = Math.min(this.options.batchSize, this.splits.train.count);
    if (this.cursor + n > this.epochOrder.length) {
      this.epochOrder = this.order();
      this.cursor = 0;
    }
    const x = new Float32Array(n * this.sampleSize);
    const { x: allX, targets: allTargets } = this.splits.train;
    const targets = allTargets.map((t, k) => new Float32Array(n * this.splits.labels[k]!.width));
    for (let i = 0; i < n; i++) {
      const s = this.epochOrder[this.cursor + i]!;
      x.set(allX.subarray(s * this.sampleSize, (s + 1) * this.sampleSize), i * this.sampleSize);
      allTargets.forEach((t, k) => {
        const w = this.splits.labels[k]!.width;
        targets[k]!.set(t.subarray(s * w, (s + 1) * w), i * w);
      });
    }
    this.cursor += n;
    return { x, targets, count: n };
  }

  /** The inputs and one target tensor per output for samples [from, from + count) of `split`. */
  private tensors(split: Split, from = 0, count = split.count): [tfType.Tensor, tfType.Tensor[]] {
    const tf = this.tf;
    const x = split.x.subarray(from * this.sampleSize, (from + count) * this.sampleSize);
    const xs = tf.tensor(x, [count, ...this.splits.sampleShape]);
    const ys = this.plan.targets.map((t) =>
      tf.tidy(() => {
        const w = this.splits.labels[t.set]!.width;
        const stored = split.targets[t.set]!.subarray(from * w, (from + count) * w);
        if (t.encode === 'one-hot')
          return tf.oneHot(tf.tensor1d(Int32Array.from(stored), 'int32'), t.width).cast('float32');
        return tf.tensor(stored, [count, ...t.shape]);
      }),
    );
    return [xs, ys];
  }

  async step(): Promise<StepResult> {
    // A fresh dropout seed per step: a fixed seed would reuse one mask forever.
    for (const d of this.dropouts) d.seed = this.dropoutSeeds();
    const [xs, ys] = this.tensors(this.nextBatch());
    try {
      const out = await this.model.trainOnBatch(xs, ys.length === 1 ? ys[0]! : ys);
      this.stepsDone++;
      // A model compiled without metrics returns its loss alone, as a number.
      const values = Array.isArray(out) ? out : [out];
      return { loss: values[0]!, accuracy: this.accuracy ? values[values.length - 1]! : NaN };
    } catch (e) {
      // The first step is where a model TF.js cannot train fails: say where. Later ones are ours.
      throw this.stepsDone === 0
        ? explainTrainingFailure(e, this.plan.model, 'train', this.outputNames())
        : e;
    } finally {
      xs.dispose();
      ys.forEach((y) => y.dispose());
    }
  }

  /**
   * Loss (summed over the outputs, as training sums it) and accuracy on `split`, in chunks. The data
   * loss only: regularisation terms, which trainOnBatch adds, are not part of a validation loss here.
   */
  async evaluate(split: Split = this.splits.validation): Promise<StepResult> {
    const first = !this.evaluated;
    this.evaluated = true;
    try {
      return await this.evaluateOn(split);
    } catch (e) {
      throw first ? explainTrainingFailure(e, this.plan.model, 'evaluate', this.outputNames()) : e;
    }
  }

  private async evaluateOn(split: Split): Promise<StepResult> {
    if (split.count === 0) return { loss: NaN, accuracy: NaN };
    const tf = this.tf;
    let loss = 0;
    let accuracy = 0;
    for (let from = 0; from < split.count; from += EVALUATION_CHUNK) {
      const count = Math.min(EVALUATION_CHUNK, split.count - from);
      const [xs, ys] = this.tensors(split, from, count);
      try {
        const [l, a] = tf.tidy(() => {
          const out = this.model.predict(xs, { batchSize: EVALUATION_CHUNK });
          const preds = Array.isArray(out) ? out : [out];
          const total = tf.addN(this.losses.map((fn, i) => fn(ys[i]!, preds[i]!)));
          const acc = this.accuracy
            ? this.accuracy.fn(ys[this.accuracy.head]!, preds[this.accuracy.head]!)
            : tf.scalar(NaN);
          return [total, acc];
        });
        const [lv, av] = await Promise.all([l.data(), a.data()]);
        l.dispose();
        a.dispose();
        loss += lv[0]! * count;
        accuracy += av[0]! * count;
      } finally {
        xs.dispose();
        ys.forEach((y) => y.dispose());
      }
    }
    return { loss: loss / split.count, accuracy: this.accuracy ? accuracy / split.count : NaN };
  }

  private outputNames(): string[] {
    return this.plan.heads.map((h) => h.head.name);
  }

  /** The optimizer and its slot variables are ours (the model does not own an optimizer instance). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
