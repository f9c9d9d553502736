/**
 * PyTorch scripts → ModelSpec: `nn.Sequential(...)` and `nn.Module` subclasses whose `__init__`
 * assigns layers and whose `forward` is straight-line code. The forward pass is followed with
 * symbolic channels-last shapes, so every module and functional op becomes a TF.js layer in call
 * order, and declared sizes (`nn.Linear(9216, 128)`) are checked against what reaches them.
 */
import type { SyntaxNode } from '@lezer/common';
import type { UserError } from '../../../errors';
import type { LayerSpec, ModelSpec, TrainingSetup } from '../../spec';
import { BoundMethod, Interpreter, type Argument, type CallContext } from './interpreter';
import { LayerNamer } from './layer-names';
import type { SourceRange } from './keras-layer-config';
import type { SourceText } from './source-text';
import { sequentialTopology, type BuiltLayer } from './topology';
import {
  convertTorchModule,
  isActivationModule,
  isSupportedTorchModule,
  moduleForFunction,
  type Shape,
  type TorchLayerDraft,
} from './torch-layer-config';
import { datasetInputShape, datasetOfCall, optimizerFromCall, readOptimizer } from './training-setup';
import { asNumber, describe, hostOf, type PyValue, type Scope } from './values';

/** `nn.Conv2d(1, 32, 3, 1)` as written, before it is applied to a tensor. */
class ModuleDef {
  /** Name for the TF.js layer: the attribute it is assigned to (`conv1`), or `features_0`. */
  attrName: string | null = null;
  applications = 0;

  constructor(
    readonly kind: string,
    readonly args: Argument[],
    readonly node: SyntaxNode,
    readonly unsupported: string | null,
  ) {}

  describe(): string {
    return `nn.${this.kind}`;
  }
}

class SequentialDef {
  attrName: string | null = null;

  constructor(
    readonly children: PyValue[],
    readonly node: SyntaxNode,
  ) {}
}

/** An instance of an nn.Module subclass defined in the file; also `self` inside its methods. */
class ModuleInstance {
  readonly attributes = new Map<string, PyValue>();
  attrName: string | null = null;
  trained = false;

  constructor(
    readonly cls: Extract<PyValue, { kind: 'class' }>,
    readonly node: SyntaxNode,
  ) {}
}

/** A tensor in forward: its per-sample channels-last shape (null: the model input, not yet known). */
class Tensor {
  constructor(
    public shape: Shape | null,
    /** The call that produced it (for messages naming both lines). */
    readonly origin: SyntaxNode | null,
    readonly layerName: string | null,
  ) {}

  describe(): string {
    return this.layerName ? `the output of ${this.layerName}` : 'the model input';
  }
}

/** The named children of `nn.Sequential(OrderedDict([...]))`. */
class NamedModules {
  constructor(readonly entries: [string, PyValue][]) {}
}

type Candidate = ModuleInstance | SequentialDef;

const passThroughMethods = new Set([
  'to',
  'cuda',
  'cpu',
  'train',
  'eval',
  'float',
  'double',
  'half',
  'contiguous',
  'clone',
  'detach',
  'share_memory',
]);
const lossNames: Record<string, string> = {
  nll_loss: 'sparse_categorical_crossentropy',
  cross_entropy: 'sparse_categorical_crossentropy',
  NLLLoss: 'sparse_categorical_crossentropy',
  CrossEntropyLoss: 'sparse_categorical_crossentropy',
  mse_loss: 'mean_squared_error',
  MSELoss: 'mean_squared_error',
};

export class TorchReader {
  private readonly interp: Interpreter;
  private readonly namer = new LayerNamer();
  private readonly training: TrainingSetup = {};
  private readonly candidates: Candidate[] = [];
  private readonly layers: BuiltLayer[] = [];
  private inputShape: Shape | null = null;
  private current: Tensor | null = null;
  /** > 0 while an `__init__` runs (modules created there are parts, not models). */
  private initDepth = 0;
  /** > 0 while a forward pass runs. */
  private forwardDepth = 0;
  private reportedBranching = false;
  /** PyTorch models are always read as far as they go; nothing here stops the reader. */
  readonly failure: UserError | null = null;

