/**
 * Operations on Keras tensors in the functional API that are not layer calls: `x + y` and
 * `x += shortcut` (an Add layer), `x * y`, `x / 255.0` (a Rescaling layer), `tf.nn.relu(x)` (an
 * Activation layer), `tf.concat`, and models called on tensors (their layers applied again,
 * sharing weights, as Keras does). Anything else on a tensor is left out, on its line.
 */
import type { SyntaxNode } from '@lezer/common';
import { constantAffine } from './constant-affine';
import type { Argument, CallContext } from './interpreter';
import type { KerasReader } from './keras-reader';
import { FunctionalModel, KerasTensor, SequentialModel, tensorsOf, type KerasModel } from './keras-values';
import type { SourceText } from './source-text';
import { kerasActivationInTfjs } from '../../keras-activations';
import { describe, hostOf, num, refName, type PyValue } from './values';

/** Where activation functions live. */
const activationModules = ['keras.activations.', 'tensorflow.nn.', 'keras.ops.', 'tensorflow.math.'];
const mergeOps: Record<string, string> = {
  add: 'Add',
  multiply: 'Multiply',
  concat: 'Concatenate',
  concatenate: 'Concatenate',
  maximum: 'Maximum',
  minimum: 'Minimum',
};

export class KerasTensorOps {
  constructor(
    private readonly reader: KerasReader,
    private readonly source: SourceText,
  ) {}

  binary(left: PyValue, op: string, right: PyValue, node: SyntaxNode): PyValue | undefined {
    const l = hostOf(left, KerasTensor);
    const r = hostOf(right, KerasTensor);
    if (!l && !r) return undefined;
    if (l && r) {
      const cls = op === '+' ? 'Add' : op === '*' ? 'Multiply' : null;
      if (cls) return this.layerOn(cls, [], [l, r], node);
      if (op === '-') {
        // TF.js has no Subtract layer: a − b is a + (−1)·b.
        const negated = this.layerOn(
          'Rescaling',
          [this.constant(-1, node), this.constant(0, node)],
          [r],
          node,
        );
        const b = hostOf(negated, KerasTensor);
        if (b) return this.layerOn('Add', [], [l, b], node);
      }
      return this.leaveOut(node, `'${op}' of two tensors`, 'TF.js has no layer that computes it', l);
    }
    const tensor = (l ?? r)!;
    // A constant scale or shift (`x / 255.0`, `x - 0.5`) is what a Rescaling layer computes.
    const scaleOffset = constantAffine(op, l ? right : left, Boolean(l));
    if (scaleOffset)
      return this.layerOn(
        'Rescaling',
        [this.constant(scaleOffset.scale, node), this.constant(scaleOffset.offset, node)],
        [tensor],
        node,
      );
    return this.leaveOut(
      node,
      `'${op}' between a tensor and ${describe(l ? right : left)}`,
      'TF.js has no layer that computes it',
      tensor,
    );
  }

  /** `tf.nn.relu(x)`, `tf.concat([a, b], -1)`, or another library function applied to a tensor. */
  libraryCallOnTensor(path: string, ctx: CallContext): PyValue | undefined {
    const tensorArg = ctx.args.find((a) => tensorsOf(a.value) !== null);
    if (!tensorArg) return undefined;
    const name = refName({ kind: 'ref', path }) ?? '';
    const first = tensorsOf(tensorArg.value)!;
    const activation = kerasActivationInTfjs(name);
    if (activation && activationModules.some((m) => path.startsWith(m))) {
      const args: Argument[] = [
        {
          keyword: 'activation',
          value: { kind: 'string', value: activation, node: null },
          node: ctx.calleeNode,
        },
      ];
      const layer = this.reader.createLayer('Activation', args, ctx.node);
      // The quick fix rewrites the callee (`tf.nn.relu` → `tf.nn.elu`).
      if (layer.draft) layer.draft.activationRange = this.source.range(ctx.calleeNode);
      return { kind: 'host', value: this.reader.connect(layer, first.slice(0, 1)) };
    }
    const merge = mergeOps[name];
    if (merge && first.length >= 2 && (path.startsWith('tensorflow.') || path.startsWith('keras.ops.'))) {
      const axis =
        ctx.args.find((a) => a.keyword === 'axis') ?? ctx.args.filter((a) => a.keyword === null)[1];
      const args: Argument[] = merge === 'Concatenate' && axis ? [{ ...axis, keyword: 'axis' }] : [];
      return this.layerOn(merge, args, first, ctx.node);
    }
    return this.leaveOut(
      ctx.node,
      `${path}(...)`,
      'a TensorFlow op on a tensor that has no TF.js layer',
      first[0]!,
    );
  }

