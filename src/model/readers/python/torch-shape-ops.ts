/**
 * Reshaping and reducing tensors in a traced PyTorch `forward`: `x.view(...)`, `x.permute(...)`,
 * `x.squeeze(k)`, `x.mean(dim=…)`, `x.size(k)` / `x.shape`, with PyTorch's axis order mapped
 * onto the channels-last model's.
 */
import type { SyntaxNode } from '@lezer/common';
import type { CallContext } from './interpreter';
import { oursOf, sampleAxis, torchDims } from './torch-axes';
import type { TorchTensorOps } from './torch-tensor-ops';
import type { TorchTrace } from './torch-trace';
import { Tensor, type Layout } from './torch-values';
import { asIntTuple, asNumber, describe, num, unknown, type PyValue } from './values';

export class TorchShapeOps {
  constructor(
    private readonly trace: () => TorchTrace,
    private readonly ops: TorchTensorOps,
  ) {}

  private get t(): TorchTrace {
    return this.trace();
  }

  /** `x.shape`: (batch, *PyTorch's dims). */
  shapeValue(tensor: Tensor, node: SyntaxNode): PyValue {
    const dims = torchDims(tensor) ?? (this.t.shapeOf(tensor, 'View', [], node), torchDims(tensor)!);
    return { kind: 'tuple', items: [unknown('the batch size'), ...dims.map(num)] };
  }

  /** `x.size(0)` is the batch; other axes are known once the input shape is. */
  sizeOf(tensor: Tensor, dim: number | null, node: SyntaxNode): PyValue {
    const dims = torchDims(tensor) ?? (this.t.shapeOf(tensor, 'View', [], node), torchDims(tensor)!);
    if (dim === null || dim === 0 || dim === -(dims.length + 1)) return unknown('the batch size');
    const v = dims[dim < 0 ? dims.length + dim : dim - 1];
    return v === undefined ? unknown('a tensor size') : num(v);
  }

  /** `x.view(-1, 9216)`, `x.view(x.size(0), -1)`, `x.reshape(-1, 1, 28, 28)`, `x.view(B, L, F)`. */
  view(tensor: Tensor, ctx: CallContext): PyValue {
    const { source } = this.t.ctx;
    const dims = ctx.args.filter((a) => a.keyword === null).map((a) => a.value);
    const flatDims = dims.length === 1 && dims[0]?.kind === 'tuple' ? dims[0].items : dims;
    const sizes = flatDims.map((d) => asNumber(d));
    const shape = tensor.shape ?? this.t.shapeOf(tensor, 'View', [], ctx.node);
    const total = shape.reduce((a, b) => a * b, 1);
    if (sizes.length === 2) {
      const declared = sizes[1];
      if (declared !== null && declared !== undefined && declared !== -1 && declared !== total) {
        const from = tensor.origin ? `line ${source.position(tensor.origin.from).line}` : 'the model input';
        source.report(
          ctx.node,
          `view(-1, ${declared}) declares ${declared} features but the tensor has ${total} (shape ${shape.join('×')} from ${from}); the model uses ${total}`,
          'warning',
        );
      }
      if (shape.length === 1) return { kind: 'host', value: tensor };
      return this.ops.functional('Flatten', 'flatten', [], tensor, ctx);
    }
    const target = sizes.slice(1);
    if (target.length >= 2 && target.every((s) => s !== null && s > 0)) {
      const dimsKnown = target as number[];
      const product = dimsKnown.reduce((a, b) => a * b, 1);
      if (product !== total || (shape.length > 1 && tensor.layout === 'channels-first')) {
        return this.t.omit(
          ctx.node,
          `view/reshape to (${flatDims.map((d) => describe(d)).join(', ')})`,
          product !== total
            ? `it does not match the ${total} values of the tensor`
            : 'a reshape of an image tensor that is not flat',
          tensor,
          null,
        );
      }
      // A flat vector viewed as PyTorch (C, H, W) is (H, W, C) channels-last; (L, F) stays as it is.
      const cf = dimsKnown.length === 3;
      const outShape = cf ? [dimsKnown[1]!, dimsKnown[2]!, dimsKnown[0]!] : dimsKnown;
      const out = this.t.emitOp(
        'Reshape',
        { target_shape: outShape },
        [tensor],
        outShape,
        cf ? 'channels-first' : 'plain',
        ctx.node,
        `${tensor.layerName ?? 'input'}_view`,
      );
      return { kind: 'host', value: out };
    }
    return this.t.omit(
      ctx.node,
      `view/reshape to (${flatDims.map((d) => describe(d)).join(', ')})`,
      'a shape the reader cannot fold',
      tensor,
      `view/reshape to (${flatDims.map((d) => describe(d)).join(', ')}) is not understood; the tensor is passed on unchanged`,
    );
  }

