/**
 * Tensor operations in a traced PyTorch `forward` that are not module calls: `out + identity` and
 * `out += shortcut` (Add), `x * 0.5` (Rescaling), `torch.cat` (Concatenate), `x.view(...)`,
 * `torch.flatten`, `x.permute(0, 2, 1)`, `x.mean(dim=(2, 3))`, `x.size(1)`, `F.relu(x)`, and the
 * last step of an RNN output. Anything else on a tensor is left out on its line (partial model).
 */
import type { SyntaxNode } from '@lezer/common';
import type { CallContext } from './interpreter';
import type { SubscriptPart } from './subscripts';
import { isActivationModule, moduleForFunction } from './torch-layer-config';
import { RnnState } from './torch-recurrent';
import type { TorchTrace } from './torch-trace';
import { Tensor, type Layout, type Shape } from './torch-values';
import { asIntTuple, asNumber, describe, hostOf, num, unknown, type PyValue } from './values';

const passThrough = new Set([
  'to',
  'cuda',
  'cpu',
  'float',
  'double',
  'half',
  'contiguous',
  'clone',
  'detach',
  'type_as',
]);

/** PyTorch's per-sample dims of a tensor (channels first for images and conv sequences). */
export function torchDims(t: Tensor): Shape | null {
  if (!t.shape) return null;
  return t.layout === 'channels-first' && t.shape.length > 1
    ? [t.shape[t.shape.length - 1]!, ...t.shape.slice(0, -1)]
    : t.shape;
}

/** The axis of ours that PyTorch's per-sample axis `axis` (0-based, batch excluded) is. */
function oursOf(t: Tensor, axis: number): number {
  const rank = t.shape?.length ?? 0;
  if (t.layout !== 'channels-first' || rank < 2) return axis;
  return axis === 0 ? rank - 1 : axis - 1;
}

/** A PyTorch dim argument (batch = 0, negative from the end) → per-sample axis, or null. */
function sampleAxis(t: Tensor, dim: number | null): number | null {
  const rank = t.shape?.length ?? 0;
  if (dim === null) return null;
  const d = dim < 0 ? dim + rank + 1 : dim;
  return d >= 1 && d <= rank ? d - 1 : null;
}

export class TorchTensorOps {
  constructor(private readonly trace: () => TorchTrace) {}

  private get t(): TorchTrace {
    return this.trace();
  }

  /** `a + b`, `a * b`, `a - b` on tensors, and a tensor with a constant. */
  binary(left: PyValue, op: string, right: PyValue, node: SyntaxNode): PyValue | undefined {
    const l = hostOf(left, Tensor);
    const r = hostOf(right, Tensor);
    if (!l && !r) return undefined;
    if (l && r) return this.merge(op, l, r, node);
    const tensor = (l ?? r)!;
    const c = asNumber(l ? right : left);
    let scaleOffset: [number, number] | null = null;
    if (c !== null) {
      if (op === '*') scaleOffset = [c, 0];
      else if (op === '/' && l && c !== 0) scaleOffset = [1 / c, 0];
      else if (op === '+') scaleOffset = [1, c];
      else if (op === '-') scaleOffset = l ? [1, -c] : [-1, c];
    }
    if (!scaleOffset)
      return this.t.omit(
        node,
        `'${op}' between a tensor and ${describe(l ? right : left)}`,
        'TF.js has no layer that computes it',
        tensor,
        null,
      );
    const shape = this.t.shapeOf(tensor, 'Rescaling', [], node);
    const out = this.t.emitOp(
      'Rescaling',
      { scale: scaleOffset[0], offset: scaleOffset[1] },
      [tensor],
      shape,
      tensor.layout,
      node,
      `${tensor.layerName ?? 'input'}_scale`,
    );
    return { kind: 'host', value: out };
  }

