/**
 * Tracing the chosen PyTorch model's `forward`: every module call and tensor op becomes TF.js
 * layers in the graph, with symbolic channels-last shapes. The model input's shape is settled by
 * its first consumer; declared sizes (`nn.Linear(9216, 128)`, `in_channels`) are checked against
 * what reaches them, and a mismatch names both lines.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import type { LayerSpec, TrainingSetup } from '../../spec';
import type { ReadBudget } from './budget';
import { inputShapeHint } from './input-shape';
import type { Argument } from './interpreter';
import type { SourceRange } from './keras-layer-config';
import type { LayerNamer } from './layer-names';
import type { Omissions } from './omissions';
import type { PythonReadOptions } from './read-options';
import type { SourceText } from './source-text';
import type { BuiltLayer } from './topology';
import { TorchGraph } from './torch-graph';
import { InputSettlement } from './torch-input';
import { convertTorchModule, type TorchLayerDraft } from './torch-layer-config';
import { convertRecurrent, recurrentModules, RnnApplication, RnnState } from './torch-recurrent';
import { Tensor, type Layout, type Shape } from './torch-values';
import type { PyValue } from './values';

export interface TraceContext {
  source: SourceText;
  namer: LayerNamer;
  omissions: Omissions;
  training: TrainingSetup;
  options: PythonReadOptions;
  budget: ReadBudget;
}

/** Modules that read PyTorch's channel axis (dim 1), and those that read the last axis. */
const channelsFirstKinds = new Set([
  'Conv1d',
  'Conv2d',
  'ConvTranspose2d',
  'MaxPool1d',
  'MaxPool2d',
  'AvgPool1d',
  'AvgPool2d',
  'AdaptiveAvgPool2d',
  'AdaptiveMaxPool2d',
  'AdaptiveAvgPool1d',
  'AdaptiveMaxPool1d',
  'BatchNorm1d',
  'BatchNorm2d',
  'Dropout1d',
  'Dropout2d',
  'ZeroPad2d',
  'Upsample',
  'UpsamplingNearest2d',
]);
const lastAxisKinds = new Set(['Linear', 'LSTM', 'GRU', 'RNN', 'LayerNorm', 'Embedding']);
/** The per-sample rank a module needs (2-D modules take (C, H, W), 1-D ones (C, L)). */
const ranks: Record<string, number[]> = {
  Conv2d: [3],
  ConvTranspose2d: [3],
  MaxPool2d: [3],
  AvgPool2d: [3],
  AdaptiveAvgPool2d: [3],
  AdaptiveMaxPool2d: [3],
  BatchNorm2d: [3],
  Dropout2d: [3],
  ZeroPad2d: [3],
  Upsample: [3],
  UpsamplingNearest2d: [3],
  Conv1d: [2],
  MaxPool1d: [2],
  AvgPool1d: [2],
  AdaptiveAvgPool1d: [2],
  AdaptiveMaxPool1d: [2],
  Dropout1d: [2],
  BatchNorm1d: [1, 2],
};

export class TorchTrace {
  readonly graph: TorchGraph;
  /** The last tensor produced (where a chain continues when an input is not understood). */
  current: Tensor;
  /** How the model input's shape is settled (stated, given, or assumed and checked). */
  readonly input: InputSettlement;
  /** The RNN application each sequence output comes from, by layer name. */
  readonly rnnOf = new Map<string, RnnApplication>();
  private readonly consumed = new Set<string>();
  /** The first layer that read the input (an Embedding makes the input token ids). */
  firstConsumer: string | null = null;
  /** Paths of the modules whose forward runs, innermost last. */
  readonly scopes: string[][] = [];

  constructor(
    readonly ctx: TraceContext,
    inputNode: SyntaxNode | null,
  ) {
    this.graph = new TorchGraph(ctx.namer.auto('InputLayer', true), inputNode);
    this.current = this.graph.input;
    this.input = new InputSettlement(this);
  }

