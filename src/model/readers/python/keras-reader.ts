/**
 * Keras scripts → ModelSpec: `Sequential()` + `model.add(...)`, `Sequential([...])` and the
 * functional API (`Input`, `x = Conv2D(...)(x)`, `Model(inputs, outputs)`), with the training
 * setup (`load_data`, `compile`, `fit`). Layers keep the line and column of their constructor call.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import type { LayerSpec, ModelSpec, TrainingSetup } from '../../spec';
import { BoundMethod, Interpreter, type Argument, type CallContext } from './interpreter';
import {
  draftKerasLayer,
  InitializerValue,
  isSupportedKerasLayer,
  type DraftProblem,
  type LayerDraft,
} from './keras-layer-config';
import { LayerNamer } from './layer-names';
import type { SourceText } from './source-text';
import { functionalTopology, sequentialTopology, type BuiltLayer, type TensorRef } from './topology';
import {
  datasetInputShape,
  datasetOfCall,
  lossName,
  optimizerFromCall,
  readFit,
  readOptimizer,
} from './training-setup';
import { asString, describe, hostOf, refName, type PyValue, type Scope } from './values';

/** A constructed layer; `unsupported` says why it cannot be part of the built model. */
class KerasLayer {
  /** Input tensors of each call of the layer (functional API). */
  readonly inbound: KerasTensor[][] = [];
  /** Order of first use, for a topological layer order. */
  order = -1;

  constructor(
    readonly name: string,
    readonly node: SyntaxNode,
    readonly draft: LayerDraft | null,
    readonly unsupported: string | null,
    readonly className: string,
  ) {}

  describe(): string {
    return `a ${this.className} layer`;
  }
}

/** The output of one call of a layer. */
class KerasTensor {
  constructor(
    readonly layer: KerasLayer,
    readonly nodeIndex: number,
  ) {}

  describe(): string {
    return `the output of ${this.layer.name}`;
  }
}

class SequentialModel {
  readonly layers: KerasLayer[] = [];
  inputShape: (number | null)[] | null = null;
  readonly training: TrainingSetup = {};
  trained = false;

  constructor(
    readonly name: string,
    readonly node: SyntaxNode,
  ) {}

  describe(): string {
    return `the Sequential model ${this.name}`;
  }
}

class FunctionalModel {
  readonly training: TrainingSetup = {};
  trained = false;

  constructor(
    readonly name: string,
    readonly node: SyntaxNode,
    readonly inputs: KerasTensor[],
    readonly outputs: KerasTensor[],
  ) {}
}

const mergeFunctions: Record<string, string> = {
  add: 'Add',
  concatenate: 'Concatenate',
  multiply: 'Multiply',
  average: 'Average',
  maximum: 'Maximum',
};
/** Activation functions that, applied to a tensor, become an Activation layer. */
const activationFunctionPrefixes = [
  'keras.activations.',
  'tensorflow.nn.',
  'keras.ops.',
  'tensorflow.keras.activations.',
];

export class KerasReader {
  private readonly interp: Interpreter;
  private readonly namer = new LayerNamer();
  private readonly models: (SequentialModel | FunctionalModel)[] = [];
  private dataset: string | undefined;
  private order = 0;
  private subclassedModel: SyntaxNode | null = null;
  /** Why no model could be read, when the file has a recognisable but unsupported one. */
  failure: UserError | null = null;

  constructor(private readonly source: SourceText) {
    this.interp = new Interpreter(source, {
      call: (ctx) => this.call(ctx),
      loop: (statement, scope) => this.loop(statement, scope),
      binary: (left, op, right, node) => this.binary(left, op, right, node),
    });
  }

  read(): ModelSpec | null {
    this.interp.runModule();
    if (this.models.length === 0) this.interp.runUncalledFunctions();
    const model = this.chooseModel();
    if (!model) {
      if (this.subclassedModel) {
        this.failure = new UserError(
          'a subclassed keras.Model is not understood (its call() runs arbitrary Python)',
          this.source.file,
          this.source.position(this.subclassedModel.from).line,
          'write the model with Sequential or the functional API, or save it and analyze the .keras file',
        );
      }
      return null;
    }
    const training: TrainingSetup = { ...model.training };
    if (this.dataset) training.dataset = this.dataset;
    return model instanceof SequentialModel
      ? this.buildSequential(model, training)
      : this.buildFunctional(model, training);
  }