  /** Two tensors combined element-wise: Add, Multiply, and `a - b` as a + (−1)·b. */
  private merge(op: string, l: Tensor, r: Tensor, node: SyntaxNode): PyValue {
    const ls = this.t.shapeOf(l, 'Add', [], node);
    const rs = this.t.shapeOf(r, 'Add', [], node);
    const lt = torchDims(l)!;
    const rt = torchDims(r)!;
    if (lt.join(',') !== rt.join(',') || (ls.join(',') !== rs.join(',') && l.layout === r.layout))
      return this.t.omit(
        node,
        `'${op}' of tensors of shapes (${lt.join(', ')}) and (${rt.join(', ')})`,
        'the shapes differ (broadcasting has no TF.js layer here)',
        l,
        null,
      );
    const cls = op === '+' ? 'Add' : op === '*' ? 'Multiply' : op === '-' ? 'Add' : null;
    if (!cls)
      return this.t.omit(node, `'${op}' of two tensors`, 'TF.js has no layer that computes it', l, null);
    let right =
      r.layout === l.layout
        ? r
        : this.t.emitOp(
            'Permute',
            { dims: this.permuteDims(r, l.layout) },
            [r],
            ls,
            l.layout,
            node,
            `${r.layerName ?? 'input'}_permute`,
          );
    if (op === '-')
      right = this.t.emitOp(
        'Rescaling',
        { scale: -1, offset: 0 },
        [right],
        ls,
        l.layout,
        node,
        `${r.layerName ?? 'input'}_negate`,
      );
    const base = this.t.scoped(cls === 'Add' ? (op === '-' ? 'subtract' : 'add') : 'multiply');
    return { kind: 'host', value: this.t.emitOp(cls, {}, [l, right], ls, l.layout, node, base) };
  }

  private permuteDims(t: Tensor, to: Layout): number[] {
    const rank = t.shape!.length;
    return to === 'plain'
      ? [rank, ...Array.from({ length: rank - 1 }, (_, i) => i + 1)]
      : [...Array.from({ length: rank - 1 }, (_, i) => i + 2), 1];
  }

  /** `F.relu(x)`, `torch.flatten(x, 1)`, `torch.cat([a, b], 1)` … on a tensor in forward. */
  libraryCall(path: string, ctx: CallContext): PyValue | undefined {
    const tensorArg = ctx.args.find((a) => hostOf(a.value, Tensor) || listOfTensors(a.value));
    if (!tensorArg) return undefined;
    const parts = path.split('.');
    const last = parts[parts.length - 1]!;
    const functional = path.startsWith('torch.nn.functional.') || path === `torch.${last}` ? last : null;
    const input = hostOf(tensorArg.value, Tensor);
    if (functional === 'cat' || functional === 'concat' || functional === 'concatenate') return this.cat(ctx);
    if (!input)
      return this.t.omit(
        ctx.node,
        `${path}(...)`,
        'an op on several tensors with no TF.js layer',
        this.t.current,
        null,
      );
    const rest = ctx.args.filter((a) => a !== tensorArg);
    if (functional === 'add') {
      const other = rest[0]?.value;
      return other ? (this.binary(tensorArg.value, '+', other, ctx.node) ?? undefined) : undefined;
    }
    if (functional === 'mean' || functional === 'amax' || functional === 'max')
      return this.reduce(functional, input, rest, ctx);
    if (functional === 'squeeze') return this.squeeze(input, rest, ctx.node);
    if (functional === 'transpose' || functional === 'permute')
      return this.permute(
        input,
        functional,
        rest.map((a) => a.value),
        ctx.node,
      );
    const kind = functional ? moduleForFunction(functional) : null;
    if (kind) {
      // torch.flatten's start_dim defaults to 0 (the batch too): read as flatten(x, 1), and said so.
      if (kind === 'Flatten' && path === 'torch.flatten') {
        const start = asNumber(rest[0]?.value ?? rest.find((a) => a.keyword === 'start_dim')?.value);
        if (start === null || start === 0)
          this.t.ctx.source.report(
            ctx.node,
            'torch.flatten without start_dim=1 also flattens the batch; read as flatten(x, 1)',
            'warning',
          );
        return this.functional(kind, functional!, [], input, ctx);
      }
      return this.functional(kind, functional!, rest, input, ctx);
    }
    return this.t.omit(
      ctx.node,
      `${path}(...)`,
      'an op on a tensor with no TF.js layer',
      input,
      `${path}(...) on a tensor is not understood; it is left out and the model continues from its input`,
    );
  }

  /** `F.relu(x)`: its own layer at the call, whose quick-fix range is the callee `F.relu`. */
  functional(kind: string, fn: string, args: CallContext['args'], input: Tensor, ctx: CallContext): PyValue {
    const range = isActivationModule(kind) ? this.t.ctx.source.range(ctx.calleeNode) : null;
    // Activations are named for what they rectify (conv1_relu); other ops for themselves (max_pool2d).
    const base = range && input.layerName ? `${input.layerName}_${fn}` : this.t.scoped(fn);
    return this.t.emitModule(kind, args, input, ctx.node, ctx.node, range, base);
  }