  /** `x.permute(0, 2, 1)` / `x.transpose(1, 2)`: a relabelling where possible, else a Permute layer. */
  permute(tensor: Tensor, name: string, args: PyValue[], node: SyntaxNode): PyValue {
    const shape = tensor.shape ?? this.t.shapeOf(tensor, 'View', [], node);
    const rank = shape.length;
    let order: number[] | null = null;
    const ns = asIntTuple({ kind: 'tuple', items: args });
    if (name === 'permute' && ns && ns.length === rank + 1 && ns[0] === 0)
      order = ns.slice(1).map((d) => d - 1);
    if (name === 'transpose' && ns && ns.length === 2) {
      const a = sampleAxis(tensor, ns[0]!);
      const b = sampleAxis(tensor, ns[1]!);
      if (a !== null && b !== null) {
        order = Array.from({ length: rank }, (_, i) => i);
        order[a] = b;
        order[b] = a;
      }
    }
    if (!order || order.some((d) => d < 0 || d >= rank))
      return this.t.omit(
        node,
        `${name}(${args.map((a) => describe(a)).join(', ')})`,
        'it moves the batch axis or is not folded',
        tensor,
        null,
      );
    // New PyTorch axis j holds old PyTorch axis order[j], which is ours oursOf(order[j]).
    const sources = order.map((j) => oursOf(tensor, j));
    for (const layout of ['plain', 'channels-first'] as Layout[]) {
      const candidate = new Tensor(tensor.ref, shape, layout, tensor.origin, tensor.layerName);
      if (sources.every((s, j) => oursOf(candidate, j) === s))
        return { kind: 'host', value: tensor.relabel(shape, layout) };
    }
    const dims = sources.map((s) => s + 1);
    const out = this.t.emitOp(
      'Permute',
      { dims },
      [tensor],
      sources.map((s) => shape[s]!),
      'plain',
      node,
      `${tensor.layerName ?? 'input'}_permute`,
    );
    return { kind: 'host', value: out };
  }

  /** `x.squeeze(2)` of a size-1 axis (after pooling a sequence to one step). */
  squeeze(tensor: Tensor, args: CallContext['args'], node: SyntaxNode): PyValue {
    const shape = tensor.shape ?? this.t.shapeOf(tensor, 'View', [], node);
    const dim = asNumber(args[0]?.value ?? args.find((a) => a.keyword === 'dim')?.value);
    const axis = sampleAxis(tensor, dim);
    const ours = axis === null ? null : oursOf(tensor, axis);
    const dropped = ours === null ? shape.findIndex((s) => s === 1) : ours;
    if (dropped < 0 || shape[dropped] !== 1) return { kind: 'host', value: tensor };
    const outShape = shape.filter((_, i) => i !== dropped);
    const out = this.t.emitOp(
      'Reshape',
      { target_shape: outShape },
      [tensor],
      outShape,
      outShape.length === 1 ? 'plain' : tensor.layout,
      node,
      `${tensor.layerName ?? 'input'}_squeeze`,
    );
    return { kind: 'host', value: out };
  }

  /** `x.mean(dim=(2, 3))`, `torch.mean(x, 1)`, `torch.max(x, dim=1)[0]`: global pooling. */
  reduce(name: string, tensor: Tensor, args: CallContext['args'], ctx: CallContext): PyValue {
    const shape = tensor.shape ?? this.t.shapeOf(tensor, 'View', [], ctx.node);
    const dimArg = args.find((a) => a.keyword === 'dim') ?? args.find((a) => a.keyword === null);
    const dims = asIntTuple(dimArg?.value);
    const axes = dims?.map((d) => sampleAxis(tensor, d)) ?? null;
    const ours = axes?.every((a) => a !== null) ? axes.map((a) => oursOf(tensor, a!)).sort() : null;
    const spatial = shape.length - 1;
    const pooled =
      ours && ours.length === spatial && ours.every((a, i) => a === i) && (spatial === 1 || spatial === 2);
    if (!pooled)
      return this.t.omit(
        ctx.node,
        `${name}(dim=${dimArg ? describe(dimArg.value) : '?'})`,
        'a reduction over axes other than the spatial/time ones',
        tensor,
        null,
      );
    const cls = `Global${name === 'mean' ? 'Average' : 'Max'}Pooling${spatial}D`;
    const out = this.t.emitOp(
      cls,
      { data_format: 'channels_last' },
      [tensor],
      [shape[shape.length - 1]!],
      'plain',
      ctx.node,
      `${tensor.layerName ?? 'input'}_${name}`,
    );
    // torch.max(x, dim) returns (values, indices).
    const value: PyValue = { kind: 'host', value: out };
    return name === 'max' ? { kind: 'tuple', items: [value, unknown('the indices of a max')] } : value;
  }

  /** `torch.cat([a, b], dim=1)`, and `torch.cat((h_n[-2], h_n[-1]), dim=1)` of a bidirectional RNN. */
}