  constructor(private readonly source: SourceText) {
    this.interp = new Interpreter(source, {
      call: (ctx) => this.call(ctx),
      member: (object, name) => this.member(object, name),
      assignMember: (object, name, value) => this.assignMember(object, name, value),
      loop: (statement, scope) => this.loop(statement, scope),
      binary: (left, op, right, node) => this.binary(left, op, right, node),
    });
  }

  read(): ModelSpec | null {
    this.interp.runModule();
    if (this.candidates.length === 0) this.interp.runUncalledFunctions();
    this.readLossFromTrainingCode();
    const model = this.chooseModel();
    if (!model) return null;
    const input = new Tensor(null, null, null);
    this.current = input;
    this.forwardDepth++;
    const output =
      model instanceof SequentialDef
        ? this.applySequential(model, input, model.node)
        : this.forward(model, input, model.node);
    this.forwardDepth--;
    if (!hostOf(output, Tensor))
      this.source.report(
        model.node,
        `forward() returns ${describe(output)}; only a single output tensor is understood`,
        'warning',
      );
    if (this.layers.length === 0) return null;
    const name = model instanceof ModuleInstance ? model.cls.name : (model.attrName ?? 'sequential');
    const training = { ...this.training };
    return {
      name,
      origin: 'torch-py',
      file: this.source.file,
      topology: sequentialTopology(name, this.layers, this.inputShape ?? [28, 28, 1]),
      layers: this.layers.map((l) => l.spec),
      training,
      issues: this.source.issues,
    };
  }

  private chooseModel(): Candidate | null {
    const trained = this.candidates.filter((c) => c instanceof ModuleInstance && c.trained);
    if (trained.length > 0) return trained[0]!;
    if (this.candidates.length > 0) return this.candidates[this.candidates.length - 1]!;
    // Nothing instantiated: the last nn.Module class no other class uses as a part.
    const classes: Extract<PyValue, { kind: 'class' }>[] = [];
    for (const node of this.source.tree.topNode.getChildren('ClassDefinition')) {
      const name = node.getChild('VariableName');
      const v = name ? this.interp.module.get(this.source.slice(name)) : undefined;
      if (v?.kind === 'class' && this.isModuleClass(v)) classes.push(v);
    }
    const last = classes[classes.length - 1];
    if (!last) return null;
    this.source.report(
      last.node,
      `${last.name} is never instantiated in this file; analyzing it with its default arguments`,
      'info',
    );
    return this.instantiate(last, last.node, []);
  }

  private isModuleClass(cls: Extract<PyValue, { kind: 'class' }>, depth = 0): boolean {
    return cls.bases.some(
      (b) =>
        (b.kind === 'ref' && b.path === 'torch.nn.Module') ||
        (b.kind === 'class' && depth < 8 && this.isModuleClass(b, depth + 1)),
    );
  }

  private instantiate(
    cls: Extract<PyValue, { kind: 'class' }>,
    node: SyntaxNode,
    args: Argument[],
  ): ModuleInstance {
    const instance = new ModuleInstance(cls, node);
    const init = this.method(cls, '__init__');
    if (init) {
      this.initDepth++;
      this.interp.callFunction(init, args, node, [{ kind: 'host', value: instance }]);
      this.initDepth--;
    }
    return instance;
  }

  /** A method of a class defined in the file (or of its local base classes). */
  private method(
    cls: Extract<PyValue, { kind: 'class' }>,
    name: string,
    depth = 0,
  ): Extract<PyValue, { kind: 'function' }> | null {
    const body = cls.node.getChild('Body');
    for (const def of body
      ? [
          ...body.getChildren('FunctionDefinition'),
          ...body.getChildren('DecoratedStatement').map((d) => d.getChild('FunctionDefinition')),
        ]
      : []) {
      const id = def?.getChild('VariableName');
      if (def && id && this.source.slice(id) === name)
        return { kind: 'function', node: def, name, scope: this.interp.module };
    }
    for (const base of cls.bases)
      if (base.kind === 'class' && depth < 8) return this.method(base, name, depth + 1);
    return null;
  }

  private member(object: PyValue, name: string): PyValue | undefined {
    const instance = hostOf(object, ModuleInstance);
    if (!instance) return undefined;
    const attr = instance.attributes.get(name);
    if (attr) return attr;
    if (name === 'training') return { kind: 'bool', value: true };
    return undefined;
  }

