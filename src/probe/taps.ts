/**
 * Taps: the layers whose outputs are post-activation values worth watching, and one multi-output
 * model that yields all of them from a single forward pass of the probe set (dropout off).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend/tf';
import { activationOf } from '../model/activation-of';

const TAPPED_CLASSES = new Set([
  'Dense',
  'Conv1D',
  'Conv2D',
  'Conv3D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Conv2DTranspose',
  'Activation',
  'ReLU',
  'ELU',
  'LeakyReLU',
  'PReLU',
  'Softmax',
  'ThresholdedReLU',
]);

export function isTappedClass(className: string): boolean {
  return TAPPED_CLASSES.has(className);
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

export const RELU_FAMILY = new Set([
  'relu',
  'relu6',
  'leaky_relu',
  'prelu',
  'elu',
  'selu',
  'thresholded_relu',
]);

/** ReLU and its clipped/thresholded forms: the ones whose units can die (output exactly 0). */
export const CAN_DIE = new Set(['relu', 'relu6', 'thresholded_relu']);

export function selectTaps(model: tfType.LayersModel): Tap[] {
  const taps: Tap[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (!TAPPED_CLASSES.has(className)) continue;
    const config = layer.getConfig() as Record<string, unknown>;
    const activation = activationOf(className, config) ?? 'linear';
    const shape = layer.outputShape as (number | null)[];
    const units = shape[shape.length - 1];
    if (typeof units !== 'number') continue;
    let alpha: number | null = null;
    if (activation === 'elu') alpha = typeof config.alpha === 'number' ? config.alpha : 1;
    if (activation === 'selu') alpha = 1.6732632423543772 * 1.0507009873554805;
    taps.push({ layer, name: layer.name, className, activation, units, alpha });
  }
  return taps;
}

/** One model that returns every tapped output; shares weights with the trained model. */
export function tapModel(tf: Tf, model: tfType.LayersModel, taps: Tap[]): tfType.LayersModel {
  return tf.model({
    inputs: model.inputs,
    outputs: taps.map((t) => t.layer.output as tfType.SymbolicTensor),
    name: `${model.name}_taps`,
  });
}