  private chooseModel(): SequentialModel | FunctionalModel | null {
    const size = (m: SequentialModel | FunctionalModel): number =>
      m instanceof SequentialModel ? m.layers.length : this.functionalLayers(m).length;
    const candidates = this.models.filter((m) => size(m) > 0);
    const trained = candidates.filter((m) => m.trained);
    const pool = trained.length > 0 ? trained : candidates;
    let best: SequentialModel | FunctionalModel | null = null;
    for (const m of pool) if (!best || size(m) > size(best)) best = m;
    if (best && candidates.length > 1) {
      this.source.report(
        best.node,
        `${candidates.length} models are built in this file; analyzing '${best.name}' (line ${this.source.position(best.node.from).line})`,
        'info',
      );
    }
    return best;
  }

  private call(ctx: CallContext): PyValue | undefined {
    const { callee } = ctx;
    if (callee.kind === 'ref') return this.callLibrary(callee.path, ctx);
    if (callee.kind === 'class') return this.callClass(callee, ctx);
    const layer = hostOf(callee, KerasLayer);
    if (layer) return this.apply(layer, ctx);
    if (hostOf(callee, SequentialModel) || hostOf(callee, FunctionalModel)) {
      this.source.report(
        ctx.node,
        'calling a model as a layer (a nested model) is not understood; its layers are left out',
        'warning',
      );
      return { kind: 'unknown', why: 'the output of a nested model' };
    }
    const method = hostOf(callee, BoundMethod);
    if (method) return this.callMethod(method, ctx);
    return undefined;
  }

  private callLibrary(path: string, ctx: CallContext): PyValue | undefined {
    const dataset = datasetOfCall(path);
    if (dataset) {
      this.dataset = dataset;
      const pair = (): PyValue => ({
        kind: 'tuple',
        items: [
          { kind: 'unknown', why: 'images' },
          { kind: 'unknown', why: 'labels' },
        ],
      });
      return { kind: 'tuple', items: [pair(), pair()] };
    }
    if (path === 'keras.models.Sequential') return this.sequential(ctx);
    if (path === 'keras.models.Model') return this.functionalModel(ctx);
    if (path.startsWith('keras.layers.')) {
      const cls = path.slice('keras.layers.'.length);
      if (cls === 'Input') return this.input(ctx);
      const merge = mergeFunctions[cls];
      if (merge)
        return this.apply(
          this.createLayer(
            merge,
            ctx.args.filter((a) => a.keyword !== null),
            ctx.node,
          ),
          ctx,
        );
      if (cls[0] && cls[0] === cls[0].toUpperCase())
        return { kind: 'host', value: this.createLayer(cls, ctx.args, ctx.node) };
    }
    if (path.startsWith('keras.initializers.')) {
      const config: Record<string, unknown> = {};
      for (const a of ctx.args)
        if (a.keyword === 'seed') config.seed = a.value.kind === 'number' ? a.value.value : null;
      return { kind: 'host', value: new InitializerValue(path.slice('keras.initializers.'.length), config) };
    }
    if (path.startsWith('keras.optimizers.'))
      return { kind: 'host', value: optimizerFromCall(path.slice('keras.optimizers.'.length), ctx.args, 0) };
    if (path.startsWith('keras.losses.'))
      return { kind: 'string', value: lossName({ kind: 'ref', path }) ?? path, node: null };
    const tensorArg = ctx.args.find((a) => hostOf(a.value, KerasTensor));
    if (tensorArg && activationFunctionPrefixes.some((p) => path.startsWith(p)))
      return this.activationFunction(path, ctx);
    if (tensorArg) {
      this.source.report(
        ctx.node,
        `${path}(...) on a tensor is not understood; the model continues from its input`,
        'warning',
      );
      return tensorArg.value;
    }
    return undefined;
  }