  private assignMember(object: PyValue, name: string, value: PyValue): void {
    const instance = hostOf(object, ModuleInstance);
    if (!instance) return;
    instance.attributes.set(name, value);
    const part = hostOf(value, ModuleDef) ?? hostOf(value, SequentialDef) ?? hostOf(value, ModuleInstance);
    if (part && part.attrName === null) part.attrName = name;
    const seq = hostOf(value, SequentialDef);
    if (seq) {
      seq.children.forEach((child, i) => {
        const def = hostOf(child, ModuleDef) ?? hostOf(child, ModuleInstance);
        if (def && def.attrName === null) def.attrName = `${name}_${i}`;
      });
    }
  }

  private call(ctx: CallContext): PyValue | undefined {
    const { callee } = ctx;
    if (callee.kind === 'ref') return this.callLibrary(callee.path, ctx);
    if (callee.kind === 'class' && this.isModuleClass(callee)) {
      const instance = this.instantiate(callee, ctx.node, ctx.args);
      if (this.initDepth === 0 && this.forwardDepth === 0) this.candidates.push(instance);
      return { kind: 'host', value: instance };
    }
    const def = hostOf(callee, ModuleDef);
    if (def) return this.applyModule(def, this.tensorArgument(ctx), ctx.node);
    const seq = hostOf(callee, SequentialDef);
    if (seq) return this.applySequential(seq, this.tensorArgument(ctx), ctx.node);
    const instance = hostOf(callee, ModuleInstance);
    if (instance) return this.forward(instance, this.tensorArgument(ctx), ctx.node);
    const method = hostOf(callee, BoundMethod);
    if (method) return this.callMethod(method, ctx);
    return undefined;
  }

  private callLibrary(path: string, ctx: CallContext): PyValue | undefined {
    const dataset = datasetOfCall(path);
    if (dataset) {
      this.training.dataset ??= dataset;
      return { kind: 'unknown', why: 'a dataset' };
    }
    const parts = path.split('.');
    const last = parts[parts.length - 1]!;
    if (path === 'collections.OrderedDict') return this.orderedModules(ctx);
    if (path === 'torch.nn.Sequential') {
      const positional = ctx.args.filter((a) => a.keyword === null).map((a) => a.value);
      const named = positional.length === 1 ? hostOf(positional[0], NamedModules) : null;
      const seq = new SequentialDef(named ? named.entries.map(([, v]) => v) : positional, ctx.node);
      named?.entries.forEach(([name, v]) => {
        const part = hostOf(v, ModuleDef) ?? hostOf(v, ModuleInstance) ?? hostOf(v, SequentialDef);
        if (part && part.attrName === null) part.attrName = name;
      });
      if (this.initDepth === 0 && this.forwardDepth === 0) this.candidates.push(seq);
      return { kind: 'host', value: seq };
    }
    if (lossNames[last] && path.startsWith('torch.nn.')) {
      this.training.loss ??= lossNames[last];
      return { kind: 'unknown', why: 'a loss' };
    }
    if (path.startsWith('torch.optim.') && parts.length === 3) {
      readOptimizer({ kind: 'host', value: optimizerFromCall(last, ctx.args, 1) }, this.training);
      const params = ctx.args[0] ? hostOf(ctx.args[0].value, BoundMethod) : null;
      const owner = params ? hostOf(params.receiver, ModuleInstance) : null;
      if (owner) owner.trained = true;
      return { kind: 'unknown', why: 'an optimizer' };
    }
    if (path === 'torch.utils.data.DataLoader') {
      const batch = asNumber(
        ctx.args.find((a) => a.keyword === 'batch_size')?.value ??
          ctx.args.filter((a) => a.keyword === null)[1]?.value,
      );
      if (batch !== null) this.training.batchSize ??= batch;
      return { kind: 'unknown', why: 'a data loader' };
    }
    if (path.startsWith('torch.nn.') && parts.length === 3 && last[0] === last[0]?.toUpperCase()) {
      if (last === 'Module') return undefined;
      const why =
        last === 'ModuleList' || last === 'ModuleDict'
          ? `nn.${last} holds layers built by code the reader does not run`
          : isSupportedTorchModule(last)
            ? null
            : `nn.${last} is not supported by the reader`;
      return { kind: 'host', value: new ModuleDef(last, ctx.args, ctx.node, why) };
    }
    // Functional ops: F.relu(x), torch.flatten(x, 1), torch.sigmoid(x) …
    const tensorArg = ctx.args.find((a) => hostOf(a.value, Tensor));
    if (!tensorArg) return undefined;
    const functional = path.startsWith('torch.nn.functional.')
      ? last
      : path === `torch.${last}`
        ? last
        : null;
    const kind = functional ? moduleForFunction(functional) : null;
    if (kind) {
      const rest = ctx.args.filter((a) => a !== tensorArg);
      // torch.flatten's start_dim defaults to 0 (the batch too); F.* flatten is not a thing.
      const args =
        kind === 'Flatten' &&
        asNumber(rest[0]?.value ?? rest.find((a) => a.keyword === 'start_dim')?.value) === 0
          ? null
          : rest;
      if (kind === 'Flatten' && (args === null || (rest.length === 0 && path === 'torch.flatten'))) {
        this.source.report(
          ctx.node,
          'torch.flatten without start_dim=1 also flattens the batch; read as flatten(x, 1)',
          'warning',
        );
      }
      return this.applyFunctional(kind, functional!, args ?? [], hostOf(tensorArg.value, Tensor)!, ctx);
    }
    if (lossNames[last]) {
      this.training.loss ??= lossNames[last];
      return { kind: 'unknown', why: 'a loss' };
    }
    this.source.report(
      ctx.node,
      `${path}(...) on a tensor is not understood; the model continues from its input`,
      'warning',
    );
    return tensorArg.value;
  }

