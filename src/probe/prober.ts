/**
 * Runs the fixed probe set through the tap model and summarises every tapped layer. Each layer's
 * histogram range is carried from probe to probe and only ever doubles (src/histogram.ts), so the
 * histograms of one layer stay comparable. Owns the probe-set tensor on the device.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import type { LayerProbe } from '../protocol';
import { rangeOfEdges, type HistogramRange } from '../histogram';
import { summariseProbe } from './statistics';
import { selectTaps, tapModel, type Tap } from './taps';

export class Prober {
  readonly taps: Tap[];
  private readonly model: tfType.LayersModel;
  private readonly probeX: tfType.Tensor;
  private ranges: (HistogramRange | null)[];

  constructor(
    private readonly tf: Tf,
    trained: tfType.LayersModel,
    probeX: Float32Array,
    sampleShape: number[],
    private readonly dormantTau: number,
  ) {
    this.taps = selectTaps(trained);
    this.model = tapModel(tf, trained, this.taps);
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
      const layers = await summariseProbe(this.tf, outputs, this.taps, {
        step,
        ranges: this.ranges,
        dormantTau: this.dormantTau,
      });
      this.ranges = layers.map((l) => rangeOfEdges(l.histogram.edges));
      return layers;
    } finally {
      outputs.forEach((o) => o.dispose());
    }
  }

  dispose(): void {
    this.probeX.dispose();
  }
}