  /** A model called on tensors: its layers are called again on them (shared weights, as in Keras). */
  applyModel(model: KerasModel, ctx: CallContext): PyValue {
    const arg = ctx.args.find((a) => a.keyword === null || a.keyword === 'inputs');
    const inputs = arg ? tensorsOf(arg.value) : null;
    if (!inputs) {
      this.source.report(
        ctx.node,
        `calling ${model.describe()} on ${arg ? describe(arg.value) : 'nothing'} is not understood`,
        'warning',
      );
      return { kind: 'unknown', why: `the output of ${model.describe()}` };
    }
    if (model instanceof SequentialModel) {
      let x = inputs[0]!;
      for (const part of this.reader.omissions.of(model)) x = x.withOmitted(part);
      for (const layer of model.layers) x = this.reader.connect(layer, [x]);
      return { kind: 'host', value: x };
    }
    if (inputs.length !== model.inputs.length) {
      this.source.report(
        ctx.node,
        `${model.describe()} takes ${model.inputs.length} input(s) but is called on ${inputs.length}`,
        'warning',
      );
      return { kind: 'unknown', why: `the output of ${model.describe()}` };
    }
    const outputs = this.replay(model, inputs);
    return outputs.length === 1
      ? { kind: 'host', value: outputs[0]! }
      : { kind: 'tuple', items: outputs.map((t) => ({ kind: 'host', value: t })) };
  }

  /** The outputs of a functional model's graph rebuilt on new inputs (memoized per call of each layer). */
  private replay(model: FunctionalModel, inputs: KerasTensor[]): KerasTensor[] {
    const made = new Map<string, KerasTensor>();
    const key = (t: KerasTensor): string => `${t.layer.name}\0${t.nodeIndex}`;
    model.inputs.forEach((t, i) => made.set(key(t), inputs[i]!));
    const rebuild = (t: KerasTensor): KerasTensor => {
      const done = made.get(key(t));
      if (done) return done;
      const sources = (t.layer.inbound[t.nodeIndex] ?? []).map(rebuild);
      let out = this.reader.connect(t.layer, sources);
      for (const part of t.carried) out = out.withOmitted(part);
      made.set(key(t), out);
      return out;
    };
    return model.outputs.map(rebuild);
  }

  private constant(value: number, node: SyntaxNode): Argument {
    return { keyword: null, value: num(value), node };
  }

  private layerOn(cls: string, args: Argument[], inputs: KerasTensor[], node: SyntaxNode): PyValue {
    const layer = this.reader.createLayer(cls, args, node);
    if (layer.unsupported) return this.leaveOut(node, `the layer ${cls}`, layer.unsupported, inputs[0]!);
    return { kind: 'host', value: this.reader.connect(layer, inputs) };
  }

  private leaveOut(node: SyntaxNode, what: string, reason: string, from: KerasTensor): PyValue {
    const part = this.reader.omit(
      node,
      what,
      reason,
      `${what} is not understood (${reason}); the model continues from its input`,
      from,
    );
    return { kind: 'host', value: from.withOmitted(part) };
  }
}