  private callMethod(method: BoundMethod, ctx: CallContext): PyValue | undefined {
    const receiver = method.receiver;
    const instance = hostOf(receiver, ModuleInstance);
    if (instance) {
      if (passThroughMethods.has(method.name)) return receiver;
      if (method.name === 'parameters') {
        instance.trained = true;
        return { kind: 'host', value: method };
      }
      if (method.name === 'forward') return this.forward(instance, this.tensorArgument(ctx), ctx.node);
      const fn = this.method(instance.cls, method.name);
      if (fn) return this.interp.callFunction(fn, ctx.args, ctx.node, [receiver]);
      return undefined;
    }
    if (hostOf(receiver, ModuleDef) || hostOf(receiver, SequentialDef))
      return passThroughMethods.has(method.name) ? receiver : undefined;
    const tensor = hostOf(receiver, Tensor);
    if (!tensor) return undefined;
    if (passThroughMethods.has(method.name)) return receiver;
    switch (method.name) {
      case 'size':
        return ctx.args.length === 0
          ? { kind: 'unknown', why: 'a tensor size' }
          : this.sizeOf(tensor, asNumber(ctx.args[0]?.value));
      case 'view':
      case 'reshape':
        return this.view(tensor, ctx);
      case 'flatten':
        return this.applyFunctional('Flatten', 'flatten', ctx.args, tensor, ctx);
      default: {
        const kind = moduleForFunction(method.name);
        if (kind && kind !== 'Flatten') return this.applyFunctional(kind, method.name, ctx.args, tensor, ctx);
        this.source.report(
          ctx.node,
          `tensor.${method.name}(...) is not understood; the model continues from its input`,
          'warning',
        );
        return receiver;
      }
    }
  }

  /** `OrderedDict([('conv1', nn.Conv2d(...)), ...])` for a Sequential with named children. */
  private orderedModules(ctx: CallContext): PyValue | undefined {
    const list = ctx.args[0]?.value;
    if (list?.kind !== 'tuple') return undefined;
    const entries: [string, PyValue][] = [];
    for (const item of list.items) {
      const name =
        item.kind === 'tuple' && item.items.length === 2 && item.items[0]!.kind === 'string'
          ? item.items[0]!.value
          : null;
      if (name === null || item.kind !== 'tuple') return undefined;
      entries.push([name, item.items[1]!]);
    }
    return { kind: 'host', value: new NamedModules(entries) };
  }

  /** `x.size(0)` is the batch; other axes are known once the input shape is. */
  private sizeOf(tensor: Tensor, axis: number | null): PyValue {
    if (axis === 0 || axis === null || !tensor.shape) return { kind: 'unknown', why: 'the batch size' };
    // PyTorch axes are NCHW; our shapes are HWC.
    const chw =
      tensor.shape.length === 3 ? [tensor.shape[2]!, tensor.shape[0]!, tensor.shape[1]!] : tensor.shape;
    const v = chw[axis - 1];
    return v === undefined ? { kind: 'unknown', why: 'a tensor size' } : { kind: 'number', value: v };
  }

