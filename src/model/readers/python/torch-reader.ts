/**
 * PyTorch scripts → ModelSpec: `nn.Sequential(...)` and `nn.Module` subclasses (sub-modules
 * defined anywhere in the file, layers built in loops and helpers such as `_make_layer`, VGG `cfg`
 * lists, `nn.ModuleList`, `nn.Sequential(*layers)`). The chosen model's `forward` is traced with
 * symbolic channels-last shapes, so every module call and tensor op becomes TF.js layers in a graph
 * (residual adds included), and declared sizes are checked against what reaches them.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import type { ModelSpec, TrainingSetup } from '../../spec';
import type { ReadBudget } from './budget';
import { BoundMethod, Interpreter, type Argument, type CallContext, type ClassValue } from './interpreter';
import { LayerNamer } from './layer-names';
import { chooseModel, type ModelCandidate } from './model-choice';
import { Omissions } from './omissions';
import type { PythonReadOptions } from './read-options';
import { markSourceInstances } from './source-instances';
import type { SourceText } from './source-text';
import { foldSubscript, type SubscriptPart } from './subscripts';
import { isActivationModule, isSupportedTorchModule } from './torch-layer-config';
import { isTorchLoss, readTorchLoss } from './torch-losses';
import { recurrentModules, RnnState } from './torch-recurrent';
import { TorchTensorOps } from './torch-tensor-ops';
import { TorchTrace } from './torch-trace';
import { forwardInputs, outputsOf } from './torch-forward-io';
import { orderedModules } from './torch-named-modules';
import { ClassCandidate, partOf, torchCandidates } from './torch-candidates';
import { readEpochs, readLossFromTrainingCode } from './torch-training';
import {
  ModuleDef,
  ModuleInstance,
  ModuleListDef,
  NamedModules,
  SequentialDef,
  Tensor,
  TorchPart,
} from './torch-values';
import { datasetOfCall, optimizerFromCall, readOptimizer } from './training-setup';
import { asNumber, asString, describe, hostOf, type PyValue } from './values';

type Candidate = ModuleInstance | SequentialDef;

const passThroughMethods = new Set([
  'to',
  'cuda',
  'cpu',
  'eval',
  'float',
  'double',
  'half',
  'share_memory',
  'requires_grad_',
  'apply',
]);
/** Constructor arguments a module def answers when read as attributes (`self.fc.in_features`). */
const readableSizes = [
  'in_features',
  'out_features',
  'in_channels',
  'out_channels',
  'num_features',
  'hidden_size',
  'embedding_dim',
  'num_embeddings',
];

export class TorchReader {
  private readonly interp: Interpreter;
  private readonly namer = new LayerNamer();
  private readonly training: TrainingSetup = {};
  readonly omissions: Omissions;
  private readonly candidates: Candidate[] = [];
  /** Instances whose `__init__` runs, innermost last (parts built there belong to them). */
  private readonly initializing: ModuleInstance[] = [];
  private trace: TorchTrace | null = null;
  private root: TorchPart | null = null;
  private readonly ops = new TorchTensorOps(() => this.trace!);
  /** PyTorch models are read as far as they go; what stops the reader is a UserError thrown. */
  readonly failure: UserError | null = null;

  constructor(
    private readonly source: SourceText,
    private readonly budget: ReadBudget,
    private readonly options: PythonReadOptions = {},
  ) {
    this.omissions = new Omissions(source);
    this.interp = new Interpreter(
      source,
      {
        call: (ctx) => this.call(ctx),
        member: (object, name) => this.member(object, name),
        assignMember: (object, name, value) => this.assignMember(object, name, value),
        binary: (left, op, right, node) => (this.trace ? this.ops.binary(left, op, right, node) : undefined),
        subscript: (object, parts, node) => this.subscript(object, parts, node),
        iterate: (value) => {
          const list = hostOf(value, ModuleListDef) ?? hostOf(value, SequentialDef);
          return list ? [...(list instanceof ModuleListDef ? list.items : list.children)] : undefined;
        },
        buildsLayers: (callee, method) => this.buildsLayers(callee, method),
        insideModel: () => this.initializing.length > 0 || this.trace !== null,
        loopFollowed: (statement, n) => {
          if (this.initializing.length > 0 || this.trace)
            source.report(statement, `this loop was unrolled ${n} time(s)`, 'info');
        },
        loopNotFollowed: (statement, reason, builds) => {
          if (builds)
            this.omissions.loopNotFollowed(
              statement,
              reason,
              this.initializing[this.initializing.length - 1] ?? null,
              true,
            );
        },
        beforeLoop: (statement, scope) => {
          if (this.initializing.length === 0 && !this.trace)
            readEpochs(this.interp, statement, scope, this.training);
        },
        assignName: (name, value) => this.nameModel(name, value),
      },
      budget,
    );
  }