  /** The tensor a layer reads, with its shape settled (see InputSettlement). */
  settleInput(input: Tensor, kind: string, args: Argument[], at: SyntaxNode): Tensor {
    return this.input.settle(input, kind, args, at);
  }

  /** The shape reaching a layer; the model input's shape is settled by its first consumer. */
  shapeOf(input: Tensor, kind: string, args: Argument[], at: SyntaxNode): Shape {
    return this.input.shapeOf(input, kind, args, at);
  }

  /** A module or functional op applied to `input`; `base` names its layers (`conv1`, `layer1_0_relu`). */
  emitModule(
    kind: string,
    args: Argument[],
    input: Tensor,
    defNode: SyntaxNode,
    site: SyntaxNode,
    activationRange: SourceRange | null,
    base: string | null,
  ): PyValue {
    const { source } = this.ctx;
    if (recurrentModules.has(kind)) return this.emitRecurrent(kind, args, input, defNode, site, base);
    const wanted = channelsFirstKinds.has(kind) ? 'channels-first' : lastAxisKinds.has(kind) ? 'plain' : null;
    const x = this.settleInput(
      wanted ? this.ensureLayout(input, wanted, kind, args, defNode) : input,
      kind,
      args,
      defNode,
    );
    const shape = x.shape!;
    const conversion = convertTorchModule(kind, args, shape);
    if (conversion.missing)
      return this.omit(
        defNode,
        `nn.${kind}`,
        `it has no readable '${conversion.missing}'`,
        x,
        `nn.${kind}(...) has no readable '${conversion.missing}'; it is left out and the model continues from its input`,
      );
    const rank = ranks[kind];
    const unbuildable =
      (rank && !rank.includes(shape.length)
        ? `it needs a ${rank.map((r) => r + 1).join(' or ')}-D input (batch included) but gets per-sample shape (${shape.join(', ')})`
        : null) ??
      conversion.invalid ??
      impossibleShape(conversion.layers, shape);
    if (unbuildable) return this.unbuildable(defNode, `nn.${kind}`, unbuildable, x);
    this.reportMismatches(conversion.mismatches, x, defNode);
    for (const note of conversion.notes) source.report(defNode, note, 'info');
    for (const approximation of conversion.approximations)
      this.ctx.omissions.add(
        defNode,
        `nn.${kind} as written`,
        approximation,
        null,
        `${approximation}; the analysis is marked partial`,
      );
    const layout: Layout =
      conversion.layers.length > 0 && conversion.layers[conversion.layers.length - 1]!.outShape.length === 1
        ? 'plain'
        : wanted === 'channels-first'
          ? 'channels-first'
          : lastAxisKinds.has(kind)
            ? 'plain'
            : x.layout;
    let out = x;
    conversion.layers.forEach((draft, i) => {
      const last = i === conversion.layers.length - 1;
      out = this.emitDraft(
        draft,
        [out],
        defNode,
        site,
        base,
        !last,
        last ? activationRange : null,
        last ? layout : out.layout,
      );
    });
    this.current = out;
    return { kind: 'host', value: out };
  }

  /** One converted layer into the graph. */
  emitDraft(
    draft: TorchLayerDraft,
    inputs: Tensor[],
    defNode: SyntaxNode,
    site: SyntaxNode,
    base: string | null,
    helper: boolean,
    activationRange: SourceRange | null,
    layout: Layout,
  ): Tensor {
    this.ctx.budget.layer(defNode);
    for (const t of inputs) this.consume(t, site);
    const name =
      base === null
        ? this.ctx.namer.auto(draft.className)
        : this.ctx.namer.fromBase(helper ? `${base}_pad` : base);
    const spec: LayerSpec = {
      name,
      className: draft.className,
      activation: draft.activation,
      kernelInitializer: draft.kernelInitializer,
      source: { ...this.ctx.source.location(defNode), activationRange, initializerRange: null },
    };
    const built: BuiltLayer = { name, className: draft.className, config: draft.config, spec };
    this.firstConsumer ??= draft.className;
    const out = this.graph.add(built, inputs, draft.outShape, site, layout);
    this.current = out;
    return out;
  }