  /** The tensor a module is called on; anything else (x + y, torch.cat) is reported and the chain continues. */
  private tensorArgument(ctx: CallContext): Tensor {
    const arg = ctx.args.find((a) => a.keyword === null);
    const tensor = arg ? hostOf(arg.value, Tensor) : null;
    if (tensor) return tensor;
    const what = arg ? describe(arg.value) : 'nothing';
    this.source.report(
      ctx.node,
      `the input of this call is ${what}, which is not understood (only a straight chain of layers is); the model continues from the previous layer`,
      'warning',
    );
    return this.current ?? new Tensor(null, null, null);
  }

  private forward(instance: ModuleInstance, input: Tensor, site: SyntaxNode): PyValue {
    const forward = this.method(instance.cls, 'forward');
    if (!forward) {
      this.source.report(instance.cls.node, `${instance.cls.name} has no forward(); it is left out`, 'error');
      return { kind: 'host', value: input };
    }
    this.forwardDepth++;
    const out = this.interp.callFunction(
      forward,
      [{ keyword: null, value: { kind: 'host', value: input }, node: site }],
      site,
      [{ kind: 'host', value: instance }],
    );
    this.forwardDepth--;
    return out;
  }

  private applySequential(seq: SequentialDef, input: Tensor, _site: SyntaxNode): PyValue {
    let x: PyValue = { kind: 'host', value: input };
    for (const child of seq.children) {
      const t = hostOf(x, Tensor) ?? this.current ?? input;
      const def = hostOf(child, ModuleDef);
      const instance = hostOf(child, ModuleInstance);
      const inner = hostOf(child, SequentialDef);
      if (def) x = this.applyModule(def, t, def.node);
      else if (instance) x = this.forward(instance, t, instance.node);
      else if (inner) x = this.applySequential(inner, t, inner.node);
      else
        this.source.report(
          seq.node,
          `an element of nn.Sequential is ${describe(child)}, which is not understood; it is left out`,
          'warning',
        );
    }
    return x;
  }

  /** A module attribute applied in forward (or a Sequential child): its layers carry the definition's location. */
  private applyModule(def: ModuleDef, input: Tensor, site: SyntaxNode): PyValue {
    if (def.unsupported) {
      this.source.report(
        def.node,
        `${def.unsupported}; it is left out and the model continues from its input`,
        'error',
      );
      return { kind: 'host', value: input };
    }
    def.applications++;
    if (def.applications === 2 && (def.kind.startsWith('Conv') || def.kind === 'Linear')) {
      this.source.report(
        def.node,
        `${def.attrName ?? def.kind} is applied more than once (shared weights); the TF.js model gets separate layers`,
        'info',
      );
    }
    const range = isActivationModule(def.kind) ? this.source.range(def.node) : null;
    const base = def.attrName ?? null;
    return this.emit(def.kind, def.args, input, def.node, site, range, base);
  }

  /** `F.relu(x)`: its own layer, located at the call, whose quick-fix range is the callee `F.relu`. */
  private applyFunctional(
    kind: string,
    fn: string,
    args: Argument[],
    input: Tensor,
    ctx: CallContext,
  ): PyValue {
    const range = isActivationModule(kind) ? this.source.range(ctx.calleeNode) : null;
    // Activations are named for what they rectify (conv1_relu); other ops for themselves (max_pool2d).
    const base = range && input.layerName ? `${input.layerName}_${fn}` : fn;
    return this.emit(kind, args, input, ctx.node, ctx.node, range, base);
  }

  private emit(
    kind: string,
    args: Argument[],
    input: Tensor,
    defNode: SyntaxNode,
    site: SyntaxNode,
    activationRange: SourceRange | null,
    base: string | null,
  ): PyValue {
    this.checkChain(input, site);
    const shape = this.shapeOf(input, kind, args, defNode);
    const conversion = convertTorchModule(kind, args, shape);
    if (conversion.missing) {
      this.source.report(
        defNode,
        `nn.${kind}(...) has no readable '${conversion.missing}'; it is left out and the model continues from its input`,
        'error',
      );
      return { kind: 'host', value: input };
    }
    const defLine = this.source.position(defNode.from).line;
    for (const m of conversion.mismatches) {
      const from = input.origin
        ? `the incoming shape comes from line ${this.source.position(input.origin.from).line}`
        : 'the incoming shape is the model input';
      this.source.report(defNode, `${m}: declared at line ${defLine}, ${from}`, 'warning');
    }
    for (const note of conversion.notes) this.source.report(defNode, note, 'info');
    let out = input;
    conversion.layers.forEach((draft, i) => {
      const last = i === conversion.layers.length - 1;
      const name = this.layerName(draft, base, !last);
      this.layers.push(
        this.built(name, draft, last ? defNode : null, defNode, last ? activationRange : null),
      );
      out = new Tensor(draft.outShape, site, name);
    });
    this.current = out;
    return { kind: 'host', value: out };
  }

