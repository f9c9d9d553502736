/**
 * The input shape of a traced PyTorch model, settled by its first consumer: `--input-shape`; the
 * dataset the script loads (an nn.Linear of the flattened image size gets a Flatten first); the
 * first layer's declared size; for a first nn.Conv2d with 1 or 3 channels a conventional image
 * size, kept only if nothing later contradicts it; otherwise a refusal naming `--input-shape`.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import type { TrainingSetup } from '../../spec';
import { inputShapeHint, sequenceShapeHint, unstatedInputShape } from './input-shape';
import type { Argument } from './interpreter';
import { recurrentModules } from './torch-recurrent';
import type { TorchTrace } from './torch-trace';
import type { Shape, Tensor } from './torch-values';
import { datasetInputShape } from './training-setup';
import { asNumber } from './values';

export class InputSettlement {
  /** The input shape was assumed, not stated: where, and what was assumed. */
  assumed: { node: SyntaxNode; text: string } | null = null;
  /** A declared size contradicted what reached it (after an assumed input, the assumption is wrong). */
  private contradiction: string | null = null;
  /** The first module that read the input fixed its layout (else images default to channels-first). */
  layoutDecided = false;

  constructor(private readonly trace: TorchTrace) {}

  contradict(what: string): void {
    this.contradiction ??= what;
  }

  /**
   * The tensor a layer reads, with its shape settled. For the model input of an nn.Linear whose
   * in_features is the dataset's flattened image size, the script flattens in its transform: the
   * TF.js model does it as its first layer.
   */
  settle(input: Tensor, kind: string, args: Argument[], at: SyntaxNode): Tensor {
    if (input.shape) return input;
    const { options, training } = this.trace.ctx;
    const fromData = datasetInputShape(training.dataset);
    const features = asNumber(
      args.find((a) => a.keyword === 'in_features')?.value ??
        args.filter((a) => a.keyword === null)[0]?.value,
    );
    if (
      kind === 'Linear' &&
      !options.inputShape?.length &&
      fromData &&
      features === fromData.reduce((a, b) => a * b, 1)
    ) {
      input.shape = fromData;
      input.layout = 'channels-first';
      this.trace.graph.inputShape = fromData;
      const flat = this.trace.emitOp(
        'Flatten',
        { data_format: 'channels_last' },
        [input],
        [features],
        'plain',
        at,
        'flatten_input',
      );
      this.trace.graph.layers[this.trace.graph.layers.length - 1]!.spec.source = null;
      return flat;
    }
    this.shapeOf(input, kind, args, at);
    return input;
  }

  /** The shape reaching a layer; the model input's shape is settled by its first consumer. */
  shapeOf(input: Tensor, kind: string, args: Argument[], at: SyntaxNode): Shape {
    if (input.shape) return input.shape;
    const { source, options, training } = this.trace.ctx;
    const settle = (shape: Shape): Shape => {
      input.shape = shape;
      this.trace.graph.inputShape = shape;
      // Images arrive channels-last and are PyTorch's (C, H, W), whatever reads them first.
      if (input === this.trace.graph.input && !this.layoutDecided && shape.length === 3)
        input.layout = 'channels-first';
      return shape;
    };
    if (options.inputShape && options.inputShape.length > 0) return settle(options.inputShape);
    const fromData = datasetInputShape(training.dataset);
    const first = (name: string): number | null =>
      asNumber(
        args.find((a) => a.keyword === name)?.value ?? args.filter((a) => a.keyword === null)[0]?.value,
      );
    if (kind === 'Linear') {
      const features = first('in_features');
      if (features !== null) return settle([features]);
    }
    if (kind === 'Embedding' || recurrentModules.has(kind)) {
      const length = training.sequenceLength;
      const features = recurrentModules.has(kind) ? first('input_size') : null;
      if (length !== undefined && (kind === 'Embedding' || features !== null))
        return settle(kind === 'Embedding' ? [length] : [length, features!]);
      const given = unstatedInputShape(
        source,
        at,
        `nn.${kind} reads sequences, and the file does not say how many steps each has`,
        options,
        kind === 'Embedding' ? sequenceShapeHint : inputShapeHint,
      );
      if (given) return settle(given);
      return this.assume(at, kind === 'Embedding' ? [100] : [100, features ?? 1], input);
    }
    if (fromData) return settle(fromData);
    if (kind === 'Conv2d') {
      const channels = first('in_channels');
      if (channels === 1 || channels === 3) {
        const side = channels === 3 ? 32 : 28;
        return this.assume(at, [side, side, channels], input, true);
      }
    }
    const given = unstatedInputShape(
      source,
      at,
      kind === 'Flatten' || kind === 'View'
        ? 'the model flattens its input first, so the file never says what the input is'
        : `no dataset, input layer or first-layer size gives it (the first layer is nn.${kind})`,
      options,
    );
    if (given) return settle(given);
    return this.assume(at, [28, 28, 1], input);
  }

  /**
   * Assumes an input shape the file does not state. A conventional image size (28×28×1, 32×32×3)
   * is kept when nothing later contradicts it (checked once the trace ends); otherwise only a
   * lenient read (lenses) gets here.
   */
  private assume(at: SyntaxNode, shape: Shape, input: Tensor, conventional = false): Shape {
    const text = shape.join('×');
    this.assumed = { node: at, text };
    this.trace.ctx.source.report(
      at,
      `the input size is not stated; assuming ${text}${shape.length === 3 ? ' images' : ''}${conventional ? '' : ' (give it with --input-shape)'}`,
      conventional ? 'info' : 'error',
    );
    input.shape = shape;
    this.trace.graph.inputShape = shape;
    if (input === this.trace.graph.input && !this.layoutDecided && shape.length === 3)
      input.layout = 'channels-first';
    return shape;
  }

  /** After the trace: an assumed input that a declared size contradicts is refused (not guessed). */
  checkAssumption(): void {
    if (!this.assumed || !this.contradiction || this.trace.ctx.options.lenient) return;
    const { source } = this.trace.ctx;
    throw new UserError(
      `the model's input shape is not stated in the file, and the assumed ${this.assumed.text} does not fit the sizes it declares: ${this.contradiction}`,
      source.file,
      source.position(this.assumed.node.from).line,
      inputShapeHint,
    );
  }

  /** The training setup the traced model implies (token input for an Embedding first). */
  kindInto(training: TrainingSetup): void {
    const first = this.trace.graph.layers.find((l) => l.className !== 'InputLayer');
    if (first?.className !== 'Embedding') return;
    training.inputKind = 'int-sequence';
    const vocabulary = first.config.input_dim;
    if (typeof vocabulary === 'number') training.vocabularySize = vocabulary;
    const length = this.trace.graph.inputShape?.[0];
    if (typeof length === 'number') training.sequenceLength = length;
  }
}