  /** `base` under the path of the module whose forward runs (`layer1_0_add`). */
  scoped(base: string): string {
    const path = this.scopes[this.scopes.length - 1] ?? [];
    return path.length > 0 ? `${path.join('_')}_${base}` : base;
  }

  /** A layer the trace adds for a tensor op (Add, Rescaling, Permute, Reshape …), located at `node`. */
  emitOp(
    className: string,
    config: Record<string, unknown>,
    inputs: Tensor[],
    outShape: Shape,
    layout: Layout,
    node: SyntaxNode,
    base: string,
    activation: string | null = null,
    activationRange: SourceRange | null = null,
  ): Tensor {
    const draft: TorchLayerDraft = {
      className,
      config: { trainable: true, dtype: 'float32', ...config },
      activation,
      kernelInitializer: null,
      outShape,
    };
    return this.emitDraft(draft, inputs, node, node, base, false, activationRange, layout);
  }

  /**
   * PyTorch's own axis order for a module that reads a specific axis: a tensor held in the other
   * layout is permuted first (a Conv1d on an embedding output without `.permute(0, 2, 1)` reads
   * the steps as channels, exactly as PyTorch does).
   */
  private ensureLayout(
    input: Tensor,
    wanted: Layout,
    kind: string,
    args: Argument[],
    node: SyntaxNode,
  ): Tensor {
    if (input === this.graph.input && !input.shape) {
      input.layout = wanted;
      this.input.layoutDecided = true;
      return input;
    }
    const shape = input.shape ?? this.shapeOf(input, kind, args, node);
    if (shape.length < 2 || input.layout === wanted) {
      input.layout = shape.length < 2 ? wanted : input.layout;
      return input;
    }
    // channels-first ↔ plain: the channel axis moves between the end and the front of ours.
    const rank = shape.length;
    const dims =
      wanted === 'plain'
        ? [rank, ...Array.from({ length: rank - 1 }, (_, i) => i + 1)]
        : [...Array.from({ length: rank - 1 }, (_, i) => i + 2), 1];
    const outShape = dims.map((d) => shape[d - 1]!);
    return this.emitOp(
      'Permute',
      { dims },
      [input],
      outShape,
      wanted,
      node,
      `${input.layerName ?? 'input'}_permute`,
    );
  }

  private emitRecurrent(
    kind: string,
    args: Argument[],
    input: Tensor,
    defNode: SyntaxNode,
    site: SyntaxNode,
    base: string | null,
  ): PyValue {
    const x = this.settleInput(this.ensureLayout(input, 'plain', kind, args, defNode), kind, args, defNode);
    const conversion = convertRecurrent(kind, args, x.shape!);
    if (conversion.missing)
      return this.omit(defNode, `nn.${kind}`, `it has no readable '${conversion.missing}'`, x, null);
    if (conversion.invalid) return this.unbuildable(defNode, `nn.${kind}`, conversion.invalid, x);
    this.reportMismatches(conversion.mismatches, x, defNode);
    for (const note of conversion.notes) this.ctx.source.report(defNode, note, 'info');
    let out = x;
    // Stacked layers: lstm, lstm_l1 …; the dropout between them: lstm_dropout.
    let stacked = 0;
    conversion.layers.forEach((draft) => {
      const recurrent = draft.className !== 'Dropout';
      const name =
        base === null ? null : !recurrent ? `${base}_dropout` : stacked === 0 ? base : `${base}_l${stacked}`;
      if (recurrent) stacked++;
      out = this.emitDraft(draft, [out], defNode, site, name, false, null, 'plain');
    });
    const last = this.graph.layers[this.graph.layers.length - 1]!;
    const app = new RnnApplication(
      kind,
      last,
      out,
      conversion.units,
      conversion.directions,
      conversion.timeMajor,
      conversion.layerCount * conversion.directions,
    );
    this.rnnOf.set(out.ref[0], app);
    const h: PyValue = { kind: 'host', value: new RnnState(app, 'h') };
    const states: PyValue =
      kind === 'LSTM' ? { kind: 'tuple', items: [h, { kind: 'host', value: new RnnState(app, 'c') }] } : h;
    return { kind: 'tuple', items: [{ kind: 'host', value: out }, states] };
  }