  private layerName(draft: TorchLayerDraft, base: string | null, helper: boolean): string {
    if (base === null) return this.namer.auto(draft.className);
    return this.namer.fromBase(helper ? `${base}_pad` : base);
  }

  private built(
    name: string,
    draft: TorchLayerDraft,
    node: SyntaxNode | null,
    defNode: SyntaxNode,
    activationRange: SourceRange | null,
  ): BuiltLayer {
    const spec: LayerSpec = {
      name,
      className: draft.className,
      activation: draft.activation,
      kernelInitializer: draft.kernelInitializer,
      source: { ...this.source.location(node ?? defNode), activationRange, initializerRange: null },
    };
    return { name, className: draft.className, config: draft.config, spec };
  }

  /** The shape reaching a layer; the model input's shape is settled by its first consumer. */
  private shapeOf(input: Tensor, kind: string, args: Argument[], at: SyntaxNode): Shape {
    if (input.shape) return input.shape;
    const fromData = datasetInputShape(this.training.dataset);
    const first = (name: string): number | null =>
      asNumber(
        args.find((a) => a.keyword === name)?.value ?? args.filter((a) => a.keyword === null)[0]?.value,
      );
    let shape: Shape;
    if (kind === 'Linear') {
      const features = first('in_features');
      if (fromData && features === fromData.reduce((a, b) => a * b, 1)) {
        // The script flattens the images in its transform: the TF.js model does it as its first layer.
        this.inputShape = fromData;
        const flat: TorchLayerDraft = {
          className: 'Flatten',
          config: { trainable: true, dtype: 'float32', data_format: 'channels_last' },
          activation: null,
          kernelInitializer: null,
          outShape: [features],
        };
        this.layers.push(this.built(this.namer.fromBase('flatten_input'), flat, null, at, null));
        this.layers[this.layers.length - 1]!.spec.source = null;
        input.shape = [features];
        return input.shape;
      }
      shape = [features ?? 784];
    } else if (kind === 'Conv2d' && !fromData) {
      const channels = first('in_channels') ?? 1;
      const side = channels === 3 ? 32 : 28;
      shape = [side, side, channels];
      this.source.report(
        at,
        `the input size is not stated; assuming ${side}×${side}×${channels} images`,
        'info',
      );
    } else {
      shape = fromData ?? [28, 28, 1];
      if (!fromData) this.source.report(at, 'the input size is not stated; assuming 28×28×1 images', 'info');
    }
    input.shape = shape;
    this.inputShape = shape;
    return shape;
  }

  private checkChain(input: Tensor, site: SyntaxNode): void {
    if (this.current && input !== this.current && !this.reportedBranching) {
      this.reportedBranching = true;
      this.source.report(
        site,
        'forward() uses an earlier tensor here (a branch or skip connection); only a straight chain is understood, so the layers are read in call order',
        'warning',
      );
    }
  }

