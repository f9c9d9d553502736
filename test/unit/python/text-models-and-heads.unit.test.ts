/**
 * Text models (Embedding, Conv1D, LSTM, GRU, Bidirectional, SimpleRNN; PyTorch's RNN tuples and
 * last-step indexing), any output head (N-class softmax, binary sigmoid, regression, several
 * outputs) with the loss the file states, and input shapes the file does not state.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { isUserError } from '../../../src/errors';
import { buildModel } from '../../../src/model/build/build';
import { parsePythonModel } from '../../../src/model/readers/python/index';
import type { ModelSpec } from '../../../src/model/spec';
import { fixtureDir, fixtureText, issueAt, readFixture } from './python-fixtures';

before(async () => {
  await tf.setBackend('cpu');
});

function read(name: string, inputShape: number[] | null = null): ModelSpec {
  return parsePythonModel(fixtureText(name), resolve(fixtureDir, name), { inputShape });
}

/** Builds the model and runs a batch of two samples through it: the output shapes. */
async function outputs(spec: ModelSpec, ints = false): Promise<number[][]> {
  const model = await buildModel(tf, spec, 1);
  try {
    const shape = model.inputs[0]!.shape.slice(1).map((d) => d ?? 7) as number[];
    const x = ints ? tf.randomUniform([2, ...shape], 0, 50, 'int32') : tf.zeros([2, ...shape]);
    const y = model.predict(x) as tf.Tensor | tf.Tensor[];
    const ys = Array.isArray(y) ? y : [y];
    const shapes = ys.map((t) => t.shape);
    tf.dispose([x, ...ys]);
    return shapes;
  } finally {
    model.dispose();
  }
}

function layerConfig(spec: ModelSpec, name: string): Record<string, unknown> {
  const json = spec.topology.config.layers as { config: Record<string, unknown> & { name: string } }[];
  return json.find((l) => l.config.name === name)!.config;
}

test('Keras IMDB: Embedding, Bidirectional(LSTM) stacked, sigmoid head; token input, vocabulary and length from the file', async () => {
  const { spec } = readFixture('keras_imdb_bilstm.py');
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.className, l.source?.line]),
    [
      ['input_1', 'InputLayer', 11],
      ['embedding', 'Embedding', 12],
      ['bidirectional', 'Bidirectional', 13],
      ['bidirectional_1', 'Bidirectional', 14],
      ['dense', 'Dense', 15],
    ],
  );
  const inner = layerConfig(spec, 'bidirectional').layer as {
    class_name: string;
    config: Record<string, unknown>;
  };
  assert.equal(inner.class_name, 'LSTM');
  assert.deepEqual(
    [inner.config.units, inner.config.return_sequences, inner.config.recurrent_activation],
    [64, true, 'sigmoid'],
  );
  assert.deepEqual(spec.training, {
    dataset: 'imdb',
    vocabularySize: 20000,
    sequenceLength: 200,
    inputKind: 'int-sequence',
    optimizer: 'adam',
    loss: 'binary_crossentropy',
    batchSize: 32,
    epochs: 2,
  });
  assert.deepEqual(await outputs(spec, true), [[2, 1]]);
});

test('Keras Reuters: Embedding + Conv1D + MaxPool1D + GlobalMaxPooling1D, a 46-class softmax; length from pad_sequences', async () => {
  const { spec } = readFixture('keras_reuters_conv1d.py');
  assert.deepEqual(
    spec.layers.map((l) => l.className),
    ['Embedding', 'Conv1D', 'MaxPooling1D', 'Conv1D', 'GlobalMaxPooling1D', 'Dense', 'Dense'],
  );
  assert.deepEqual(layerConfig(spec, 'embedding').batch_input_shape, [null, 300]);
  assert.equal(layerConfig(spec, 'dense_1').units, 46);
  assert.deepEqual(
    [spec.training.inputKind, spec.training.vocabularySize, spec.training.sequenceLength, spec.training.loss],
    ['int-sequence', 10000, 300, 'sparse_categorical_crossentropy'],
  );
  assert.deepEqual(await outputs(spec, true), [[2, 46]]);
});

