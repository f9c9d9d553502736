/**
 * Runs the fixed probe set through the tap model and summarises every tapped layer. Each layer's
 * histogram range is carried from probe to probe and only ever doubles (src/histogram.ts), so the
 * histograms of one layer stay comparable. Units with NaN/Inf weights or inputs are never counted
 * dead (unit-faults.ts). Owns the probe-set tensor on the device.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { LayerProbe } from '../protocol';
import { rangeOfEdges, type HistogramRange } from '../histogram';
import { summariseProbe } from './statistics';
import { selectTaps, tapModel, type Tap } from './taps';
import { activationInput, excludeFaultyUnits, unitFaults } from './unit-faults';

export class Prober {
  readonly taps: Tap[];
  private readonly model: tfType.LayersModel;
  private readonly probeX: tfType.Tensor;
  private ranges: (HistogramRange | null)[];
  /** Per tap: where in the tap model's outputs the value it receives is (activation layers), or null. */
  private readonly inputAt: (number | null)[];
  /** Tapped layers whose own weights held NaN/Inf at the last probe (the run stops on them). */
  nonFiniteWeights: string[] = [];

  constructor(
    private readonly tf: Tf,
    trained: tfType.LayersModel,
    probeX: Float32Array,
    sampleShape: number[],
    private readonly dormantTau: number,
  ) {
    this.taps = selectTaps(trained);
    // What an activation layer receives is another tap's output or one more output of the tap model.
    const extra: tfType.SymbolicTensor[] = [];
    this.inputAt = this.taps.map((tap) => {
      const input = activationInput(tap);
      if (input === null || trained.inputs.includes(input)) return null;
      const tapped = this.taps.findIndex((t) => t.layer.output === input);
      if (tapped >= 0) return tapped;
      extra.push(input);
      return this.taps.length + extra.length - 1;
    });
    this.model = tapModel(tf, trained, this.taps, extra);
    this.probeX = tf.tensor(probeX, [probeX.length / sampleShape.reduce((a, b) => a * b, 1), ...sampleShape]);
    this.ranges = this.taps.map(() => null);
  }

  get probeSize(): number {
    return this.probeX.shape[0]!;
  }

  async probe(step: number): Promise<LayerProbe[]> {
    if (this.taps.length === 0) return [];
    const raw = this.model.predict(this.probeX, { batchSize: this.probeSize });
    const outputs = Array.isArray(raw) ? raw : [raw];
    try {
      const measured = await summariseProbe(this.tf, outputs.slice(0, this.taps.length), this.taps, {
        step,
        ranges: this.ranges,
        dormantTau: this.dormantTau,
      });
      this.ranges = measured.map((l) => rangeOfEdges(l.histogram.edges));
      const faults = await unitFaults(
        this.tf,
        this.taps,
        this.inputAt.map((i) => (i === null ? null : outputs[i]!)),
      );
      this.nonFiniteWeights = this.taps.flatMap((t, i) => ((faults[i]?.weights ?? 0) > 0 ? [t.name] : []));
      return measured.map((l, i) => excludeFaultyUnits(l, faults[i] ?? null));
    } finally {
      outputs.forEach((o) => o.dispose());
    }
  }

  dispose(): void {
    this.probeX.dispose();
  }
}