  /** A method of a tensor: `x.view(...)`, `x.size(1)`, `x.relu()` … */
  method(tensor: Tensor, name: string, ctx: CallContext): PyValue | undefined {
    if (passThrough.has(name)) return { kind: 'host', value: tensor };
    const args = ctx.args.filter((a) => a.keyword === null).map((a) => a.value);
    switch (name) {
      case 'size':
        return args.length === 0
          ? this.shapeValue(tensor, ctx.node)
          : this.sizeOf(tensor, asNumber(args[0]), ctx.node);
      case 'dim':
        return num((tensor.shape ?? this.t.shapeOf(tensor, 'View', [], ctx.node)).length + 1);
      case 'view':
      case 'reshape':
        return this.view(tensor, ctx);
      case 'flatten':
        return this.functional('Flatten', 'flatten', [], tensor, ctx);
      case 'permute':
      case 'transpose':
        return this.permute(
          tensor,
          name,
          args.length === 1 && args[0]!.kind === 'tuple' ? args[0].items : args,
          ctx.node,
        );
      case 'squeeze':
        return this.squeeze(tensor, ctx.args, ctx.node);
      case 'mean':
      case 'amax':
      case 'max':
        return this.reduce(name, tensor, ctx.args, ctx);
      case 'add':
        return ctx.args[0]
          ? this.binary({ kind: 'host', value: tensor }, '+', ctx.args[0].value, ctx.node)
          : undefined;
      case 'mul':
        return ctx.args[0]
          ? this.binary({ kind: 'host', value: tensor }, '*', ctx.args[0].value, ctx.node)
          : undefined;
      default: {
        const kind = moduleForFunction(name);
        if (kind && kind !== 'Flatten') return this.functional(kind, name, ctx.args, tensor, ctx);
        return this.t.omit(
          ctx.node,
          `tensor.${name}(...)`,
          'a tensor method with no TF.js layer',
          tensor,
          `tensor.${name}(...) is not understood; it is left out and the model continues from its input`,
        );
      }
    }
  }

  /** `x.shape`: (batch, *PyTorch's dims). */
  shapeValue(tensor: Tensor, node: SyntaxNode): PyValue {
    const dims = torchDims(tensor) ?? (this.t.shapeOf(tensor, 'View', [], node), torchDims(tensor)!);
    return { kind: 'tuple', items: [unknown('the batch size'), ...dims.map(num)] };
  }

  /** `x.size(0)` is the batch; other axes are known once the input shape is. */
  private sizeOf(tensor: Tensor, dim: number | null, node: SyntaxNode): PyValue {
    const dims = torchDims(tensor) ?? (this.t.shapeOf(tensor, 'View', [], node), torchDims(tensor)!);
    if (dim === null || dim === 0 || dim === -(dims.length + 1)) return unknown('the batch size');
    const v = dims[dim < 0 ? dims.length + dim : dim - 1];
    return v === undefined ? unknown('a tensor size') : num(v);
  }