test('Keras sequence regression: SimpleRNN → GRU → linear Dense(1) with loss="mse"', async () => {
  const { spec } = readFixture('keras_sequence_regression.py');
  assert.deepEqual(
    spec.layers.map((l) => [l.className, l.activation]),
    [
      ['SimpleRNN', 'tanh'],
      ['GRU', 'tanh'],
      ['Dense', 'relu'],
      ['Dense', null],
    ],
  );
  assert.deepEqual(layerConfig(spec, 'simple_rnn').batch_input_shape, [null, 30, 1]);
  assert.equal(layerConfig(spec, 'gru').reset_after, false);
  issueAt(spec, 8, 'reset_after=False');
  assert.deepEqual(spec.training, { optimizer: 'adam', learningRate: 1e-3, loss: 'mean_squared_error' });
  assert.deepEqual(await outputs(spec), [[2, 1]]);
});

test('Keras multi-output: a 3-class head and a regression head, the loss dict in output order', async () => {
  const { spec } = readFixture('keras_multi_output.py');
  assert.deepEqual((spec.topology.config as { output_layers: unknown }).output_layers, [
    ['kind', 0, 0],
    ['price', 0, 0],
  ]);
  assert.deepEqual(spec.training, {
    optimizer: 'adam',
    loss: 'sparse_categorical_crossentropy',
    outputLosses: ['sparse_categorical_crossentropy', 'mean_squared_error'],
  });
  assert.deepEqual(await outputs(spec), [
    [2, 3],
    [2, 1],
  ]);
});

test('PyTorch regression: nn.MSELoss is read as the loss', async () => {
  const { spec } = readFixture('torch_regression.py');
  assert.deepEqual(spec.training, { loss: 'mean_squared_error', optimizer: 'sgd', learningRate: 0.01 });
  assert.deepEqual(await outputs(spec), [[2, 1]]);
});

test('PyTorch LSTM classifier: `out, _ = self.lstm(x)` and `out[:, -1, :]` is the last step; 2 stacked layers with dropout', async () => {
  assert.throws(
    () => readFixture('torch_lstm_classifier.py'),
    (e: unknown) =>
      isUserError(e) &&
      e.line === 12 &&
      /input shape is not stated/.test(e.message) &&
      /--input-shape 200/.test(e.hint ?? ''),
  );
  const spec = read('torch_lstm_classifier.py', [50]);
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.className, l.source?.line]),
    [
      ['embedding', 'Embedding', 12],
      ['lstm', 'LSTM', 13],
      ['lstm_dropout', 'Dropout', 13],
      ['lstm_l1', 'LSTM', 13],
      ['fc', 'Dense', 14],
    ],
  );
  // The first LSTM feeds the second with its sequence; the last returns only the last step.
  assert.deepEqual(
    [layerConfig(spec, 'lstm').return_sequences, layerConfig(spec, 'lstm_l1').return_sequences],
    [true, false],
  );
  assert.equal(layerConfig(spec, 'lstm_dropout').rate, 0.3);
  assert.deepEqual(spec.training, {
    loss: 'sparse_categorical_crossentropy',
    lossFromLogits: true,
    optimizer: 'adam',
    learningRate: 2e-3,
    inputKind: 'int-sequence',
    vocabularySize: 5000,
    sequenceLength: 50,
  });
  assert.equal(spec.omitted, undefined);
  assert.deepEqual(await outputs(spec, true), [[2, 4]]);
});

