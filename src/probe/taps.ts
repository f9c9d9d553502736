/**
 * Taps: the layers whose outputs are post-activation values worth watching, and one multi-output
 * model that yields all of them from a single forward pass of the probe set (dropout off).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import { activationOf, isActivationLayerClass } from '../model/activation-of';
import { activationAlpha, saturates } from '../model/activation-families';

const TAPPED_CLASSES = new Set([
  'Dense',
  'Conv1D',
  'Conv2D',
  'Conv3D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Conv2DTranspose',
  'Activation',
]);

/** Layers with a kernel, `Activation`, and every activation layer (ReLU, ELU …). */
export function isTappedClass(className: string): boolean {
  return TAPPED_CLASSES.has(className) || isActivationLayerClass(className);
}

export interface Tap {
  layer: tfType.layers.Layer;
  name: string;
  className: string;
  activation: string;
  /** Units (last axis: Dense units or conv channels). */
  units: number;
  /** For ELU-family layers, α (saturation is output within 1% of −α); null otherwise. */
  alpha: number | null;
}

export function selectTaps(model: tfType.LayersModel): Tap[] {
  const taps: Tap[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (!isTappedClass(className)) continue;
    const config = layer.getConfig() as Record<string, unknown>;
    const activation = activationOf(className, config) ?? 'linear';
    const shape = layer.outputShape as (number | null)[];
    const units = shape[shape.length - 1];
    if (typeof units !== 'number') continue;
    const alpha = saturates(activation) ? activationAlpha(activation, config) : null;
    taps.push({ layer, name: layer.name, className, activation, units, alpha });
  }
  return taps;
}

/**
 * One model that returns every tapped output, then the `extra` tensors; shares weights with the
 * trained model.
 */
export function tapModel(
  tf: Tf,
  model: tfType.LayersModel,
  taps: Tap[],
  extra: tfType.SymbolicTensor[] = [],
): tfType.LayersModel {
  return tf.model({
    inputs: model.inputs,
    outputs: [...taps.map((t) => t.layer.output as tfType.SymbolicTensor), ...extra],
    name: `${model.name}_taps`,
  });
}