  /** `x.view(-1, 9216)`, `x.view(x.size(0), -1)`, `x.reshape(-1, 1, 28, 28)`. */
  private view(tensor: Tensor, ctx: CallContext): PyValue {
    const dims = ctx.args.filter((a) => a.keyword === null).map((a) => a.value);
    const flatDims = dims.length === 1 && dims[0]?.kind === 'tuple' ? dims[0].items : dims;
    const sizes = flatDims.map((d) => asNumber(d));
    const shape = tensor.shape ?? this.shapeOf(tensor, 'View', [], ctx.node);
    const total = shape.reduce((a, b) => a * b, 1);
    if (sizes.length === 2) {
      const declared = sizes[1];
      if (declared !== null && declared !== undefined && declared !== -1 && declared !== total) {
        const from = tensor.origin
          ? `line ${this.source.position(tensor.origin.from).line}`
          : 'the model input';
        this.source.report(
          ctx.node,
          `view(-1, ${declared}) declares ${declared} features but the tensor has ${total} (shape ${shape.join('×')} from ${from}); the model uses ${total}`,
          'warning',
        );
      }
      if (shape.length === 1) return { kind: 'host', value: tensor };
      return this.applyFunctional('Flatten', 'flatten', [], tensor, ctx);
    }
    if (sizes.length === 4 && sizes.slice(1).every((s) => s !== null && s > 0)) {
      const [c, h, w] = sizes.slice(1) as number[];
      if (c! * h! * w! !== total) {
        this.source.report(
          ctx.node,
          `view to ${c}×${h}×${w} does not match the ${total} values of the tensor`,
          'warning',
        );
        return { kind: 'host', value: tensor };
      }
      this.checkChain(tensor, ctx.node);
      const name = this.namer.fromBase(`${tensor.layerName ?? 'input'}_view`);
      const draft: TorchLayerDraft = {
        className: 'Reshape',
        config: { trainable: true, dtype: 'float32', target_shape: [h, w, c] },
        activation: null,
        kernelInitializer: null,
        outShape: [h!, w!, c!],
      };
      this.layers.push(this.built(name, draft, ctx.node, ctx.node, null));
      this.current = new Tensor(draft.outShape, ctx.node, name);
      return { kind: 'host', value: this.current };
    }
    this.source.report(
      ctx.node,
      `view/reshape to (${flatDims.map(describe).join(', ')}) is not understood; the tensor is passed on unchanged`,
      'warning',
    );
    return { kind: 'host', value: tensor };
  }

  /** `out + identity` (a skip connection) has no place in a chain: reported, the chain goes on. */
  private binary(left: PyValue, op: string, right: PyValue, node: SyntaxNode): PyValue | undefined {
    const tensor = hostOf(left, Tensor) ?? hostOf(right, Tensor);
    if (!tensor) return undefined;
    const both = hostOf(left, Tensor) && hostOf(right, Tensor);
    if (both) {
      this.reportedBranching = true;
      this.source.report(
        node,
        `'${op}' of two tensors (a skip connection) is not understood; only a straight chain of layers is, so the model continues from the left operand`,
        'warning',
      );
    } else if (this.forwardDepth > 0) {
      this.source.report(
        node,
        `'${op}' with a constant on a tensor is left out (TF.js model has no layer for it)`,
        'info',
      );
    }
    return { kind: 'host', value: hostOf(left, Tensor) ?? tensor };
  }

  /** The loss usually sits in a `train()` nothing runs statically: find `F.nll_loss(...)` by name. */
  private readLossFromTrainingCode(): void {
    if (this.training.loss) return;
    const cursor = this.source.tree.cursor();
    do {
      if (cursor.name !== 'CallExpression') continue;
      const callee = cursor.node.firstChild;
      if (!callee || (callee.name !== 'MemberExpression' && callee.name !== 'VariableName')) continue;
      if (callee.name === 'MemberExpression' && callee.firstChild?.name !== 'VariableName') continue;
      const v = this.interp.evaluate(callee, this.interp.module);
      const last = v.kind === 'ref' ? v.path.slice(v.path.lastIndexOf('.') + 1) : '';
      if (v.kind === 'ref' && v.path.startsWith('torch.nn.') && lossNames[last]) {
        this.training.loss = lossNames[last];
        return;
      }
    } while (cursor.next());
  }

  /** Training loops give the epoch count; loops inside a model are unrolled when their sequence is known. */
  private loop(statement: SyntaxNode, scope: Scope): void {
    if (this.initDepth > 0 || this.forwardDepth > 0) {
      const result = this.interp.unrollFor(statement, scope);
      if (typeof result === 'number')
        this.source.report(statement, `this loop was unrolled ${result} time(s)`, 'info');
      else
        this.source.report(
          statement,
          `a loop inside the model cannot be unrolled (${result}); the layers it builds or applies are missing from the analysis`,
          'warning',
        );
      return;
    }
    if (statement.name !== 'ForStatement' || this.training.epochs !== undefined) return;
    const target = statement.getChild('VariableName');
    if (!target || !this.source.slice(target).toLowerCase().includes('epoch')) return;
    const call = statement.getChild('CallExpression');
    if (!call) return;
    const range = this.interp.evaluate(call, scope);
    if (range.kind === 'tuple') this.training.epochs = range.items.length;
  }
}
