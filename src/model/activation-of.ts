/** The lowercase Keras name of the nonlinearity a layer applies to its output, or null. */
import { initializerName } from './initializer-names';
import type { KerasLayerJson, KerasTopology, LayerSpec } from './spec';

/** Keras layer classes that are an activation and nothing else → the activation's name. */
const ACTIVATION_LAYERS: Record<string, string> = {
  ReLU: 'relu',
  ELU: 'elu',
  LeakyReLU: 'leaky_relu',
  PReLU: 'prelu',
  Softmax: 'softmax',
  ThresholdedReLU: 'thresholded_relu',
};

/** A layer that only applies an activation (`ReLU()`, `LeakyReLU()` …; `Activation` names its own). */
export function isActivationLayerClass(className: string): boolean {
  return className in ACTIVATION_LAYERS;
}

export function activationOf(className: string, config: Record<string, unknown>): string | null {
  if (className in ACTIVATION_LAYERS) {
    // Keras' ReLU layer with max_value 6 is relu6.
    if (className === 'ReLU' && config.max_value === 6) return 'relu6';
    return ACTIVATION_LAYERS[className]!;
  }
  const a = config.activation;
  if (typeof a === 'string') return normaliseActivation(a);
  if (a && typeof a === 'object' && 'class_name' in a)
    return normaliseActivation(String((a as { class_name: unknown }).class_name));
  return null;
}

/** TF.js camelCase (leakyRelu) and Keras spellings → lowercase Keras names. */
export function normaliseActivation(name: string): string {
  const n = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return n === 'leakyrelu' ? 'leaky_relu' : n;
}

export function topologyLayers(topology: KerasTopology): KerasLayerJson[] {
  const layers = (topology.config as { layers?: unknown }).layers;
  return Array.isArray(layers) ? (layers as KerasLayerJson[]) : [];
}

/** LayerSpecs (without source locations) for every layer of a topology. */
export function layerSpecsFromTopology(topology: KerasTopology): LayerSpec[] {
  return topologyLayers(topology).map((l) => ({
    name: String(l.config.name ?? l.name ?? ''),
    className: l.class_name,
    activation: activationOf(l.class_name, l.config),
    kernelInitializer:
      l.config.kernel_initializer !== undefined ? initializerName(l.config.kernel_initializer) : null,
    source: null,
  }));
}
