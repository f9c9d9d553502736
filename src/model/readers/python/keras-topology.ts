/**
 * A chosen Keras model → its Keras-JSON topology and LayerSpecs. A functional model keeps only the
 * calls of each layer that its outputs depend on (a layer shared with another model of the file
 * has calls that are not part of this one), renumbered as Keras numbers them.
 */
import type { KerasTopology, LayerSpec, OmittedSourcePart } from '../../spec';
import type { SourceText } from './source-text';
import { functionalTopology, sequentialTopology, type BuiltLayer, type TensorRef } from './topology';
import type { FunctionalModel, KerasLayer, KerasTensor, SequentialModel } from './keras-values';

export interface KerasBuilt {
  topology: KerasTopology;
  layers: LayerSpec[];
  /** Parts left out upstream of the outputs (functional models carry them on their tensors). */
  carried: OmittedSourcePart[];
}

export function kerasLayerSpec(layer: KerasLayer, source: SourceText): LayerSpec {
  const draft = layer.draft!;
  return {
    name: layer.name,
    className: layer.className,
    activation: draft.activation,
    kernelInitializer: draft.kernelInitializer,
    source: {
      ...source.location(layer.node),
      activationRange: draft.activationRange,
      initializerRange: draft.initializerRange,
    },
  };
}

export function buildSequentialTopology(
  model: SequentialModel,
  inputShape: (number | null)[],
  source: SourceText,
): KerasBuilt {
  const built: BuiltLayer[] = model.layers.map((layer) => ({
    name: layer.name,
    className: layer.className,
    config: layer.draft!.config,
    spec: kerasLayerSpec(layer, source),
  }));
  return {
    topology: sequentialTopology(model.name, built, inputShape),
    layers: built.map((b) => b.spec),
    carried: [],
  };
}

/** The calls (layer, node index) the outputs depend on, with every layer in first-use order. */
function reachable(model: FunctionalModel): Map<KerasLayer, Set<number>> {
  const nodes = new Map<KerasLayer, Set<number>>();
  const stack: KerasTensor[] = [...model.outputs];
  while (stack.length > 0) {
    const t = stack.pop()!;
    let set = nodes.get(t.layer);
    if (!set) nodes.set(t.layer, (set = new Set()));
    if (set.has(t.nodeIndex)) continue;
    set.add(t.nodeIndex);
    for (const input of t.layer.inbound[t.nodeIndex] ?? []) stack.push(input);
  }
  return nodes;
}

/** Every layer a functional model's outputs depend on (for its size, before it is chosen). */
export function functionalLayerCount(model: FunctionalModel): number {
  return reachable(model).size;
}

export function buildFunctionalTopology(model: FunctionalModel, source: SourceText): KerasBuilt {
  const nodes = reachable(model);
  const layers = [...nodes.keys()].sort((a, b) => a.order - b.order);
  // Keras numbers a layer's calls 0, 1 …; only the calls kept here count.
  const renumber = new Map<KerasLayer, Map<number, number>>();
  for (const [layer, indices] of nodes)
    renumber.set(layer, new Map([...indices].sort((a, b) => a - b).map((old, i) => [old, i])));
  const ref = (t: KerasTensor): TensorRef => [t.layer.name, renumber.get(t.layer)?.get(t.nodeIndex) ?? 0, 0];
  const carried: OmittedSourcePart[] = [];
  const carry = (t: KerasTensor): void => {
    for (const part of t.carried) if (!carried.includes(part)) carried.push(part);
  };
  model.outputs.forEach(carry);
  const built: BuiltLayer[] = layers.map((layer) => {
    const config = { ...layer.draft!.config };
    const kept = [...nodes.get(layer)!].sort((a, b) => a - b);
    if (layer.className === 'InputLayer') {
      delete config.trainable;
      Object.assign(config, { batch_input_shape: [null, ...(layer.draft!.inputShape ?? [])], sparse: false });
    }
    for (const i of kept) (layer.inbound[i] ?? []).forEach(carry);
    return {
      name: layer.name,
      className: layer.className,
      config,
      spec: kerasLayerSpec(layer, source),
      inboundNodes:
        layer.className === 'InputLayer' ? [] : kept.map((i) => (layer.inbound[i] ?? []).map(ref)),
    };
  });
  return {
    topology: functionalTopology(model.name, built, model.inputs.map(ref), model.outputs.map(ref)),
    layers: built.map((b) => b.spec),
    carried,
  };
}