  /** `x.view(-1, 9216)`, `x.view(x.size(0), -1)`, `x.reshape(-1, 1, 28, 28)`, `x.view(B, L, F)`. */
  private view(tensor: Tensor, ctx: CallContext): PyValue {
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
      return this.functional('Flatten', 'flatten', [], tensor, ctx);
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
  private permute(tensor: Tensor, name: string, args: PyValue[], node: SyntaxNode): PyValue {
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
  private squeeze(tensor: Tensor, args: CallContext['args'], node: SyntaxNode): PyValue {
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
  private reduce(name: string, tensor: Tensor, args: CallContext['args'], ctx: CallContext): PyValue {
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
  private cat(ctx: CallContext): PyValue {
    const list = ctx.args.find((a) => a.keyword === 'tensors' || a.keyword === null)?.value;
    const items = list?.kind === 'tuple' ? list.items : [];
    const states = items.map((v) => hostOf(v, RnnState));
    if (states.length === 2 && states.every((s) => s?.which === 'h' && s.fromEnd !== null)) {
      const [a, b] = states as [RnnState, RnnState];
      if (
        a.app === b.app &&
        a.app.directions === 2 &&
        Math.min(a.fromEnd!, b.fromEnd!) === -2 &&
        Math.max(a.fromEnd!, b.fromEnd!) === -1
      )
        return this.t.lastStep(a.app, ctx.node);
    }
    const tensors = items.map((v) => hostOf(v, Tensor));
    if (tensors.length < 2 || tensors.some((t) => !t))
      return this.t.omit(
        ctx.node,
        'torch.cat(...)',
        `it joins ${list ? describe(list) : 'nothing'}`,
        this.t.current,
        null,
      );
    const ts = tensors as Tensor[];
    const dim =
      asNumber(
        ctx.args.find((a) => a.keyword === 'dim')?.value ??
          ctx.args.filter((a) => a.keyword === null)[1]?.value,
      ) ?? 0;
    const first = ts[0]!;
    const shapes = ts.map((t) => t.shape ?? this.t.shapeOf(t, 'Concatenate', [], ctx.node));
    const axis = sampleAxis(first, dim);
    const ours = axis === null ? null : oursOf(first, axis);
    const sameLayout = ts.every((t) => t.layout === first.layout || (t.shape?.length ?? 0) < 2);
    const others = shapes.map((s) => s.filter((_, i) => i !== ours).join(','));
    if (ours === null || !sameLayout || others.some((o) => o !== others[0]))
      return this.t.omit(
        ctx.node,
        'torch.cat(...)',
        `tensors of shapes ${shapes.map((s) => `(${s.join(', ')})`).join(', ')} along dim ${dim}`,
        first,
        null,
      );
    const outShape = [...shapes[0]!];
    outShape[ours] = shapes.reduce((sum, s) => sum + s[ours]!, 0);
    const rank = outShape.length;
    const out = this.t.emitOp(
      'Concatenate',
      { axis: ours === rank - 1 ? -1 : ours + 1 },
      ts,
      outShape,
      first.layout,
      ctx.node,
      'cat',
    );
    return { kind: 'host', value: out };
  }

  /** `out[:, -1, :]`, `out[-1]` (time-major), `h_n[-1]`: the last step of an RNN; other indexing is refused. */
  subscript(object: PyValue, parts: SubscriptPart[], node: SyntaxNode): PyValue | undefined {
    const state = hostOf(object, RnnState);
    if (state) return this.stateIndex(state, parts, node);
    const tensor = hostOf(object, Tensor);
    if (!tensor) return undefined;
    const app = this.t.rnnOf.get(tensor.ref[0]);
    const isLastIndex = (p: SubscriptPart | undefined): boolean =>
      p?.kind === 'index' && asNumber(p.value) === -1;
    const isAll = (p: SubscriptPart | undefined): boolean =>
      p === undefined || (p.kind === 'slice' && p.start === null && p.stop === null && p.step === null);
    if (app && tensor === app.sequence) {
      const batchFirstLast =
        !app.timeMajor && isAll(parts[0]) && isLastIndex(parts[1]) && isAll(parts[2]) && parts.length <= 3;
      const timeMajorLast = app.timeMajor && isLastIndex(parts[0]) && parts.slice(1).every(isAll);
      if (batchFirstLast || timeMajorLast) return this.t.lastStep(app, node);
    }
    const shown = parts
      .map((p) => (p.kind === 'index' ? describe(p.value) : p.kind === 'slice' ? ':' : '...'))
      .join(', ');
    return this.t.omit(
      node,
      `indexing a tensor [${shown}]`,
      app ? 'only the last step of an RNN output is understood' : 'indexing has no TF.js layer',
      tensor,
      null,
    );
  }

  private stateIndex(state: RnnState, parts: SubscriptPart[], node: SyntaxNode): PyValue {
    const part = parts.length === 1 ? parts[0] : undefined;
    const index = part?.kind === 'index' ? asNumber(part.value) : null;
    const app = state.app;
    if (state.which !== 'h' || index === null || state.fromEnd !== null)
      return this.t.omit(
        node,
        `${state.describe()}[…]`,
        'only the final hidden state h_n[-1] (or both directions concatenated) is understood',
        app.sequence,
        null,
      );
    const fromEnd = index < 0 ? index : index - app.stateCount;
    const stateValue = new RnnState(app, 'h', fromEnd);
    if (app.directions === 1 && fromEnd === -1) return this.t.lastStep(app, node);
    return { kind: 'host', value: stateValue };
  }

  /** `h_n.squeeze(0)` of a one-layer, one-direction RNN is its last step. */
  stateMethod(state: RnnState, name: string, ctx: CallContext): PyValue | undefined {
    if (name === 'squeeze' && state.which === 'h' && state.fromEnd === null && state.app.directions === 1)
      return this.t.lastStep(state.app, ctx.node);
    if (passThrough.has(name)) return { kind: 'host', value: state };
    return this.t.omit(
      ctx.node,
      `${state.describe()}.${name}(...)`,
      'RNN states are understood only as the last step',
      state.app.sequence,
      null,
    );
  }
}

function listOfTensors(v: PyValue): boolean {
  return (
    v.kind === 'tuple' &&
    v.items.length > 0 &&
    v.items.every((i) => hostOf(i, Tensor) !== null || hostOf(i, RnnState) !== null)
  );
}
