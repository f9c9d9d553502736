/**
 * Keras scripts → ModelSpec: `Sequential()` + `model.add(...)`, `Sequential([...])` and the
 * functional API (`Input`, `x = Conv2D(...)(x)`, `x += shortcut`, `Model(inputs, outputs)`,
 * models called as layers), with the training setup (`load_data`, `pad_sequences`, `compile`,
 * `fit`). Layers keep the line and column of their constructor call; whatever is left out of the
 * built model is recorded in `spec.omitted`.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import type { ModelSpec, OmittedSourcePart, TrainingSetup } from '../../spec';
import type { ReadBudget } from './budget';
import { sequentialInputShape, settleFunctionalInputs } from './keras-input-shape';
import { BoundMethod, Interpreter, type Argument, type CallContext } from './interpreter';
import { kerasLayerClass } from './keras-aliases';
import { recurrentClasses } from './keras-extra-layers';
import {
  draftKerasLayer,
  InitializerValue,
  isSupportedKerasLayer,
  type DraftProblem,
} from './keras-layer-config';
import { KerasTensorOps } from './keras-tensor-ops';
import { buildFunctionalTopology, buildSequentialTopology, functionalLayerCount } from './keras-topology';
import {
  FunctionalModel,
  KerasLayer,
  KerasTensor,
  ModelNames,
  SequentialModel,
  tensorsOf,
  type KerasModel,
} from './keras-values';
import { LayerNamer } from './layer-names';
import { chooseModel, type ModelCandidate } from './model-choice';
import { Omissions } from './omissions';
import type { PythonReadOptions } from './read-options';
import { markSourceInstances } from './source-instances';
import type { SourceText } from './source-text';
import {
  datasetOfCall,
  LossValue,
  lossName,
  optimizerFromCall,
  readCompileLoss,
  readFit,
  readOptimizer,
} from './training-setup';
import { asNumber, asString, describe, hostOf, type PyValue } from './values';

const mergeFunctions: Record<string, string> = {
  add: 'Add',
  concatenate: 'Concatenate',
  multiply: 'Multiply',
  average: 'Average',
  maximum: 'Maximum',
  minimum: 'Minimum',
};

export class KerasReader {
  private readonly interp: Interpreter;
  private readonly namer = new LayerNamer();
  readonly omissions: Omissions;
  private readonly ops: KerasTensorOps;
  private readonly models: KerasModel[] = [];
  /** `Model(inputs, outputs)` calls whose tensors were not understood: named if nothing else is read. */
  private readonly failedModels: { node: SyntaxNode; why: string }[] = [];
  /** What the script says about its data, whichever model trains on it. */
  private readonly data: TrainingSetup = {};
  private order = 0;
  private subclassedModel: SyntaxNode | null = null;
  /** Why no model could be read, when the file has a recognisable but unsupported one. */
  failure: UserError | null = null;

  constructor(
    private readonly source: SourceText,
    budget: ReadBudget,
    private readonly options: PythonReadOptions = {},
  ) {
    this.omissions = new Omissions(source);
    this.interp = new Interpreter(
      source,
      {
        call: (ctx) => this.call(ctx),
        binary: (left, op, right, node) => this.ops.binary(left, op, right, node),
        buildsLayers: (callee, method) => this.buildsLayers(callee, method),
        loopFollowed: (statement, n) =>
          source.report(statement, `this loop builds layers; it was unrolled ${n} time(s)`, 'info'),
        loopNotFollowed: (statement, reason, builds) => {
          if (builds) this.omissions.loopNotFollowed(statement, reason, null, false);
        },
        assignName: (name, value) => this.nameModel(name, value),
      },
      budget,
    );
    this.ops = new KerasTensorOps(this, source);
  }

  /** The model the file defines (the chosen one when several), or null when there is none. */
  read(): ModelSpec | null {
    this.interp.runModule();
    if (this.models.length === 0) this.interp.runUncalledFunctions();
    const candidates: ModelCandidate<KerasModel>[] = this.models
      .map((m) => ({
        value: m,
        names: m.names.all(),
        node: m.node,
        size: m instanceof SequentialModel ? m.layers.length : functionalLayerCount(m),
        trained: m.trained,
        unusable:
          m instanceof FunctionalModel && m.inputs.length > 1 ? `takes ${m.inputs.length} inputs` : null,
      }))
      .filter((c) => c.size > 0);
    const choice = chooseModel(candidates, this.options.model, this.source);
    if (!choice) {
      this.failure = this.noModelReason();
      return null;
    }
    const model = choice.chosen.value;
    if (choice.chosen.unusable)
      throw new UserError(
        `the model ${choice.chosen.names[0]} ${choice.chosen.unusable}; the analysis feeds a model one input`,
        this.source.file,
        this.source.position(model.node.from).line,
        'choose a single-input model of this file with --model NAME, or analyze a saved single-input model',
      );
    const training: TrainingSetup = { ...this.data, ...model.training };
    const built =
      model instanceof SequentialModel
        ? buildSequentialTopology(
            model,
            sequentialInputShape(model, training, this.source, this.options),
            this.source,
          )
        : buildFunctionalTopology(
            settleFunctionalInputs(model, training, this.source, this.options),
            this.source,
          );
    markSourceInstances(built.layers);
    // Another model of the file could not be read: what is analyzed may not be the one meant.
    for (const failed of this.failedModels)
      this.omissions.add(
        failed.node,
        'the model built here',
        `${failed.why}; ${choice.chosen.names[0]} is analyzed instead`,
        null,
        `the model built here cannot be read (${failed.why}); ${choice.chosen.names[0]} is analyzed instead`,
        'warning',
      );
    const omitted = this.omissions.of(model, built.carried);
    return {
      name: choice.chosen.names[0]!,
      origin: 'keras-py',
      file: this.source.file,
      topology: built.topology,
      layers: built.layers,
      training,
      issues: this.source.issues,
      ...(omitted.length > 0 ? { omitted } : {}),
      ...(choice.alternatives.length > 0 ? { alternatives: choice.alternatives } : {}),
      definition: choice.definition,
    };
  }

  private noModelReason(): UserError | null {
    const line = (n: SyntaxNode): number => this.source.position(n.from).line;
    if (this.subclassedModel)
      return new UserError(
        'a subclassed keras.Model is not understood (its call() runs arbitrary Python)',
        this.source.file,
        line(this.subclassedModel),
        'write the model with Sequential or the functional API, or save it and analyze the .keras file',
      );
    const failed = this.failedModels[0];
    if (failed)
      return new UserError(
        `the model built here cannot be read: ${failed.why}`,
        this.source.file,
        line(failed.node),
        'build the model from keras.Input and keras.layers calls the reader understands, or save it and analyze the .keras file',
      );
    return null;
  }

  // ----- the interpreter's hooks -------------------------------------------------------------

  private call(ctx: CallContext): PyValue | undefined {
    const { callee } = ctx;
    if (callee.kind === 'ref') return this.callLibrary(callee.path, ctx);
    if (callee.kind === 'class') return this.callClass(callee, ctx);
    const layer = hostOf(callee, KerasLayer);
    if (layer) return this.apply(layer, ctx);
    const model = hostOf(callee, SequentialModel) ?? hostOf(callee, FunctionalModel);
    if (model) return this.ops.applyModel(model, ctx);
    const method = hostOf(callee, BoundMethod);
    if (method) return this.callMethod(method, ctx);
    return undefined;
  }

  private buildsLayers(callee: PyValue, method: string | null): boolean {
    if (method === 'add') return true;
    if (callee.kind === 'ref')
      return callee.path.startsWith('keras.layers.') || callee.path.startsWith('keras.models.');
    if (callee.kind === 'class')
      return callee.bases.some(
        (b) => b.kind === 'ref' && (b.path === 'keras.layers.Layer' || b.path === 'keras.models.Model'),
      );
    return false;
  }

  /** `generator = build_generator()`: the names a model is known by. */
  private nameModel(name: string, value: PyValue): void {
    const model = hostOf(value, SequentialModel) ?? hostOf(value, FunctionalModel);
    if (!model) return;
    const list =
      this.interp.callStack.length === 0 ? model.names.moduleVariables : model.names.localVariables;
    if (!list.includes(name)) list.push(name);
  }

  private newNames(ctx: CallContext, kind: 'Sequential' | 'Model'): ModelNames {
    const explicit = asString(ctx.args.find((a) => a.keyword === 'name')?.value);
    const inFunction = this.interp.callStack[this.interp.callStack.length - 1]?.name ?? null;
    return new ModelNames(explicit, inFunction, this.namer.auto(kind === 'Model' ? 'Model' : 'Sequential'));
  }

  private callLibrary(path: string, ctx: CallContext): PyValue | undefined {
    const dataset = datasetOfCall(path);
    if (dataset) {
      this.data.dataset = dataset;
      const words = asNumber(ctx.args.find((a) => a.keyword === 'num_words')?.value);
      if (words !== null) this.data.vocabularySize = words;
      const pair = (): PyValue => ({
        kind: 'tuple',
        items: [
          { kind: 'unknown', why: 'samples' },
          { kind: 'unknown', why: 'labels' },
        ],
      });
      return { kind: 'tuple', items: [pair(), pair()] };
    }
    if (path.endsWith('.pad_sequences')) {
      const maxlen = asNumber(ctx.args.find((a) => a.keyword === 'maxlen')?.value);
      if (maxlen !== null) this.data.sequenceLength = maxlen;
      return { kind: 'unknown', why: 'padded sequences' };
    }
    if (path === 'keras.models.Sequential') return this.sequential(ctx);
    if (path === 'keras.models.Model') return this.functionalModel(ctx);
    if (path.startsWith('keras.layers.')) {
      const name = path.slice('keras.layers.'.length);
      if (name === 'Input') return this.input(ctx);
      const merge = mergeFunctions[name];
      if (merge)
        return this.apply(
          this.createLayer(
            merge,
            ctx.args.filter((a) => a.keyword !== null),
            ctx.node,
          ),
          ctx,
        );
      if (name[0] && name[0] === name[0].toUpperCase())
        return { kind: 'host', value: this.createLayer(kerasLayerClass(name), ctx.args, ctx.node) };
    }
    if (path.startsWith('keras.initializers.')) {
      const config: Record<string, unknown> = {};
      for (const a of ctx.args)
        if (a.keyword === 'seed') config.seed = a.value.kind === 'number' ? a.value.value : null;
      return { kind: 'host', value: new InitializerValue(path.slice('keras.initializers.'.length), config) };
    }
    if (path.startsWith('keras.optimizers.'))
      return { kind: 'host', value: optimizerFromCall(path.slice('keras.optimizers.'.length), ctx.args, 0) };
    if (path.startsWith('keras.losses.')) {
      const name = path.slice('keras.losses.'.length);
      const fromLogits = ctx.args.find((a) => a.keyword === 'from_logits')?.value;
      return {
        kind: 'host',
        value: new LossValue(
          lossName({ kind: 'ref', path }) ?? name,
          fromLogits?.kind === 'bool' && fromLogits.value,
        ),
      };
    }
    return this.ops.libraryCallOnTensor(path, ctx);
  }

  private callClass(cls: Extract<PyValue, { kind: 'class' }>, ctx: CallContext): PyValue | undefined {
    const basePaths = cls.bases.map((b) => (b.kind === 'ref' ? b.path : ''));
    if (basePaths.some((p) => p === 'keras.layers.Layer')) {
      return {
        kind: 'host',
        value: new KerasLayer(
          this.namer.auto(cls.name),
          ctx.node,
          null,
          `the custom layer class ${cls.name} runs arbitrary Python, which the reader does not execute`,
          cls.name,
        ),
      };
    }
    if (basePaths.some((p) => p === 'keras.models.Model')) {
      this.subclassedModel ??= cls.node;
      this.source.report(
        ctx.node,
        `${cls.name} subclasses keras.Model; its call() is not understood`,
        'warning',
      );
    }
    return undefined;
  }

  createLayer(cls: string, args: Argument[], node: SyntaxNode): KerasLayer {
    this.interp.budget.layer(node);
    if (!isSupportedKerasLayer(cls)) {
      const why =
        cls === 'Lambda'
          ? 'a Lambda layer runs arbitrary Python, which the reader does not execute'
          : `keras.layers.${cls} is not supported by the reader`;
      return new KerasLayer(this.namer.auto(cls), node, null, why, cls);
    }
    const problems: DraftProblem[] = [];
    const draft = draftKerasLayer(cls, args, node, this.source, problems);
    // Each is a part of the layer built otherwise than the file says (a default in place of an
    // unreadable value, an activation TF.js does not compute alike): the model is partial. (A layer
    // left out whole for a missing argument is recorded once, below.)
    for (const p of problems)
      if (p.inputShape || draft.missing) this.source.report(p.node, p.message, 'warning');
      else this.omissions.add(p.node, `part of ${cls}(…)`, p.message, null, p.message, 'warning');
    const name = draft.explicitName
      ? this.namer.explicit(draft.explicitName)
      : this.namer.auto(cls, cls === 'InputLayer');
    if (draft.missing)
      return new KerasLayer(
        name,
        node,
        null,
        `${cls}(...) has no readable '${draft.missing}'`,
        cls,
        draft.inputShape,
      );
    if (
      recurrentClasses.has(cls) &&
      args.some((a) => a.keyword === 'return_state' && a.value.kind === 'bool' && a.value.value)
    )
      return new KerasLayer(
        name,
        node,
        null,
        `${cls}(return_state=True) returns several tensors, which the reader does not follow`,
        cls,
      );
    if (cls === 'Bidirectional') return this.bidirectional(name, draft, args, node);
    return new KerasLayer(name, node, draft, null, cls);
  }

  /** `Bidirectional(LSTM(64))`: the wrapped layer's config goes inside the wrapper's. */
  private bidirectional(
    name: string,
    draft: NonNullable<KerasLayer['draft']>,
    args: Argument[],
    node: SyntaxNode,
  ): KerasLayer {
    const wrapped = hostOf(args.find((a) => a.keyword === 'layer' || a.keyword === null)?.value, KerasLayer);
    if (!wrapped?.draft || !recurrentClasses.has(wrapped.className))
      return new KerasLayer(
        name,
        node,
        null,
        wrapped?.unsupported ?? 'Bidirectional(...) of something other than an LSTM, GRU or SimpleRNN layer',
        'Bidirectional',
      );
    draft.config.layer = {
      class_name: wrapped.className,
      config: { ...wrapped.draft.config, name: wrapped.name },
    };
    draft.activation = wrapped.draft.activation;
    return new KerasLayer(name, node, draft, null, 'Bidirectional');
  }

  /** `Input(shape=(28, 28, 1))`: an InputLayer and its output tensor. */
  private input(ctx: CallContext): PyValue {
    const args = ctx.args.map((a) => (a.keyword === null ? { ...a, keyword: 'shape' } : a));
    const layer = this.createLayer('InputLayer', args, ctx.node);
    layer.order = this.order++;
    layer.inbound.push([]);
    return { kind: 'host', value: new KerasTensor(layer, 0) };
  }

  /** `layer(x)`: one more node of the functional graph. */
  apply(layer: KerasLayer, ctx: CallContext): PyValue {
    const input = ctx.args.find((a) => a.keyword === null || a.keyword === 'inputs');
    const tensors = input ? tensorsOf(input.value) : null;
    if (!tensors || tensors.length === 0) {
      const why = input ? describe(input.value) : 'nothing';
      this.source.report(
        ctx.node,
        `the input of this layer is ${why}; the layer is left out of the functional model`,
        'warning',
      );
      return { kind: 'unknown', why: `the output of ${layer.name}, whose input is not understood` };
    }
    if (layer.unsupported) {
      const part = this.omissions.add(
        layer.node,
        layer.className === 'Lambda' ? 'keras.layers.Lambda' : `the layer ${layer.className}`,
        layer.unsupported,
        tensors[0],
        `${layer.unsupported}; it is left out and the model continues from its input`,
      );
      return { kind: 'host', value: tensors[0]!.withOmitted(part) };
    }
    if (layer.className === 'InputLayer') return { kind: 'host', value: tensors[0]! };
    return { kind: 'host', value: this.connect(layer, tensors) };
  }

  /** Adds a call of `layer` on `inputs` to the graph. */
  connect(layer: KerasLayer, inputs: KerasTensor[]): KerasTensor {
    if (layer.order < 0) layer.order = this.order++;
    layer.inbound.push(inputs);
    return new KerasTensor(layer, layer.inbound.length - 1);
  }

  private sequential(ctx: CallContext): PyValue {
    const model = new SequentialModel(this.newNames(ctx, 'Sequential'), ctx.node);
    this.models.push(model);
    const list = ctx.args.find((a) => a.keyword === null || a.keyword === 'layers');
    if (list) {
      if (list.value.kind === 'tuple') for (const item of list.value.items) this.add(model, item, list.node);
      else
        this.omissions.add(
          list.node,
          'the layer list of Sequential',
          `it is ${describe(list.value)}, which the reader cannot follow`,
          model,
        );
    }
    return { kind: 'host', value: model };
  }

  private add(model: SequentialModel, value: PyValue, at: SyntaxNode): void {
    const tensor = hostOf(value, KerasTensor);
    if (tensor && tensor.layer.className === 'InputLayer') {
      model.inputShape = tensor.layer.draft?.inputShape ?? null;
      model.inputNode = tensor.layer.node;
      return;
    }
    const inner = hostOf(value, SequentialModel);
    if (inner) {
      // A Sequential inside a Sequential computes its layers in order: they are added as they are.
      if (model.layers.length === 0 && !model.inputShape && inner.inputShape) {
        model.inputShape = inner.inputShape;
        model.inputNode = inner.inputNode;
      }
      for (const layer of inner.layers) model.layers.push(layer);
      for (const part of this.omissions.of(inner)) this.omissions.attach(part, model);
      return;
    }
    const layer = hostOf(value, KerasLayer);
    if (!layer) {
      this.omissions.add(
        at,
        `model.add() of ${describe(value)}`,
        'the reader does not understand what is added',
        model,
        `model.add() of ${describe(value)} is not understood; it is left out`,
      );
      return;
    }
    if (layer.unsupported) {
      this.omissions.add(
        layer.node,
        layer.className === 'Lambda' ? 'keras.layers.Lambda' : `the layer ${layer.className}`,
        layer.unsupported,
        model,
        `${layer.unsupported}; it is left out of the analysis`,
      );
      // The layer left out read the model's input: what it says about it still holds.
      if (model.layers.length === 0 && !model.inputShape && layer.statedInputShape) {
        model.inputShape = layer.statedInputShape;
        model.inputNode = layer.node;
      }
      return;
    }
    if (layer.className === 'InputLayer') {
      model.inputShape = layer.draft?.inputShape ?? null;
      model.inputNode = layer.node;
      return;
    }
    if (model.layers.length === 0 && !model.inputShape && layer.draft?.inputShape) {
      model.inputShape = layer.draft.inputShape;
      model.inputNode = layer.node;
    }
    model.layers.push(layer);
  }

  private functionalModel(ctx: CallContext): PyValue {
    const positional = ctx.args.filter((a) => a.keyword === null);
    const inputs = ctx.args.find((a) => a.keyword === 'inputs') ?? positional[0];
    const outputs = ctx.args.find((a) => a.keyword === 'outputs') ?? positional[1];
    const inTensors = inputs ? tensorsOf(inputs.value) : null;
    const outTensors = outputs ? tensorsOf(outputs.value) : null;
    if (!inTensors || !outTensors) {
      const bad = !inTensors ? inputs : outputs;
      const why = `its ${inTensors ? 'outputs are' : 'inputs are'} ${bad ? describe(bad.value) : 'missing'}`;
      this.failedModels.push({ node: ctx.node, why });
      return { kind: 'unknown', why: 'a model whose inputs/outputs are not understood' };
    }
    const model = new FunctionalModel(this.newNames(ctx, 'Model'), ctx.node, inTensors, outTensors);
    this.models.push(model);
    return { kind: 'host', value: model };
  }

  private callMethod(method: BoundMethod, ctx: CallContext): PyValue | undefined {
    const model = hostOf(method.receiver, SequentialModel) ?? hostOf(method.receiver, FunctionalModel);
    if (!model) return undefined;
    switch (method.name) {
      case 'add':
        if (model instanceof SequentialModel)
          for (const a of ctx.args.filter((x) => x.keyword === null)) this.add(model, a.value, ctx.node);
        return { kind: 'none' };
      case 'pop':
        if (model instanceof SequentialModel) model.layers.pop();
        return { kind: 'none' };
      case 'compile': {
        model.trained = true;
        const opt =
          ctx.args.find((a) => a.keyword === 'optimizer') ?? ctx.args.find((a) => a.keyword === null);
        if (opt) readOptimizer(opt.value, model.training);
        const loss =
          ctx.args.find((a) => a.keyword === 'loss') ?? ctx.args.filter((a) => a.keyword === null)[1];
        const outputs = model instanceof FunctionalModel ? model.outputs.map((t) => t.layer.name) : [];
        if (loss) readCompileLoss(loss.value, outputs, model.training);
        return { kind: 'none' };
      }
      case 'fit':
      case 'fit_generator':
      case 'train_on_batch':
        model.trained = true;
        readFit(ctx.args, model.training);
        return { kind: 'unknown', why: 'a training history' };
      case 'summary':
        return { kind: 'none' };
      default:
        return { kind: 'unknown', why: `the result of model.${method.name}()` };
    }
  }

  /** For KerasTensorOps: a part left out, owned by the tensor path it was cut from. */
  omit(
    node: SyntaxNode,
    what: string,
    reason: string,
    message: string,
    owner: KerasTensor,
  ): OmittedSourcePart {
    return this.omissions.add(node, what, reason, owner, message);
  }
}
