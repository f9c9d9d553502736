/**
 * Read layers → the Keras JSON topology `tf.models.modelFromJSON` builds (Sequential or
 * functional `Model`), keeping one LayerSpec per topology layer, same names, same order.
 */
import type { KerasLayerJson, KerasTopology, LayerSpec } from '../../spec';

/** `[layer name, node index, tensor index]`, Keras' reference to one output tensor. */
export type TensorRef = [string, number, number];

export interface BuiltLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  spec: LayerSpec;
  /** Functional models only: the input tensors of each call of the layer. */
  inboundNodes?: TensorRef[][];
}

/** A Sequential model: the first layer carries the input shape (TF.js adds the InputLayer). */
export function sequentialTopology(
  name: string,
  layers: BuiltLayer[],
  inputShape: (number | null)[],
): KerasTopology {
  const json: KerasLayerJson[] = layers.map((layer, i) => ({
    class_name: layer.className,
    config: {
      ...layer.config,
      name: layer.name,
      ...(i === 0 ? { batch_input_shape: [null, ...inputShape] } : {}),
    },
  }));
  return {
    class_name: 'Sequential',
    config: { name, layers: json },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}

export function functionalTopology(
  name: string,
  layers: BuiltLayer[],
  inputs: TensorRef[],
  outputs: TensorRef[],
): KerasTopology {
  const json: KerasLayerJson[] = layers.map((layer) => ({
    class_name: layer.className,
    name: layer.name,
    config: { ...layer.config, name: layer.name },
    inbound_nodes: (layer.inboundNodes ?? []).map((node) => node.map(([l, n, t]) => [l, n, t, {}])),
  }));
  return {
    class_name: 'Model',
    config: { name, layers: json, input_layers: inputs, output_layers: outputs },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}