  read(): ModelSpec | null {
    this.interp.runModule();
    if (this.candidates.length === 0) this.interp.runUncalledFunctions();
    readLossFromTrainingCode(this.interp, this.training);
    const choice = chooseModel(this.candidateList(), this.options.model, this.source);
    if (!choice) return null;
    const chosen = choice.chosen.value;
    let root: Candidate;
    if (chosen instanceof ClassCandidate) {
      this.source.report(
        chosen.cls.node,
        `${chosen.cls.name} is never instantiated in this file; analyzing it with its default arguments`,
        'info',
      );
      root = this.instantiate(chosen.cls, chosen.cls.node, []);
    } else root = chosen;
    return this.build(root, choice.chosen.names[0]!, choice.alternatives, choice.definition);
  }

  private candidateList(): ModelCandidate<Candidate | ClassCandidate>[] {
    return torchCandidates(this.candidates, this.sequentialVariables, {
      interp: this.interp,
      source: this.source,
      isModuleClass: (cls) => this.isModuleClass(cls),
      severalInputs: (cls) => this.severalInputs(cls),
    });
  }

  private readonly sequentialVariables = new Map<SequentialDef, string[]>();

  /** Traces the chosen model and assembles its spec. */
  private build(
    root: Candidate,
    name: string,
    alternatives: NonNullable<ModelSpec['alternatives']>,
    definition: NonNullable<ModelSpec['definition']>,
  ): ModelSpec | null {
    const forward = root instanceof ModuleInstance ? this.forwardOf(root.cls) : null;
    if (root instanceof ModuleInstance && !forward) {
      throw new UserError(
        `${root.cls.name} has no forward() method`,
        this.source.file,
        this.source.position(root.cls.node.from).line,
        'define forward(self, x), or choose another model with --model',
      );
    }
    const inputNode = forward ? this.checkSingleInput(forward, root as ModuleInstance) : null;
    const trace = new TorchTrace(
      {
        source: this.source,
        namer: this.namer,
        omissions: this.omissions,
        training: this.training,
        options: this.options,
        budget: this.budget,
      },
      inputNode,
    );
    this.trace = trace;
    this.root = root;
    const input: PyValue = { kind: 'host', value: trace.graph.input };
    const output =
      root instanceof SequentialDef
        ? this.applySequential(root, trace.graph.input)
        : this.forward(root, [{ keyword: null, value: input, node: root.node }], root.node);
    this.trace = null;
    trace.input.checkAssumption();
    if (trace.graph.layers.length === 0) {
      // A model is there, but nothing in it could be built: say where, not "no model found".
      const at = root instanceof ModuleInstance ? (forward?.node ?? root.cls.node) : root.node;
      const line = this.source.position(at.from).line;
      const why = this.source.issues.find((i) => i.severity !== 'info' && i.line >= line);
      throw new UserError(
        root instanceof ModuleInstance
          ? `${root.cls.name}.forward() builds no layer the reader understands${why ? ` (line ${why.line}: ${why.message})` : ''}`
          : `this nn.Sequential holds no layer the reader understands${why ? ` (line ${why.line}: ${why.message})` : ''}`,
        this.source.file,
        line,
        'write the model with nn.Module layers applied in forward(), or save it and analyze the saved file',
      );
    }
    const outputs = outputsOf(output, trace, root, this.source, this.omissions);
    const { topology, layers, dropped } = trace.graph.topology(name, outputs, this.source);
    for (const layer of dropped)
      if (layer.spec.source)
        this.source.reportAt(
          this.source.lineStart(layer.spec.source.line) + layer.spec.source.column - 1,
          `${layer.name} is computed in forward() but its output is not used; it is left out`,
          'info',
        );
    markSourceInstances(layers);
    const training = { ...this.training };
    trace.input.kindInto(training);
    const omitted = this.omissions.of(root);
    return {
      name,
      origin: 'torch-py',
      file: this.source.file,
      topology,
      layers,
      training,
      issues: this.source.issues,
      ...(omitted.length > 0 ? { omitted } : {}),
      ...(alternatives.length > 0 ? { alternatives } : {}),
      definition,
    };
  }

