/**
 * The static check, before any data: a ReLU unit whose largest possible pre-activation over the
 * input range is ≤ 0 can never fire. Bounds are propagated as per-channel intervals through the
 * layer chain (interval arithmetic, sound but loose); the check stops at the first layer it cannot
 * bound, and the layers after it are reported as not checked (null).
 */
import type * as tfType from '@tensorflow/tfjs';
import { activationOf } from '../model/activation-of';
import { CAN_DIE, activationAlpha } from '../model/activation-families';

interface Interval {
  lo: Float64Array;
  hi: Float64Array;
}

const MONOTONE: Record<string, (x: number, alpha: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  elu: (x, a) => (x > 0 ? x : a * (Math.exp(x) - 1)),
  leaky_relu: (x, a) => (x > 0 ? x : a * x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  softplus: (x) => Math.log1p(Math.exp(x)),
};

function applyActivation(iv: Interval, activation: string, alpha: number): Interval | null {
  if (activation === 'softmax') return { lo: iv.lo.map(() => 0), hi: iv.hi.map(() => 1) };
  const f = MONOTONE[activation];
  if (!f) return null;
  return { lo: iv.lo.map((v) => f(v, alpha)), hi: iv.hi.map((v) => f(v, alpha)) };
}

function widenWithZero(iv: Interval): Interval {
  return { lo: iv.lo.map((v) => Math.min(v, 0)), hi: iv.hi.map((v) => Math.max(v, 0)) };
}

/** Dense or conv: per output channel, the min/max of bias + Σ w·x over x in the input intervals. */
function affineBounds(
  kernel: Float32Array,
  bias: Float32Array | null,
  fanIn: number,
  units: number,
  iv: Interval,
  channelOf: (row: number) => number,
): Interval {
  const lo = new Float64Array(units);
  const hi = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    const b = bias ? bias[u]! : 0;
    lo[u] = b;
    hi[u] = b;
  }
  for (let r = 0; r < fanIn; r++) {
    const c = channelOf(r);
    const xl = iv.lo[c]!;
    const xh = iv.hi[c]!;
    const row = r * units;
    for (let u = 0; u < units; u++) {
      const w = kernel[row + u]!;
      hi[u] = hi[u]! + (w >= 0 ? w * xh : w * xl);
      lo[u] = lo[u]! + (w >= 0 ? w * xl : w * xh);
    }
  }
  return { lo, hi };
}

/**
 * For each layer name, the sorted units that can never fire; null where the layer was not checked.
 * `inputRange` is the range of every input element (e.g. [0, 1] for scaled pixels).
 */
export async function neverFiringUnits(
  model: tfType.LayersModel,
  inputRange: [number, number],
): Promise<Map<string, number[] | null>> {
  const result = new Map<string, number[] | null>();
  const inputShape = model.inputs[0]!.shape;
  const channels = inputShape[inputShape.length - 1] ?? 1;
  let iv: Interval | null = {
    lo: new Float64Array(channels).fill(inputRange[0]),
    hi: new Float64Array(channels).fill(inputRange[1]),
  };
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const activation = activationOf(cls, config) ?? 'linear';
    // Only ELU and leaky ReLU use α below; the others ignore it.
    const alpha = activationAlpha(activation, config) ?? 1;
    const out = layer.outputShape as (number | null)[];
    if (iv === null) {
      result.set(layer.name, null);
      continue;
    }
    let pre: Interval | null = null;
    if (cls === 'InputLayer' || cls === 'Dropout' || cls === 'SpatialDropout2D' || cls === 'GaussianNoise') {
      continue;
    } else if (cls === 'Dense' || cls === 'Conv1D' || cls === 'Conv2D') {
      const [kernel, bias] = await Promise.all(
        layer.getWeights().map((w) => w.data() as Promise<Float32Array>),
      );
      const units = out[out.length - 1] as number;
      const kernelSize = kernel!.length / units;
      const inChannels: number = iv.lo.length;
      const padded = cls !== 'Dense' && config.padding === 'same' ? widenWithZero(iv) : iv;
      // Kernel rows are (…spatial, in_channel) flattened: the channel is row % inChannels; for a
      // Dense after Flatten the features are (…spatial, channel) too.
      pre = affineBounds(
        kernel!,
        config.use_bias === false || config.useBias === false ? null : (bias ?? null),
        kernelSize,
        units,
        padded,
        (r) => r % inChannels,
      );
      iv = applyActivation(pre, activation, alpha);
    } else if (cls === 'Flatten') {
      // Per-channel intervals already describe every (position, channel) feature: keep them.
      const features = out[out.length - 1] as number;
      if (features % iv.lo.length !== 0) iv = null;
      continue;
    } else if (
      cls === 'MaxPooling1D' ||
      cls === 'MaxPooling2D' ||
      cls === 'AveragePooling1D' ||
      cls === 'AveragePooling2D' ||
      cls === 'GlobalAveragePooling2D' ||
      cls === 'GlobalMaxPooling2D'
    ) {
      continue; // pooled values stay within the channel's interval
    } else if (['Activation', 'ReLU', 'ELU', 'LeakyReLU', 'Softmax'].includes(cls)) {
      pre = iv;
      iv = applyActivation(iv, activation, alpha);
    } else if (cls === 'BatchNormalization') {
      const weights = await Promise.all(layer.getWeights().map((w) => w.data() as Promise<Float32Array>));
      const [gamma, beta, mean, variance] = weights.length === 4 ? weights : [null, ...weights];
      const eps = typeof config.epsilon === 'number' ? config.epsilon : 1e-3;
      const cur: Interval = iv;
      const lo = new Float64Array(cur.lo.length);
      const hi = new Float64Array(cur.lo.length);
      for (let c = 0; c < cur.lo.length; c++) {
        const scale = (gamma ? gamma[c]! : 1) / Math.sqrt((variance?.[c] ?? 1) + eps);
        const shift = (beta?.[c] ?? 0) - (mean?.[c] ?? 0) * scale;
        const a = cur.lo[c]! * scale + shift;
        const b = cur.hi[c]! * scale + shift;
        lo[c] = Math.min(a, b);
        hi[c] = Math.max(a, b);
      }
      iv = { lo, hi };
      continue;
    } else {
      iv = null;
      result.set(layer.name, null);
      continue;
    }
    if (CAN_DIE.has(activation) && pre) {
      const never: number[] = [];
      pre.hi.forEach((h, u) => {
        if (h <= 0) never.push(u);
      });
      result.set(layer.name, never);
    }
  }
  return result;
}
