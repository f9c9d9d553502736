/**
 * The input shape of the chosen Keras model: what the file states (`input_shape=`, `Input(shape=…)`),
 * else what `pad_sequences(maxlen=…)` or the dataset implies, else the person's `--input-shape`,
 * else a refusal on the first layer's line. An Embedding first makes the input token ids.
 */
import type { TrainingSetup } from '../../spec';
import { inputShapeHint, sequenceShapeHint, unstatedInputShape } from './input-shape';
import type { FunctionalModel, KerasLayer, SequentialModel } from './keras-values';
import type { PythonReadOptions } from './read-options';
import type { SourceText } from './source-text';
import { datasetInputShape } from './training-setup';

/**
 * The input shape of a Sequential model: what the file states, else what its dataset or
 * `pad_sequences(maxlen=…)` implies, else the person's `--input-shape`, else a refusal.
 */
export function sequentialInputShape(
  model: SequentialModel,
  training: TrainingSetup,
  source: SourceText,
  options: PythonReadOptions,
): (number | null)[] {
  const first = model.layers[0]!;
  const embedding = first.className === 'Embedding';
  if (embedding) markTokenInput(first, training);
  let shape = model.inputShape;
  if (embedding && (!shape || shape[0] === null) && training.sequenceLength !== undefined)
    shape = [training.sequenceLength];
  if (options.inputShape && options.inputShape.length > 0) {
    if (shape && shape.join(',') !== options.inputShape.join(','))
      source.report(
        model.inputNode ?? first.node,
        `the file states input shape (${shape.join(', ')}); --input-shape ${options.inputShape.join(',')} is used instead`,
        'info',
      );
    shape = options.inputShape;
  }
  if (!shape && !embedding) {
    const fromData = datasetInputShape(training.dataset);
    if (fromData) {
      shape = first.className === 'Dense' ? [fromData.reduce((a, b) => a * b, 1)] : fromData;
      source.report(
        first.node,
        `no input_shape on the first layer; assuming (${shape.join(', ')}) from ${training.dataset}`,
        'info',
      );
    }
  }
  if (!shape) {
    const given = unstatedInputShape(
      source,
      first.node,
      embedding
        ? 'the Embedding layer has no input_length, and no pad_sequences(maxlen=…) or Input(shape=…) gives the sequence length'
        : 'the first layer has no input_shape, and no keras.Input or known dataset gives it',
      options,
      embedding ? sequenceShapeHint : inputShapeHint,
    );
    shape = given ?? (embedding ? [100] : first.className === 'Dense' ? [784] : [28, 28, 1]);
    if (!given)
      source.report(first.node, `the input shape is not stated; assuming (${shape.join(', ')})`, 'error');
  }
  if (embedding && typeof shape[0] === 'number') training.sequenceLength = shape[0];
  return shape;
}

/** An Embedding first: the model reads token ids, not floats. */
function markTokenInput(embedding: KerasLayer, training: TrainingSetup): void {
  training.inputKind = 'int-sequence';
  const vocabulary = embedding.draft?.config.input_dim;
  if (typeof vocabulary === 'number') training.vocabularySize = vocabulary;
}

/** Settles each Input's shape (the file's, `--input-shape`, `maxlen=`, or a refusal); returns the model. */
export function settleFunctionalInputs(
  model: FunctionalModel,
  training: TrainingSetup,
  source: SourceText,
  options: PythonReadOptions,
): FunctionalModel {
  for (const input of model.inputs) {
    const layer = input.layer;
    const draft = layer.draft;
    if (!draft || layer.className !== 'InputLayer') continue;
    const embedding = consumersOf(model, layer).find((c) => c.className === 'Embedding');
    if (embedding) markTokenInput(embedding, training);
    if (options.inputShape && options.inputShape.length > 0) draft.inputShape = options.inputShape;
    if (!draft.inputShape && embedding && training.sequenceLength !== undefined)
      draft.inputShape = [training.sequenceLength];
    if (!draft.inputShape) {
      const given = unstatedInputShape(
        source,
        layer.node,
        'Input() has no shape the reader can fold to numbers',
        options,
      );
      draft.inputShape = given ?? [28, 28, 1];
      if (!given)
        source.report(layer.node, 'Input() without a readable shape; assuming (28, 28, 1)', 'error');
    }
    if (embedding && typeof draft.inputShape[0] === 'number') training.sequenceLength = draft.inputShape[0];
  }
  return model;
}

/** Layers of `model` called on the output of `layer`. */
function consumersOf(model: FunctionalModel, layer: KerasLayer): KerasLayer[] {
  const out: KerasLayer[] = [];
  const stack = [...model.outputs];
  const seen = new Set<KerasLayer>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t.layer)) continue;
    seen.add(t.layer);
    for (const node of t.layer.inbound)
      for (const input of node) {
        if (input.layer === layer && !out.includes(t.layer)) out.push(t.layer);
        stack.push(input);
      }
  }
  return out;
}