  /** Why a model class cannot be fed by the engine (`forward(self, a, b)`), or null. */
  private severalInputs(cls: ClassValue): string | null {
    const forward = this.forwardOf(cls);
    const inputs = forward ? forwardInputs(forward) : [];
    return inputs.length > 1 ? `takes ${inputs.length} inputs` : null;
  }

  /** A model with several inputs (`forward(self, a, b)`) is not one the engine can feed. */
  private checkSingleInput(
    forward: Extract<PyValue, { kind: 'function' }>,
    root: ModuleInstance,
  ): SyntaxNode | null {
    const inputs = forwardInputs(forward);
    if (inputs.length > 1)
      throw new UserError(
        `${root.cls.name}.forward() takes ${inputs.length} inputs (${inputs.map((n) => this.source.slice(n)).join(', ')}); the analysis feeds a model one input`,
        this.source.file,
        this.source.position(forward.node.from).line,
        'choose a single-input model of this file with --model NAME, or analyze a saved single-input model',
      );
    return inputs[0] ?? null;
  }

  // ----- the interpreter's hooks -------------------------------------------------------------

  private call(ctx: CallContext): PyValue | undefined {
    const { callee } = ctx;
    if (callee.kind === 'ref') return this.callLibrary(callee.path, ctx);
    if (callee.kind === 'class' && this.isModuleClass(callee)) {
      const instance = this.instantiate(callee, ctx.node, ctx.args);
      if (this.initializing.length === 0 && !this.trace) {
        instance.builtIn = this.interp.callStack[this.interp.callStack.length - 1]?.name ?? null;
        this.candidates.push(instance);
      }
      return { kind: 'host', value: instance };
    }
    const def = hostOf(callee, ModuleDef);
    const seq = hostOf(callee, SequentialDef);
    const instance = hostOf(callee, ModuleInstance);
    if (def || seq || instance) {
      if (!this.trace)
        return { kind: 'unknown', why: 'the output of a module called outside the traced forward()' };
      const x = this.tensorArgument(ctx);
      if (def) return this.applyModule(def, x, ctx.node);
      if (seq) return this.applySequential(seq, x);
      return this.forward(instance!, ctx.args, ctx.node);
    }
    const method = hostOf(callee, BoundMethod);
    if (method) return this.callMethod(method, ctx);
    return undefined;
  }

  private buildsLayers(callee: PyValue, method: string | null): boolean {
    if (method === 'add_module') return true;
    if (callee.kind === 'ref') {
      const last = callee.path.slice(callee.path.lastIndexOf('.') + 1);
      return (
        callee.path.startsWith('torch.nn.') &&
        !callee.path.startsWith('torch.nn.functional.') &&
        last[0] === last[0]?.toUpperCase()
      );
    }
    return callee.kind === 'class' && this.isModuleClass(callee);
  }

  private nameModel(name: string, value: PyValue): void {
    const instance = hostOf(value, ModuleInstance);
    const seq = hostOf(value, SequentialDef);
    if (instance) {
      const list = this.interp.callStack.length === 0 ? instance.moduleVariables : instance.localVariables;
      if (!list.includes(name)) list.push(name);
    } else if (seq && this.interp.callStack.length === 0) {
      const names = this.sequentialVariables.get(seq) ?? [];
      if (!names.includes(name)) this.sequentialVariables.set(seq, [...names, name]);
    }
  }