  /** The last step of an RNN's output, as its last layer with `return_sequences=False`. */
  lastStep(app: RnnApplication, node: SyntaxNode): PyValue {
    const seq = app.sequence;
    if (this.consumed.has(seq.ref[0]) && !app.finalTaken)
      return this.omit(
        node,
        'the last step of the RNN output',
        'the whole sequence is also used elsewhere',
        seq,
        null,
      );
    if (!app.finalTaken) {
      app.returnLastStep();
      seq.spent = `its RNN returns only the last step here (line ${this.ctx.source.position(node.from).line})`;
    }
    const width = app.units * app.directions;
    const out = new Tensor(seq.ref, [width], 'plain', node, seq.layerName);
    this.current = out;
    return { kind: 'host', value: out };
  }

  private consume(t: Tensor, site: SyntaxNode): void {
    if (t.spent) {
      const line = this.ctx.source.position(site.from).line;
      throw new UserError(
        `${t.describe()} is used after ${t.spent}; the reader builds either the sequence or its last step`,
        this.ctx.source.file,
        line,
        'take the last step once (out[:, -1, :] or h_n[-1]) and use that tensor',
      );
    }
    this.consumed.add(t.ref[0]);
  }

  /**
   * A layer the tensor reaching it cannot be fed to (wrong rank, smaller than its kernel): PyTorch
   * would fail here too, so the read is refused on the layer's line, naming the shape and where it
   * comes from. A lenient read (lenses) leaves the layer out instead.
   */
  unbuildable(node: SyntaxNode, what: string, why: string, input: Tensor): PyValue {
    const { source, options } = this.ctx;
    if (options.lenient) return this.omit(node, what, why, input, null);
    const from = input.origin
      ? `the tensor comes from line ${source.position(input.origin.from).line}`
      : this.input.assumed
        ? `the input shape ${this.input.assumed.text} was assumed`
        : options.inputShape?.length
          ? `the input shape is --input-shape ${options.inputShape.join(',')}`
          : 'the tensor is the model input';
    throw new UserError(
      `${what} cannot be applied here: ${why} (${from})`,
      source.file,
      source.position(node.from).line,
      input === this.graph.input || this.input.assumed
        ? inputShapeHint
        : 'check the shape of the tensor this layer is called on',
    );
  }

  /** Leaves an op out: an error on its line, an entry in `omitted`, and the model goes on from `from`. */
  omit(node: SyntaxNode, what: string, reason: string, from: Tensor, message: string | null): PyValue {
    this.ctx.omissions.add(
      node,
      what,
      reason,
      null,
      message ??
        `${what} is not understood (${reason}); it is left out and the model continues from its input`,
    );
    return { kind: 'host', value: from };
  }

  private reportMismatches(mismatches: string[], input: Tensor, defNode: SyntaxNode): void {
    const { source } = this.ctx;
    const defLine = source.position(defNode.from).line;
    for (const m of mismatches) {
      const from = input.origin
        ? `the incoming shape comes from line ${source.position(input.origin.from).line}`
        : 'the incoming shape is the model input';
      this.input.contradict(`${m} (line ${defLine})`);
      source.report(defNode, `${m}: declared at line ${defLine}, ${from}`, 'warning');
    }
  }
}

/** Why a converted layer's output shape is impossible (a kernel larger than its input), or null. */
function impossibleShape(layers: TorchLayerDraft[], input: Shape): string | null {
  const bad = layers.find((l) => l.outShape.some((d) => !Number.isInteger(d) || d < 1));
  return bad
    ? `its input (${input.join('×')}) is too small: the ${bad.className} would output (${bad.outShape.join('×')})`
    : null;
}
