/**
 * The layers a traced PyTorch `forward` computes, as a graph: each layer records the tensors it was
 * applied to, so residual adds (`out += self.shortcut(x)`), concatenations and several outputs
 * are kept. A plain chain becomes a Sequential topology (as before); anything else a functional
 * one with an InputLayer. Layers the outputs do not depend on are dropped and said so.
 */
import type { SyntaxNode } from '@lezer/common';
import type { KerasTopology, LayerSpec } from '../../spec';
import type { SourceText } from './source-text';
import { functionalTopology, sequentialTopology, type BuiltLayer } from './topology';
import { Tensor, type Shape } from './torch-values';

export class TorchGraph {
  readonly layers: BuiltLayer[] = [];
  readonly input: Tensor;
  /** Settled by the first layer that consumes the input. */
  inputShape: Shape | null = null;

  constructor(
    readonly inputName: string,
    /** Where the input is named (`x` in `def forward(self, x)`), for its LayerSpec. */
    private readonly inputNode: SyntaxNode | null,
  ) {
    this.input = new Tensor([inputName, 0, 0], null, 'plain', null, null);
  }

  /** Adds a layer applied to `inputs`; returns its output tensor. */
  add(
    layer: BuiltLayer,
    inputs: Tensor[],
    shape: Shape,
    origin: SyntaxNode,
    layout: Tensor['layout'],
  ): Tensor {
    this.layers.push({ ...layer, inboundNodes: [inputs.map((t) => t.ref)] });
    return new Tensor([layer.name, 0, 0], shape, layout, origin, layer.name);
  }

  /** The topology for `outputs`, with the LayerSpecs in the same order; `dropped` lists layers left unused. */
  topology(
    name: string,
    outputs: Tensor[],
    source: SourceText,
  ): { topology: KerasTopology; layers: LayerSpec[]; dropped: BuiltLayer[] } {
    const byName = new Map(this.layers.map((l) => [l.name, l]));
    const needed = new Set<string>();
    const stack = outputs.map((t) => t.ref[0]);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (needed.has(n)) continue;
      needed.add(n);
      for (const node of byName.get(n)?.inboundNodes ?? []) for (const [from] of node) stack.push(from);
    }
    const kept = this.layers.filter((l) => needed.has(l.name));
    const dropped = this.layers.filter((l) => !needed.has(l.name));
    const shape = this.inputShape ?? [];
    const chain =
      outputs.length === 1 &&
      kept.length > 0 &&
      outputs[0]!.ref[0] === kept[kept.length - 1]!.name &&
      kept.every((l, i) => {
        const node = l.inboundNodes?.[0];
        return node?.length === 1 && node[0]![0] === (i === 0 ? this.inputName : kept[i - 1]!.name);
      });
    if (chain)
      return { topology: sequentialTopology(name, kept, shape), layers: kept.map((l) => l.spec), dropped };
    const inputLayer: BuiltLayer = {
      name: this.inputName,
      className: 'InputLayer',
      config: { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, name: this.inputName },
      spec: {
        name: this.inputName,
        className: 'InputLayer',
        activation: null,
        source: this.inputNode ? source.location(this.inputNode) : null,
      },
      inboundNodes: [],
    };
    const all = [inputLayer, ...kept];
    return {
      topology: functionalTopology(
        name,
        all,
        [[this.inputName, 0, 0]],
        outputs.map((t) => t.ref),
      ),
      layers: all.map((l) => l.spec),
      dropped,
    };
  }
}