  private callLibrary(path: string, ctx: CallContext): PyValue | undefined {
    const dataset = datasetOfCall(path);
    if (dataset) {
      this.training.dataset ??= dataset;
      return { kind: 'unknown', why: 'a dataset' };
    }
    const last = path.slice(path.lastIndexOf('.') + 1);
    if (path === 'collections.OrderedDict') return orderedModules(ctx);
    if (path === 'torch.nn.Sequential') return this.sequential(ctx);
    if (path === 'torch.nn.ModuleList') {
      const items = ctx.args[0] ? (this.interp.iterate(ctx.args[0].value, ctx.node) ?? null) : [];
      if (items === null)
        return { kind: 'unknown', why: `an nn.ModuleList of ${describe(ctx.args[0]!.value)}` };
      const list = new ModuleListDef([...items], ctx.node);
      list.items.forEach((item, i) => partOf(item)?.place(list, String(i)));
      return { kind: 'host', value: list };
    }
    // nn.ModuleDict({...}) holds its modules as a dict does; they are placed when it is assigned.
    if (path === 'torch.nn.ModuleDict')
      return ctx.args[0]?.value.kind === 'dict' ? ctx.args[0].value : { kind: 'dict', entries: new Map() };
    if (path.startsWith('torch.nn.') && isTorchLoss(last)) {
      readTorchLoss(last, this.training);
      return { kind: 'unknown', why: 'a loss' };
    }
    if (path.startsWith('torch.optim.') && path.split('.').length === 3) {
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
    if (path.startsWith('torch.nn.') && path.split('.').length === 3 && last[0] === last[0]?.toUpperCase()) {
      if (last === 'Module') return undefined;
      const why =
        isSupportedTorchModule(last) || recurrentModules.has(last)
          ? null
          : `nn.${last} is not supported by the reader`;
      const def = new ModuleDef(last, ctx.args, ctx.node, why);
      return { kind: 'host', value: def };
    }
    if (!this.trace) return undefined;
    if (isTorchLoss(last) && path.startsWith('torch.nn.functional.')) {
      readTorchLoss(last, this.training);
      return { kind: 'unknown', why: 'a loss' };
    }
    return this.ops.libraryCall(path, ctx);
  }

  private sequential(ctx: CallContext): PyValue {
    const positional = ctx.args.filter((a) => a.keyword === null).map((a) => a.value);
    const named = positional.length === 1 ? hostOf(positional[0], NamedModules) : null;
    const seq = new SequentialDef(named ? named.entries.map(([, v]) => v) : positional, ctx.node);
    if (named) named.entries.forEach(([name, v]) => partOf(v)?.place(seq, name));
    else seq.children.forEach((child, i) => partOf(child)?.place(seq, String(i)));
    if (this.initializing.length === 0 && !this.trace && this.interp.callStack.length === 0)
      this.candidates.push(seq);
    return { kind: 'host', value: seq };
  }

  private callMethod(method: BoundMethod, ctx: CallContext): PyValue | undefined {
    const receiver = method.receiver;
    const instance = hostOf(receiver, ModuleInstance);
    if (instance) {
      if (passThroughMethods.has(method.name)) return receiver;
      if (method.name === 'parameters' || method.name === 'train') {
        instance.trained = true;
        return method.name === 'train' ? receiver : { kind: 'host', value: method };
      }
      if (method.name === 'add_module' || method.name === 'register_module') {
        const name = asString(ctx.args[0]?.value);
        if (name !== null && ctx.args[1]) this.assignMember(receiver, name, ctx.args[1].value);
        return { kind: 'none' };
      }
      if (method.name === 'forward') {
        if (!this.trace) return { kind: 'unknown', why: 'the output of forward() outside the trace' };
        return this.forward(instance, ctx.args, ctx.node);
      }
      const fn = this.interp.classAttribute(instance.cls, method.name);
      if (fn?.kind === 'function') return this.interp.callFunction(fn, ctx.args, ctx.node, [receiver]);
      return undefined;
    }
    const list = hostOf(receiver, ModuleListDef);
    if (list && (method.name === 'append' || method.name === 'extend')) {
      const added =
        method.name === 'append'
          ? ctx.args[0]
            ? [ctx.args[0].value]
            : []
          : (this.interp.iterate(ctx.args[0]?.value ?? { kind: 'none' }, ctx.node) ?? []);
      this.budget.allocate(added.length, ctx.node);
      for (const item of added) {
        partOf(item)?.place(list, String(list.items.length));
        list.items.push(item);
      }
      return { kind: 'none' };
    }
    const seq = hostOf(receiver, SequentialDef);
    if (seq && (method.name === 'add_module' || method.name === 'append')) {
      const module = method.name === 'append' ? ctx.args[0]?.value : ctx.args[1]?.value;
      const name =
        method.name === 'append'
          ? String(seq.children.length)
          : (asString(ctx.args[0]?.value) ?? String(seq.children.length));
      if (module) {
        partOf(module)?.place(seq, name);
        seq.children.push(module);
      }
      return { kind: 'none' };
    }
    if (hostOf(receiver, ModuleDef) || seq || list)
      return passThroughMethods.has(method.name) ? receiver : undefined;
    if (!this.trace) return undefined;
    const state = hostOf(receiver, RnnState);
    if (state) return this.ops.rnn.stateMethod(state, method.name, ctx);
    const tensor = hostOf(receiver, Tensor);
    return tensor ? this.ops.method(tensor, method.name, ctx) : undefined;
  }

  private member(object: PyValue, name: string): PyValue | undefined {
    const instance = hostOf(object, ModuleInstance);
    if (instance) {
      const attr = instance.attributes.get(name);
      if (attr) return attr;
      if (name === 'training') return { kind: 'bool', value: true };
      const fromClass = this.interp.classAttribute(instance.cls, name);
      // Methods stay bound to the instance (the interpreter makes a BoundMethod of them).
      return fromClass && fromClass.kind !== 'function' ? fromClass : undefined;
    }
    const def = hostOf(object, ModuleDef);
    if (def && readableSizes.includes(name)) {
      const order = ['in_features', 'out_features'].includes(name)
        ? ['in_features', 'out_features']
        : ['in_channels', 'out_channels'];
      const arg =
        def.args.find((a) => a.keyword === name) ??
        def.args.filter((a) => a.keyword === null)[order.indexOf(name)];
      return arg?.value;
    }
    const tensor = hostOf(object, Tensor);
    if (tensor && this.trace) {
      if (name === 'shape')
        return this.ops.shapes.shapeValue(tensor, tensor.origin ?? this.source.tree.topNode);
      if (name === 'data') return object;
    }
    return undefined;
  }

  private assignMember(object: PyValue, name: string, value: PyValue): void {
    const instance = hostOf(object, ModuleInstance);
    if (!instance) return;
    instance.attributes.set(name, value);
    const part = partOf(value);
    if (part) part.place(instance, name);
    // A plain list or dict of modules (an nn.ModuleDict, or a list PyTorch would not register).
    else if (value.kind === 'tuple')
      value.items.forEach((item, i) => partOf(item)?.place(instance, `${name}_${i}`));
    else if (value.kind === 'dict')
      for (const [key, item] of value.entries) partOf(item)?.place(instance, `${name}_${key}`);
  }

  private subscript(object: PyValue, parts: SubscriptPart[], node: SyntaxNode): PyValue | undefined {
    const list = hostOf(object, ModuleListDef);
    const seq = hostOf(object, SequentialDef);
    if (list || seq) {
      const items = list ? list.items : seq!.children;
      const value = foldSubscript({ kind: 'tuple', items }, parts);
      if (value.kind !== 'tuple') return value;
      const sliced = list ? new ModuleListDef(value.items, node) : new SequentialDef(value.items, node);
      return { kind: 'host', value: sliced };
    }
    return this.trace ? this.ops.rnn.subscript(object, parts, node) : undefined;
  }

  // ----- modules ----------------------------------------------------------------------------

  isModuleClass(cls: ClassValue, depth = 0): boolean {
    return cls.bases.some(
      (b) =>
        (b.kind === 'ref' && b.path === 'torch.nn.Module') ||
        (b.kind === 'class' && depth < 16 && this.isModuleClass(b, depth + 1)),
    );
  }

  private instantiate(cls: ClassValue, node: SyntaxNode, args: Argument[]): ModuleInstance {
    const instance = new ModuleInstance(cls, node);
    const init = this.interp.classAttribute(cls, '__init__');
    if (init?.kind === 'function') {
      this.initializing.push(instance);
      try {
        this.interp.callFunction(init, args, node, [{ kind: 'host', value: instance }]);
      } finally {
        this.initializing.pop();
      }
    }
    return instance;
  }

  private forwardOf(cls: ClassValue): Extract<PyValue, { kind: 'function' }> | null {
    const fn = this.interp.classAttribute(cls, 'forward');
    return fn?.kind === 'function' ? fn : null;
  }

  private forward(instance: ModuleInstance, args: Argument[], site: SyntaxNode): PyValue {
    const forward = this.forwardOf(instance.cls);
    const trace = this.trace!;
    if (!forward) {
      const x = hostOf(args[0]?.value, Tensor) ?? trace.current;
      return trace.omit(
        instance.cls.node,
        `${instance.cls.name}`,
        'it has no forward()',
        x,
        `${instance.cls.name} has no forward(); it is left out`,
      );
    }
    // Ops in a sub-module's forward are named under its path (`layer1_0_add`).
    trace.scopes.push(this.root ? (instance.pathFrom(this.root) ?? []) : []);
    try {
      return this.interp.callFunction(forward, args, site, [{ kind: 'host', value: instance }]);
    } finally {
      trace.scopes.pop();
    }
  }

  /** The tensor a module is called on; anything else is left out and the chain continues. */
  private tensorArgument(ctx: CallContext): Tensor {
    const arg = ctx.args.find((a) => a.keyword === null);
    const tensor = arg ? hostOf(arg.value, Tensor) : null;
    if (tensor) return tensor;
    const trace = this.trace!;
    const what = arg ? describe(arg.value) : 'nothing';
    trace.omit(
      ctx.node,
      `the call on ${what}`,
      'its input is not a tensor the reader follows',
      trace.current,
      `the input of this call is ${what}, which is not understood; the model continues from the previous layer`,
    );
    return trace.current;
  }

  private applySequential(seq: SequentialDef, input: Tensor): PyValue {
    return this.interp.nested(seq.node, () => {
      let x: PyValue = { kind: 'host', value: input };
      for (const child of seq.children) {
        const t = hostOf(x, Tensor) ?? this.trace!.current;
        const def = hostOf(child, ModuleDef);
        const instance = hostOf(child, ModuleInstance);
        const inner = hostOf(child, SequentialDef);
        if (def) x = this.applyModule(def, t, def.node);
        else if (instance)
          x = this.forward(
            instance,
            [{ keyword: null, value: { kind: 'host', value: t }, node: instance.node }],
            instance.node,
          );
        else if (inner) x = this.applySequential(inner, t);
        else
          x = this.trace!.omit(
            seq.node,
            `an element of nn.Sequential (${describe(child)})`,
            'it is not a module the reader understands',
            t,
            `an element of nn.Sequential is ${describe(child)}, which is not understood; it is left out`,
          );
      }
      return x;
    });
  }

  /** A module applied in forward (or a Sequential child): its layers carry the definition's location. */
  private applyModule(def: ModuleDef, input: Tensor, site: SyntaxNode): PyValue {
    const trace = this.trace!;
    if (def.unsupported)
      return trace.omit(
        def.node,
        `nn.${def.kind}`,
        def.unsupported,
        input,
        `${def.unsupported}; it is left out and the model continues from its input`,
      );
    def.applications++;
    if (def.applications === 2 && (def.kind.startsWith('Conv') || def.kind === 'Linear')) {
      this.source.report(
        def.node,
        `${def.attrName ?? def.kind} is applied more than once (shared weights); the TF.js model gets separate layers`,
        'info',
      );
    }
    const range = isActivationModule(def.kind) ? this.source.range(def.node) : null;
    const path = this.root ? def.pathFrom(this.root) : null;
    const base = path && path.length > 0 ? path.join('_') : null;
    return trace.emitModule(def.kind, def.args, input, def.node, site, range, base);
  }
}