  /** `tf.nn.relu(x)` in a functional model: an Activation layer whose quick-fix range is the callee. */
  private activationFunction(path: string, ctx: CallContext): PyValue {
    const name = refName({ kind: 'ref', path })!.toLowerCase();
    const args = [
      {
        keyword: 'activation',
        value: { kind: 'string' as const, value: name, node: null },
        node: ctx.calleeNode,
      },
    ];
    const layer = this.createLayer('Activation', args, ctx.node);
    if (layer.draft) layer.draft.activationRange = this.source.range(ctx.calleeNode);
    return this.apply(layer, {
      ...ctx,
      args: ctx.args.filter((a) => hostOf(a.value, KerasTensor)).slice(0, 1),
    });
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

  private createLayer(cls: string, args: Argument[], node: SyntaxNode): KerasLayer {
    if (!isSupportedKerasLayer(cls)) {
      const why =
        cls === 'Lambda'
          ? 'a Lambda layer runs arbitrary Python, which the reader does not execute'
          : `keras.layers.${cls} is not supported by the reader`;
      return new KerasLayer(this.namer.auto(cls), node, null, why, cls);
    }
    const problems: DraftProblem[] = [];
    const draft = draftKerasLayer(cls, args, node, this.source, problems);
    for (const p of problems) this.source.report(p.node, p.message, 'warning');
    const name = draft.explicitName
      ? this.namer.explicit(draft.explicitName)
      : this.namer.auto(cls, cls === 'InputLayer');
    if (draft.missing)
      return new KerasLayer(name, node, null, `${cls}(...) has no readable '${draft.missing}'`, cls);
    return new KerasLayer(name, node, draft, null, cls);
  }

  /** `x + y` / `x * y` on tensors is what Add / Multiply layers compute. */
  private binary(left: PyValue, op: string, right: PyValue, node: SyntaxNode): PyValue | undefined {
    const l = hostOf(left, KerasTensor);
    const r = hostOf(right, KerasTensor);
    if (!l && !r) return undefined;
    const cls = op === '+' ? 'Add' : op === '*' ? 'Multiply' : null;
    if (!l || !r || !cls) {
      this.source.report(
        node,
        `'${op}' on a tensor is not understood; the model continues from ${l ? 'the left' : 'the right'} operand`,
        'warning',
      );
      return l ? left : right;
    }
    const layer = this.createLayer(cls, [], node);
    if (layer.order < 0) layer.order = this.order++;
    layer.inbound.push([l, r]);
    return { kind: 'host', value: new KerasTensor(layer, layer.inbound.length - 1) };
  }

  /** `Input(shape=(28, 28, 1))`: an InputLayer and its output tensor. */
  private input(ctx: CallContext): PyValue {
    const args = ctx.args.map((a) => (a.keyword === null ? { ...a, keyword: 'shape' } : a));
    const layer = this.createLayer('InputLayer', args, ctx.node);
    if (!layer.draft?.inputShape)
      this.source.report(
        ctx.node,
        'Input() without a readable shape; the model cannot be built from it',
        'error',
      );
    layer.order = this.order++;
    layer.inbound.push([]);
    return { kind: 'host', value: new KerasTensor(layer, 0) };
  }

  /** `layer(x)`: one more node of the functional graph. */
  private apply(layer: KerasLayer, ctx: CallContext): PyValue {
    const input = ctx.args.find((a) => a.keyword === null || a.keyword === 'inputs');
    const tensors = input ? tensorsOf(input.value) : null;
    if (!tensors || tensors.length === 0) {
      const why = input ? describe(input.value) : 'nothing';
      this.source.report(
        ctx.node,
        `the input of this layer is ${why}; the layer is left out of the functional model`,
        'warning',
      );
      return { kind: 'unknown', why: `the output of ${layer.name}` };
    }
    if (layer.unsupported) {
      this.source.report(
        layer.node,
        `${layer.unsupported}; it is left out and the model continues from its input`,
        'error',
      );
      return { kind: 'host', value: tensors[0]! };
    }
    if (layer.className === 'InputLayer') return { kind: 'host', value: tensors[0]! };
    if (layer.order < 0) layer.order = this.order++;
    layer.inbound.push(tensors);
    return { kind: 'host', value: new KerasTensor(layer, layer.inbound.length - 1) };
  }

  private sequential(ctx: CallContext): PyValue {
    const name = asString(ctx.args.find((a) => a.keyword === 'name')?.value);
    const model = new SequentialModel(name ?? this.namer.auto('Sequential'), ctx.node);
    this.models.push(model);
    const list = ctx.args.find((a) => a.keyword === null || a.keyword === 'layers');
    if (list) {
      if (list.value.kind === 'tuple') for (const item of list.value.items) this.add(model, item, list.node);
      else
        this.source.report(
          list.node,
          `the layer list of Sequential is ${describe(list.value)}; its layers are not understood`,
          'warning',
        );
    }
    return { kind: 'host', value: model };
  }

  private add(model: SequentialModel, value: PyValue, at: SyntaxNode): void {
    const tensor = hostOf(value, KerasTensor);
    if (tensor && tensor.layer.className === 'InputLayer') {
      model.inputShape = tensor.layer.draft?.inputShape ?? null;
      return;
    }
    const layer = hostOf(value, KerasLayer);
    if (!layer) {
      const what = hostOf(value, SequentialModel) ? 'a nested Sequential model' : describe(value);
      this.source.report(at, `model.add() of ${what} is not understood; it is left out`, 'warning');
      return;
    }
    if (layer.unsupported) {
      this.source.report(layer.node, `${layer.unsupported}; it is left out of the analysis`, 'error');
      return;
    }
    if (layer.className === 'InputLayer') {
      model.inputShape = layer.draft?.inputShape ?? null;
      return;
    }
    if (model.layers.length === 0 && !model.inputShape && layer.draft?.inputShape)
      model.inputShape = layer.draft.inputShape;
    model.layers.push(layer);
  }

  private functionalModel(ctx: CallContext): PyValue {
    const positional = ctx.args.filter((a) => a.keyword === null);
    const inputs = ctx.args.find((a) => a.keyword === 'inputs') ?? positional[0];
    const outputs = ctx.args.find((a) => a.keyword === 'outputs') ?? positional[1];
    const inTensors = inputs ? tensorsOf(inputs.value) : null;
    const outTensors = outputs ? tensorsOf(outputs.value) : null;
    if (!inTensors || !outTensors) {
      this.source.report(
        ctx.node,
        `Model(inputs, outputs) with ${inTensors ? 'outputs' : 'inputs'} that are not understood`,
        'warning',
      );
      return { kind: 'unknown', why: 'a model whose inputs/outputs are not understood' };
    }
    const name = asString(ctx.args.find((a) => a.keyword === 'name')?.value) ?? this.namer.auto('Model');
    const model = new FunctionalModel(name, ctx.node, inTensors, outTensors);
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
        const l = loss ? lossName(loss.value) : null;
        if (l) model.training.loss = l;
        return { kind: 'none' };
      }
      case 'fit':
        model.trained = true;
        readFit(ctx.args, model.training);
        return { kind: 'unknown', why: 'a training history' };
      default:
        return { kind: 'unknown', why: `the result of model.${method.name}()` };
    }
  }

  /** Loops that build layers are unrolled when their sequence is known; otherwise reported. */
  private loop(statement: SyntaxNode, scope: Scope): void {
    if (!this.buildsLayers(statement, scope)) return;
    const result = this.interp.unrollFor(statement, scope);
    if (typeof result === 'number')
      this.source.report(statement, `this loop builds layers; it was unrolled ${result} time(s)`, 'info');
    else
      this.source.report(
        statement,
        `this loop builds layers but cannot be unrolled (${result}); the layers it adds are missing from the analysis`,
        'warning',
      );
  }

  private buildsLayers(statement: SyntaxNode, scope: Scope): boolean {
    const cursor = statement.cursor();
    do {
      if (cursor.name !== 'CallExpression') continue;
      const callee = cursor.node.firstChild;
      if (!callee) continue;
      if (callee.name === 'MemberExpression' && this.source.slice(callee).endsWith('.add')) return true;
      if (isPureName(callee)) {
        const v = this.interp.evaluate(callee, scope);
        if (v.kind === 'ref' && (v.path.startsWith('keras.layers.') || v.path.startsWith('keras.models.')))
          return true;
      }
    } while (cursor.next() && cursor.from < statement.to);
    return false;
  }

  private layerSpec(layer: KerasLayer): LayerSpec {
    const draft = layer.draft!;
    return {
      name: layer.name,
      className: layer.className,
      activation: draft.activation,
      kernelInitializer: draft.kernelInitializer,
      source: {
        ...this.source.location(layer.node),
        activationRange: draft.activationRange,
        initializerRange: draft.initializerRange,
      },
    };
  }

  private buildSequential(model: SequentialModel, training: TrainingSetup): ModelSpec {
    let inputShape = model.inputShape;
    if (!inputShape) {
      const first = model.layers[0]!;
      const guess = datasetInputShape(training.dataset) ?? [28, 28, 1];
      inputShape = first.className === 'Dense' ? [guess.reduce((a, b) => a * b, 1)] : guess;
      this.source.report(
        first.node,
        `no input_shape on the first layer; assuming (${inputShape.join(', ')}) from ${training.dataset ?? 'the bundled digits'}`,
        'info',
      );
    }
    const built: BuiltLayer[] = model.layers.map((layer) => ({
      name: layer.name,
      className: layer.className,
      config: layer.draft!.config,
      spec: this.layerSpec(layer),
    }));
    return {
      name: model.name,
      origin: 'keras-py',
      file: this.source.file,
      topology: sequentialTopology(model.name, built, inputShape),
      layers: built.map((b) => b.spec),
      training,
      issues: this.source.issues,
    };
  }

  /** Layers the outputs depend on, in the order they were first used. */
  private functionalLayers(model: FunctionalModel): KerasLayer[] {
    const seen = new Set<KerasLayer>();
    const visit = (t: KerasTensor): void => {
      if (seen.has(t.layer)) return;
      seen.add(t.layer);
      for (const node of t.layer.inbound) for (const input of node) visit(input);
    };
    for (const t of model.outputs) visit(t);
    return [...seen].sort((a, b) => a.order - b.order);
  }

  private buildFunctional(model: FunctionalModel, training: TrainingSetup): ModelSpec {
    const layers = this.functionalLayers(model);
    const ref = (t: KerasTensor): TensorRef => [t.layer.name, t.nodeIndex, 0];
    const built: BuiltLayer[] = layers.map((layer) => {
      const config = { ...layer.draft!.config };
      if (layer.className === 'InputLayer') {
        delete config.trainable;
        Object.assign(config, {
          batch_input_shape: [null, ...(layer.draft!.inputShape ?? [])],
          sparse: false,
        });
      }
      return {
        name: layer.name,
        className: layer.className,
        config,
        spec: this.layerSpec(layer),
        inboundNodes: layer.className === 'InputLayer' ? [] : layer.inbound.map((node) => node.map(ref)),
      };
    });
    return {
      name: model.name,
      origin: 'keras-py',
      file: this.source.file,
      topology: functionalTopology(model.name, built, model.inputs.map(ref), model.outputs.map(ref)),
      layers: built.map((b) => b.spec),
      training,
      issues: this.source.issues,
    };
  }
}

function tensorsOf(value: PyValue): KerasTensor[] | null {
  const single = hostOf(value, KerasTensor);
  if (single) return [single];
  if (value.kind !== 'tuple') return null;
  const out: KerasTensor[] = [];
  for (const item of value.items) {
    const t = hostOf(item, KerasTensor);
    if (!t) return null;
    out.push(t);
  }
  return out;
}

/** A name or dotted name (`Dense`, `layers.Dense`): evaluating it has no effects. */
function isPureName(node: SyntaxNode): boolean {
  if (node.name === 'VariableName') return true;
  if (node.name !== 'MemberExpression' || !node.getChild('PropertyName')) return false;
  return node.firstChild !== null && isPureName(node.firstChild);
}