test('PyTorch bidirectional GRU: torch.cat((h[-2], h[-1]), dim=1) is the last step of both directions; BCEWithLogitsLoss', async () => {
  const spec = read('torch_gru_bidirectional.py', [40]);
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.className]),
    [
      ['embed', 'Embedding'],
      ['gru', 'Bidirectional'],
      ['out', 'Dense'],
    ],
  );
  const inner = layerConfig(spec, 'gru').layer as { class_name: string; config: Record<string, unknown> };
  assert.deepEqual([inner.class_name, inner.config.return_sequences], ['GRU', false]);
  assert.deepEqual([spec.training.loss, spec.training.lossFromLogits], ['binary_crossentropy', true]);
  assert.equal(spec.omitted, undefined);
  assert.deepEqual(await outputs(spec, true), [[2, 1]]);
});

test('PyTorch TextCNN: permute(0, 2, 1) before Conv1d needs no layer; max_pool1d over x.shape[2] then squeeze(2)', async () => {
  const spec = read('torch_textcnn.py', [30]);
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.className, l.source?.line]),
    [
      ['embedding', 'Embedding', 9],
      ['conv', 'Conv1D', 10],
      ['conv_relu', 'Activation', 17],
      ['max_pool1d', 'MaxPooling1D', 18],
      ['max_pool1d_squeeze', 'Reshape', 18],
      ['dropout', 'Dropout', 11],
      ['fc', 'Dense', 12],
    ],
  );
  assert.equal(layerConfig(spec, 'max_pool1d').pool_size, 28);
  assert.ok(!spec.issues.some((i) => i.severity !== 'info'), JSON.stringify(spec.issues));
  assert.deepEqual(await outputs(spec, true), [[2, 5]]);
});

test('an RNN sequence used after its last step was taken is refused on its line (not a wrong model)', () => {
  const text = [
    'import torch.nn as nn',
    'class M(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.rnn = nn.RNN(4, 8, batch_first=True)',
    '        self.fc = nn.Linear(8, 2)',
    '    def forward(self, x):',
    '        out, h = self.rnn(x)',
    '        last = out[:, -1, :]',
    '        return self.fc(last) + self.fc(out)',
    'm = M()',
  ].join('\n');
  assert.throws(
    () => parsePythonModel(text, 'rnn.py', { inputShape: [10, 4] }),
    (e: unknown) =>
      isUserError(e) && e.line === 10 && /is used after its RNN returns only the last step/.test(e.message),
  );
});

test('nn.Flatten first with no dataset: a UserError naming the line and --input-shape; with it, the model builds', async () => {
  assert.throws(
    () => readFixture('torch_flatten_first.py'),
    (e: unknown) =>
      isUserError(e) &&
      e.line === 4 &&
      /the model flattens its input first/.test(e.message) &&
      /--input-shape 28,28,1/.test(e.hint ?? ''),
  );
  const spec = read('torch_flatten_first.py', [28, 28, 1]);
  assert.deepEqual(
    spec.layers.map((l) => l.className),
    ['Flatten', 'Dense', 'Activation', 'Dense'],
  );
  assert.ok(!spec.issues.some((i) => i.severity !== 'info'), JSON.stringify(spec.issues));
  assert.deepEqual(await outputs(spec), [[2, 10]]);
});

test('an input size imported from another module: a UserError on the Input line; --input-shape builds it', async () => {
  assert.throws(
    () => readFixture('keras_imported_constant.py'),
    (e: unknown) => isUserError(e) && e.line === 6 && /--input-shape/.test(e.hint ?? ''),
  );
  const spec = read('keras_imported_constant.py', [64, 64, 3]);
  assert.deepEqual(layerConfig(spec, 'input_1').batch_input_shape, [null, 64, 64, 3]);
  assert.deepEqual(await outputs(spec), [[2, 5]]);
});

test('lenses read leniently: an unstated input shape is assumed and said so, never thrown', () => {
  const spec = parsePythonModel(fixtureText('torch_flatten_first.py'), 'f.py', { lenient: true });
  assert.equal(spec.layers.length, 4);
  issueAt(spec, 4, 'the input size is not stated; assuming 28×28×1');
});
