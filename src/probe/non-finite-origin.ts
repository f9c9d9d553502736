/**
 * Where the first NaN / ±Inf came from, once training stopped on one. Checked in the order a fix
 * would follow: the input data (nothing downstream can be finite), a layer's weights (the first in
 * model order), then the first layer in model order whose output on the probe set is non-finite —
 * every layer, not only the tapped ones, so a pooling or normalisation layer can be named too.
 * Runs once per stopped run: it reads every weight and every layer's output back.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';

export type NonFiniteOrigin =
  | {
      kind: 'input';
      split: 'probe set' | 'training data';
      /** Non-finite values, samples holding one, and the first such sample (0-based). */
      values: number;
      samples: number;
      firstSample: number;
    }
  | { kind: 'weights'; layer: string; weight: string; values: number; size: number }
  | { kind: 'output'; layer: string; values: number; size: number }
  /** Weights, data and every layer's output on the probe set are finite: only the training loss is not. */
  | { kind: 'loss' };

/** Non-finite values in `x` (samples of `sampleSize` values each). */
export function nonFiniteSamples(
  x: Float32Array,
  sampleSize: number,
): { values: number; samples: number; firstSample: number } {
  let values = 0;
  let samples = 0;
  let firstSample = -1;
  let lastSample = -1;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!)) continue;
    values++;
    const s = Math.floor(i / sampleSize);
    if (s !== lastSample) {
      samples++;
      lastSample = s;
      if (firstSample < 0) firstSample = s;
    }
  }
  return { values, samples, firstSample };
}

/** Counts of non-finite values per tensor, read back in one call. */
async function nonFiniteCounts(tf: Tf, make: () => tfType.Tensor[]): Promise<number[]> {
  const packed = tf.tidy(() => {
    const counts = make().map((t) => tf.logicalNot(tf.isFinite(t)).cast('float32').sum());
    return counts.length > 0 ? tf.stack(counts) : tf.zeros([0]);
  });
  const values = Array.from(await packed.data());
  packed.dispose();
  return values;
}

async function firstNonFiniteWeight(
  tf: Tf,
  model: tfType.LayersModel,
): Promise<Extract<NonFiniteOrigin, { kind: 'weights' }> | null> {
  const owned = model.layers.flatMap((layer) => layer.weights.map((w) => ({ layer: layer.name, w })));
  const counts = await nonFiniteCounts(tf, () => owned.map(({ w }) => w.read()));
  const i = counts.findIndex((c) => c > 0);
  if (i < 0) return null;
  const { layer, w } = owned[i]!;
  // Variable names are scoped (`dense_1/kernel`): the part after the layer says which weight.
  const weight = w.originalName.split('/').pop() ?? w.originalName;
  return {
    kind: 'weights',
    layer,
    weight,
    values: counts[i]!,
    size: w.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
  };
}

/** Every layer's own output tensors (a layer used once; shared layers are skipped). */
function layerOutputs(model: tfType.LayersModel): { layer: string; outputs: tfType.SymbolicTensor[] }[] {
  const found: { layer: string; outputs: tfType.SymbolicTensor[] }[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    try {
      const out = layer.output;
      found.push({ layer: layer.name, outputs: Array.isArray(out) ? out : [out] });
    } catch {
      // A layer applied at several places has no single output; its callers are still checked.
    }
  }
  return found;
}

async function firstNonFiniteOutput(
  tf: Tf,
  model: tfType.LayersModel,
  probeX: tfType.Tensor,
): Promise<Extract<NonFiniteOrigin, { kind: 'output' }> | null> {
  const layers = layerOutputs(model);
  if (layers.length === 0) return null;
  const all = tf.model({ inputs: model.inputs, outputs: layers.flatMap((l) => l.outputs) });
  const sizes: number[] = [];
  const counts = await nonFiniteCounts(tf, () => {
    const raw = all.predict(probeX, { batchSize: probeX.shape[0]! });
    const outputs = Array.isArray(raw) ? raw : [raw];
    outputs.forEach((o) => sizes.push(o.size));
    return outputs;
  });
  let k = 0;
  for (const l of layers) {
    const n = l.outputs.length;
    const values = counts.slice(k, k + n).reduce((a, b) => a + b, 0);
    const size = sizes.slice(k, k + n).reduce((a, b) => a + b, 0);
    k += n;
    if (values > 0) return { kind: 'output', layer: l.layer, values, size };
  }
  return null;
}

export interface NonFiniteInputs {
  /** The probe set and the training data, flat, with the shape of one sample. */
  probe: Float32Array;
  train: Float32Array;
  sampleShape: number[];
}

/** The origin of the first non-finite value in a model that produced one (see the file comment). */
export async function diagnoseNonFinite(
  tf: Tf,
  model: tfType.LayersModel,
  data: NonFiniteInputs,
): Promise<NonFiniteOrigin> {
  const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
  for (const [split, x] of [
    ['probe set', data.probe],
    ['training data', data.train],
  ] as const) {
    const found = nonFiniteSamples(x, sampleSize);
    if (found.values > 0) return { kind: 'input', split, ...found };
  }
  const weights = await firstNonFiniteWeight(tf, model);
  if (weights) return weights;
  const probeX = tf.tensor(data.probe, [data.probe.length / sampleSize, ...data.sampleShape]);
  try {
    return (await firstNonFiniteOutput(tf, model, probeX)) ?? { kind: 'loss' };
  } finally {
    probeX.dispose();
  }
}

/** One line for logs and messages: where the first non-finite value came from. */
export function describeOrigin(origin: NonFiniteOrigin): string {
  switch (origin.kind) {
    case 'input':
      return `the input data: the ${origin.split} holds ${origin.values} NaN/Inf value${origin.values === 1 ? '' : 's'} in ${origin.samples} sample${origin.samples === 1 ? '' : 's'} (the first is sample ${origin.firstSample})`;
    case 'weights':
      return `the weights of ${origin.layer}: ${origin.values} of ${origin.size} values of its ${origin.weight} are NaN/Inf`;
    case 'output':
      return `${origin.layer}, the first layer whose output is NaN/Inf (${origin.values} of ${origin.size} values on the probe set) while its inputs and weights are finite`;
    case 'loss':
      return 'the loss alone: the data, the weights and every layer output on the probe set are finite';
  }
}
