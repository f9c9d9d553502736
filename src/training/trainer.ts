/**
 * One model's training, a step at a time, so a caller can interleave probes (and what-if arms)
 * between steps. Batches come from a seeded shuffle and dropout masks from seeded per-step seeds,
 * so the same seed gives the same run on the same backend.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { Split, Splits } from '../data/splits';
import { makeOptimizer } from './optimizer';
import { permutation, seededRandom } from './rng';

export interface TrainerOptions {
  batchSize: number;
  seed: number;
  optimizer?: string | undefined;
  learningRate?: number | null | undefined;
}

export interface StepResult {
  loss: number;
  accuracy: number;
}

/** The loss that fits the model's last activation (softmax probabilities, log-probabilities or logits). */
function lossFor(
  tf: Tf,
  lastActivation: string | null,
): string | ((y: tfType.Tensor, p: tfType.Tensor) => tfType.Tensor) {
  if (lastActivation === 'softmax') return 'categoricalCrossentropy';
  if (lastActivation === 'log_softmax')
    return (y: tfType.Tensor, logp: tfType.Tensor) => tf.neg(tf.sum(tf.mul(y, logp), -1)).mean();
  return (y: tfType.Tensor, logits: tfType.Tensor) => tf.losses.softmaxCrossEntropy(y, logits);
}

export class Trainer {
  private readonly order: () => Int32Array;
  private epochOrder: Int32Array;
  private cursor = 0;
  private readonly dropoutSeeds: () => number;
  private readonly dropouts: { seed?: number }[];
  private readonly sampleSize: number;
  stepsDone = 0;
  private readonly optimizer: tfType.Optimizer;

  constructor(
    private readonly tf: Tf,
    readonly model: tfType.LayersModel,
    private readonly splits: Splits,
    private readonly options: TrainerOptions,
    lastActivation: string | null,
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
    model.compile({
      optimizer: this.optimizer,
      loss: lossFor(tf, lastActivation),
      metrics: ['accuracy'],
    });
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.splits.train.count / this.options.batchSize);
  }

  private nextBatch(): { x: Float32Array; y: Int32Array } {
    const n = Math.min(this.options.batchSize, this.splits.train.count);
    if (this.cursor + n > this.epochOrder.length) {
      this.epochOrder = this.order();
      this.cursor = 0;
    }
    const x = new Float32Array(n * this.sampleSize);
    const y = new Int32Array(n);
    const { x: allX, y: allY } = this.splits.train;
    for (let i = 0; i < n; i++) {
      const s = this.epochOrder[this.cursor + i]!;
      x.set(allX.subarray(s * this.sampleSize, (s + 1) * this.sampleSize), i * this.sampleSize);
      y[i] = allY[s]!;
    }
    this.cursor += n;
    return { x, y };
  }

  private tensors(split: { x: Float32Array; y: Int32Array }): [tfType.Tensor, tfType.Tensor] {
    const n = split.y.length;
    const tf = this.tf;
    const xs = tf.tensor(split.x, [n, ...this.splits.sampleShape]);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(split.y, 'int32'), this.splits.classes).cast('float32'));
    return [xs, ys];
  }

  async step(): Promise<StepResult> {
    // A fresh dropout seed per step: a fixed seed would reuse one mask forever.
    for (const d of this.dropouts) d.seed = this.dropoutSeeds();
    const [xs, ys] = this.tensors(this.nextBatch());
    try {
      const out = (await this.model.trainOnBatch(xs, ys)) as number[];
      this.stepsDone++;
      return { loss: out[0]!, accuracy: out[1]! };
    } finally {
      xs.dispose();
      ys.dispose();
    }
  }

  async evaluate(split: Split = this.splits.validation): Promise<StepResult> {
    if (split.count === 0) return { loss: NaN, accuracy: NaN };
    const [xs, ys] = this.tensors(split);
    try {
      const out = this.model.evaluate(xs, ys, { batchSize: 500 }) as tfType.Scalar[];
      const values = await Promise.all(out.map((t) => t.data()));
      out.forEach((t) => t.dispose());
      return { loss: values[0]![0]!, accuracy: values[1]![0]! };
    } finally {
      xs.dispose();
      ys.dispose();
    }
  }

  /** The optimizer and its slot variables are ours (the model does not own an optimizer instance). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
