import { reset, recorded, fakeDocument, EventEmitter, Range, type CodeLens } from './fake-vscode';
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { LayerLensProvider, type RunStateSource } from '../../../extension/layer-lenses';
import { EluCodeActionProvider } from '../../../extension/elu-code-actions';
import { ModelDocuments } from '../../../extension/model-documents';
import { ParserProcess } from '../../../extension/parser-process';
import { PARSER_SCRIPT } from './parser-fixture';
import type { DashboardState } from '../../../src/protocol';
import { emptyDashboardState } from '../../../src/dashboard-state';
import { probe, probeEvent, stateWith } from './fixtures';
import type * as vscode from 'vscode';

const FILE = '/work/example/mnist_cnn.py';
const TEXT = `from tensorflow.keras import Sequential
from tensorflow.keras.layers import Conv2D, Dense, Flatten, ReLU

model = Sequential([
    Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)),
    Flatten(),
    Dense(256, activation='relu'),
    Dense(10, activation='softmax'),
])
`;

// The real parser process (dist/parser.js), shared by the tests of this file.
const parser = new ParserProcess({ script: PARSER_SCRIPT });
after(() => parser.dispose());

function setup(state: DashboardState, enabled = true) {
  const doc = fakeDocument(FILE, TEXT);
  const run: RunStateSource = {
    state,
    onDidChangeState: new EventEmitter<void>().event as unknown as vscode.Event<void>,
  };
  const documents = new ModelDocuments(parser, () => undefined);
  const provider = new LayerLensProvider(documents, run, () => enabled);
  const lenses = async () =>
    (await provider.provideCodeLenses(doc as unknown as vscode.TextDocument)) as unknown as CodeLens[];
  return { lenses };
}

beforeEach(reset);

test('before a run: "▶ Analyze activations" on each ReLU layer line, nowhere else', async () => {
  const { lenses } = setup(emptyDashboardState());
  const ls = await lenses();
  assert.deepEqual(
    ls.map((l) => [l.range.start.line + 1, l.command?.title, l.command?.command]),
    [
      [5, '▶ Analyze activations', 'activationLens.analyze'],
      [7, '▶ Analyze activations', 'activationLens.analyze'],
    ],
  );
  assert.equal(recorded.messages.length, 0);
});

test('during a run on this file: live numbers and "Switch to ELU" with (uri, layer)', async () => {
  const probes = [
    probeEvent('r1', 0, [probe('conv2d', 0, 0, 32, 0.1), probe('dense', 0, 3, 256, 0.12)]),
    probeEvent('r1', 120, [probe('conv2d', 120, 2, 32, 0.3), probe('dense', 120, 105, 256, 0.38)]),
  ];
  const { lenses } = setup(stateWith(FILE, probes));
  const ls = await lenses();
  assert.deepEqual(
    ls.map((l) => l.command?.title),
    [
      'conv2d · 6% dead (2/32) · mean +0.30 ↑',
      'Switch to ELU',
      'dense · 41% dead (105/256) · mean +0.38 ↑',
      'Switch to ELU',
    ],
  );
  const fix = ls[3]?.command;
  assert.equal(fix?.command, 'activationLens.applyEluFix');
  assert.equal((fix?.arguments?.[0] as { fsPath: string }).fsPath, FILE);
  assert.equal(fix?.arguments?.[1], 'dense');
});

test('during a run, before a layer is probed: a waiting lens, not an Analyze that would restart it', async () => {
  const probes = [probeEvent('r1', 0, [probe('conv2d', 0, 0, 32, 0.1)])];
  const titles = (await setup(stateWith(FILE, probes)).lenses()).map((l) => l.command?.title);
  assert.deepEqual(titles, [
    'conv2d · 0% dead (0/32) · mean +0.10',
    'Switch to ELU',
    'dense · $(loading~spin) waiting for the first probe…',
  ]);
  const finished = { ...stateWith(FILE, probes), status: 'finished' as const };
  assert.equal((await setup(finished).lenses()).at(-1)?.command?.title, '▶ Analyze activations');
});

test('a run on another file leaves this file with the analyze lens; switched off shows none', async () => {
  const probes = [probeEvent('r1', 0, [probe('dense', 0, 3, 256, 0.12)])];
  const elsewhere = await setup(stateWith('/elsewhere/model.py', probes)).lenses();
  assert.ok(elsewhere.length > 0 && elsewhere.every((l) => l.command?.title === '▶ Analyze activations'));
  assert.deepEqual(await setup(stateWith(FILE, probes), false).lenses(), []);
});

test('a thresholdedReLU layer gets the lenses and the quick fix like any rectifier', async () => {
  const file = '/work/example/model.ts';
  const text = `import * as tf from '@tensorflow/tfjs';

export const model = tf.sequential();
model.add(tf.layers.dense({ units: 16, inputShape: [8] }));
model.add(tf.layers.thresholdedReLU({ theta: 0.5 }));
model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
`;
  const documents = new ModelDocuments(parser, () => undefined);
  const doc = fakeDocument(file, text) as unknown as vscode.TextDocument;
  const name = (await documents.get(doc))?.layers.find((l) => l.activation === 'thresholded_relu')?.name;
  assert.ok(name, 'the reader finds the thresholdedReLU layer');
  const lensesFor = async (state: DashboardState) =>
    (await new LayerLensProvider(
      documents,
      { state, onDidChangeState: new EventEmitter<void>().event as unknown as vscode.Event<void> },
      () => true,
    ).provideCodeLenses(doc)) as unknown as CodeLens[];
  assert.deepEqual(
    (await lensesFor(emptyDashboardState())).map((l) => [l.range.start.line + 1, l.command?.title]),
    [[5, '▶ Analyze activations']],
  );
  const probes = [
    probeEvent('r1', 0, [probe(name, 0, 0, 16, 0.1)]),
    probeEvent('r1', 9, [probe(name, 9, 4, 16, 0.3)]),
  ];
  assert.deepEqual(
    (await lensesFor(stateWith(file, probes))).map((l) => l.command?.title),
    [`${name} · 25% dead (4/16) · mean +0.30 ↑`, 'Switch to ELU'],
  );
  const actions = (await new EluCodeActionProvider(documents).provideCodeActions(
    doc,
    new Range(4, 0, 4, 0) as unknown as vscode.Range,
    { diagnostics: [] } as unknown as vscode.CodeActionContext,
  )) as unknown as { title: string }[];
  assert.deepEqual(
    actions.map((a) => a.title),
    [`Switch ${name} to ELU (He initialisation)`],
  );
});
