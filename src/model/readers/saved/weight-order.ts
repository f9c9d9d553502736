/**
 * The order TF.js' `model.getWeights()` / `setWeights()` use after `modelFromJSON`: every layer's
 * trainable weights in `model.layers` order, then every layer's non-trainable weights (a frozen
 * layer's weights all count as non-trainable). A functional model's `model.layers` is not the
 * config order: TF.js sorts layers by depth from the outputs, ties by first visit of a depth-first
 * walk from the outputs (tfjs-layers engine/container.ts). This module reproduces that from JSON.
 */
import type { KerasLayerJson } from '../../spec';
import type { LayerWeight } from './layer-weights';

type Ref = [string, number, number];

interface GraphNode {
  key: string;
  layer: string;
  inbound: Ref[];
}

function nodesOf(layers: KerasLayerJson[]): Map<string, GraphNode> {
  const nodes = new Map<string, GraphNode>();
  for (const layer of layers) {
    const name = String(layer.config.name ?? layer.name);
    const inbound = (layer.inbound_nodes ?? []) as unknown[][];
    // An InputLayer owns one node with no inputs.
    if (inbound.length === 0) nodes.set(`${name}#0`, { key: `${name}#0`, layer: name, inbound: [] });
    inbound.forEach((node, i) => {
      const refs = node.map((t) => {
        const r = t as unknown[];
        return [String(r[0]), Number(r[1]), Number(r[2])] as Ref;
      });
      nodes.set(`${name}#${i}`, { key: `${name}#${i}`, layer: name, inbound: refs });
    });
  }
  return nodes;
}

/** Layer names in TF.js' `model.layers` order for a functional model. */
export function functionalLayerOrder(layers: KerasLayerJson[], outputs: Ref[]): string[] {
  const nodes = nodesOf(layers);
  const layerIndex = new Map<string, number>();
  const postOrder: GraphNode[] = [];
  // Depth-first post-order from the outputs, iterative so that a long chain cannot overflow the
  // stack; `entered` also stops a cycle (checkTopology refuses those before this runs).
  const entered = new Set<string>();
  const visit = (ref: Ref): void => {
    const first = nodes.get(`${ref[0]}#${ref[1]}`);
    if (!first || entered.has(first.key)) return;
    const stack: { node: GraphNode; next: number }[] = [{ node: first, next: 0 }];
    entered.add(first.key);
    if (!layerIndex.has(first.layer)) layerIndex.set(first.layer, layerIndex.size);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const input = top.node.inbound[top.next++];
      if (input === undefined) {
        stack.pop();
        postOrder.push(top.node);
        continue;
      }
      const node = nodes.get(`${input[0]}#${input[1]}`);
      if (!node || entered.has(node.key)) continue;
      entered.add(node.key);
      if (!layerIndex.has(node.layer)) layerIndex.set(node.layer, layerIndex.size);
      stack.push({ node, next: 0 });
    }
  };
  outputs.forEach(visit);

  const nodeDepth = new Map<string, number>();
  const layerDepth = new Map<string, number>();
  for (const node of postOrder.slice().reverse()) {
    const depth = Math.max(nodeDepth.get(node.key) ?? 0, layerDepth.get(node.layer) ?? 0);
    layerDepth.set(node.layer, depth);
    nodeDepth.set(node.key, depth);
    for (const [name, index] of node.inbound) {
      const key = `${name}#${index}`;
      nodeDepth.set(key, Math.max(depth + 1, nodeDepth.get(key) ?? 0));
    }
  }
  return [...layerDepth.keys()].sort(
    (a, b) => layerDepth.get(b)! - layerDepth.get(a)! || layerIndex.get(a)! - layerIndex.get(b)!,
  );
}

/** One weight array found in the file, tagged with its TF.js layer and weight. */
export interface PlacedWeight<T> {
  layer: string;
  weight: LayerWeight;
  layerTrainable: boolean;
  value: T;
}

/** Puts per-layer weights into TF.js' getWeights() order, given the layer order. */
export function tfjsWeightOrder<T>(layerOrder: string[], placed: PlacedWeight<T>[]): PlacedWeight<T>[] {
  const byLayer = new Map<string, PlacedWeight<T>[]>();
  for (const p of placed) byLayer.set(p.layer, [...(byLayer.get(p.layer) ?? []), p]);
  const trainable: PlacedWeight<T>[] = [];
  const frozen: PlacedWeight<T>[] = [];
  for (const layer of layerOrder) {
    const own = byLayer.get(layer) ?? [];
    // Layer.nonTrainableWeights: a frozen layer gives all its weights, creation order kept.
    if (own.length && !own[0]!.layerTrainable) frozen.push(...own);
    else {
      trainable.push(...own.filter((p) => p.weight.trainable));
      frozen.push(...own.filter((p) => !p.weight.trainable));
    }
  }
  return [...trainable, ...frozen];
}
