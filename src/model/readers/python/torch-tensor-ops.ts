/**
 * Tensor operations in a traced PyTorch `forward` that are not module calls: `out + identity` and
 * `out += shortcut` (Add), `x * 0.5` (Rescaling), `torch.cat` (Concatenate), `x.view(...)`,
 * `torch.flatten`, `x.permute(0, 2, 1)`, `x.mean(dim=(2, 3))`, `x.size(1)`, `F.relu(x)`, and the
 * last step of an RNN output. Anything else on a tensor is left out on its line (partial model).
 */
import type { SyntaxNode } from '@lezer/common';
import { constantAffine } from './constant-affine';
import type { CallContext } from './interpreter';
import { oursOf, sampleAxis, torchDims } from './torch-axes';
import { isActivationModule, moduleForFunction } from './torch-layer-config';
import { RnnState } from './torch-recurrent';
import { TorchRnnOps } from './torch-rnn-ops';
import { TorchShapeOps } from './torch-shape-ops';
import type { TorchTrace } from './torch-trace';
import { PASS_THROUGH_METHODS, Tensor, type Layout } from './torch-values';
import { asNumber, describe, hostOf, num, type PyValue } from './values';

export { torchDims };

export class TorchTensorOps {
  readonly shapes: TorchShapeOps;
  readonly rnn: TorchRnnOps;

  constructor(private readonly trace: () => TorchTrace) {
    this.shapes = new TorchShapeOps(trace, this);
    this.rnn = new TorchRnnOps(trace);
  }

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
    // A constant scale or shift (`x / 255.0`, `x - 0.5`) is what a Rescaling layer computes.
    const scaleOffset = constantAffine(op, l ? right : left, Boolean(l));
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
      { scale: scaleOffset.scale, offset: scaleOffset.offset },
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
      return this.shapes.reduce(functional, input, rest, ctx);
    if (functional === 'squeeze') return this.shapes.squeeze(input, rest, ctx.node);
    if (functional === 'transpose' || functional === 'permute')
      return this.shapes.permute(
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
    if (PASS_THROUGH_METHODS.has(name)) return { kind: 'host', value: tensor };
    const args = ctx.args.filter((a) => a.keyword === null).map((a) => a.value);
    switch (name) {
      case 'size':
        return args.length === 0
          ? this.shapes.shapeValue(tensor, ctx.node)
          : this.shapes.sizeOf(tensor, asNumber(args[0]), ctx.node);
      case 'dim':
        return num((tensor.shape ?? this.t.shapeOf(tensor, 'View', [], ctx.node)).length + 1);
      case 'view':
      case 'reshape':
        return this.shapes.view(tensor, ctx);
      case 'flatten':
        return this.functional('Flatten', 'flatten', [], tensor, ctx);
      case 'permute':
      case 'transpose':
        return this.shapes.permute(
          tensor,
          name,
          args.length === 1 && args[0]!.kind === 'tuple' ? args[0].items : args,
          ctx.node,
        );
      case 'squeeze':
        return this.shapes.squeeze(tensor, ctx.args, ctx.node);
      case 'mean':
      case 'amax':
      case 'max':
        return this.shapes.reduce(name, tensor, ctx.args, ctx);
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

  private cat(ctx: CallContext): PyValue {
    const list = ctx.args.find((a) => a.keyword === 'tensors' || a.keyword === null)?.value;
    const items = list?.kind === 'tuple' ? list.items : [];
    const last = this.rnn.bothDirections(items, ctx.node);
    if (last) return last;
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
}

function listOfTensors(v: PyValue): boolean {
  return (
    v.kind === 'tuple' &&
    v.items.length > 0 &&
    v.items.every((i) => hostOf(i, Tensor) !== null || hostOf(i, RnnState) !== null)
  );
}
