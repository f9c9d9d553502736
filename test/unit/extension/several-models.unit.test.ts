// A file that defines several models: "▶ Analyze <name>" on each model's definition, a quick pick
// when Analyze does not say which (remembered per file for the session), and one lens for a line
// that builds several runtime layers ("relu ×3 …", aggregated: total and worst). The real parser
// process reads the file; VS Code is the fake.
import { reset, recorded, fakeDocument, EventEmitter, type CodeLens } from './fake-vscode';
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { LayerLensProvider, type RunStateSource } from '../../../extension/layer-lenses';
import { ModelDocuments } from '../../../extension/model-documents';
import { ParserProcess } from '../../../extension/parser-process';
import { chooseModel, ModelChoices, type AskModel } from '../../../extension/model-choice';
import type { DashboardState } from '../../../src/protocol';
import { emptyDashboardState } from '../../../src/dashboard-state';
import { PARSER_SCRIPT } from './parser-fixture';
import { probe, probeEvent, stateWith } from './fixtures';

const FILE = '/work/example/blocks.py';
const TEXT = `import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.blocks = nn.Sequential(Block(8), Block(8), Block(8))
        self.head = nn.Linear(8 * 28 * 28, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(x.view(x.size(0), -1))


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 1)

    def forward(self, x):
        return self.fc(x)


model = Net()
critic = Critic()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
`;

const parser = new ParserProcess({ script: PARSER_SCRIPT });
after(() => parser.dispose());

function setup(state: DashboardState) {
  const doc = fakeDocument(FILE, TEXT);
  recorded.documents.push(doc);
  const run: RunStateSource = {
    state,
    onDidChangeState: new EventEmitter<void>().event as unknown as vscode.Event<void>,
  };
  const documents = new ModelDocuments(parser, () => undefined);
  const provider = new LayerLensProvider(documents, run, () => true);
  const lenses = async () =>
    (await provider.provideCodeLenses(doc as unknown as vscode.TextDocument)) as unknown as CodeLens[];
  return { lenses, documents, doc };
}

const summary = (ls: CodeLens[]) =>
  ls.map((l) => [l.range.start.line + 1, l.command?.title, l.command?.command, l.command?.arguments?.[1]]);

beforeEach(reset);

test('before a run: one Analyze lens per model definition, and one for the line that builds 3 ReLUs', async () => {
  const { lenses } = setup(emptyDashboardState());
  assert.deepEqual(summary(await lenses()), [
    [15, '▶ Analyze Net', 'activationLens.analyze', 'Net'],
    [27, '▶ Analyze Critic', 'activationLens.analyze', 'Critic'],
    [9, '▶ Analyze activations', 'activationLens.analyze', undefined],
  ]);
});

test('during a run: the ×3 line aggregates its layers honestly (total share, worst named, mean range)', async () => {
  const probes = [
    probeEvent('r1', 0, [
      probe('blocks_0_relu', 0, 0, 8, 0.1),
      probe('blocks_1_relu', 0, 0, 8, 0.1),
      probe('blocks_2_relu', 0, 0, 8, 0.1),
    ]),
    probeEvent('r1', 50, [
      probe('blocks_0_relu', 50, 1, 8, 0.2),
      probe('blocks_1_relu', 50, 4, 8, 0.05),
      probe('blocks_2_relu', 50, 0, 8, 0.41),
    ]),
  ];
  const { lenses } = setup(stateWith(FILE, probes));
  const ls = await lenses();
  const line9 = ls.filter((l) => l.range.start.line + 1 === 9);
  assert.deepEqual(
    line9.map((l) => l.command?.title),
    ['relu ×3 · 21% dead (5/24) · worst blocks_1_relu 50% · mean +0.05…+0.41', 'Switch to ELU'],
  );
  // The lens opens the dashboard at the worst of the three.
  assert.deepEqual(line9[0]?.command?.arguments, ['blocks_1_relu']);
  assert.equal(line9[1]?.command?.command, 'activationLens.applyEluFix');
});

test('during a run, before every instance is probed: "k of N probed"', async () => {
  const probes = [probeEvent('r1', 0, [probe('blocks_0_relu', 0, 2, 8, 0.3)])];
  const { lenses } = setup(stateWith(FILE, probes));
  const line9 = (await lenses()).filter((l) => l.range.start.line + 1 === 9);
  assert.equal(
    line9[0]?.command?.title,
    'relu ×3 (1 of 3 probed) · 25% dead (2/8) · worst blocks_0_relu 25% · mean +0.30',
  );
});

test('Analyze on a file with several models asks which, remembers it; a lens names its own', async () => {
  const { documents, doc } = setup(emptyDashboardState());
  const spec = await documents.get(doc as unknown as vscode.TextDocument);
  const choices = new ModelChoices();
  const asked: string[][] = [];
  let answer: string | undefined = 'Critic';
  const ask: AskModel = (items, title) => {
    asked.push([title, ...items.map((i) => `${i.label} (${i.description})`)]);
    return Promise.resolve(items.find((i) => i.model === answer));
  };
  assert.equal(await chooseModel(FILE, spec, null, choices, ask), 'Critic');
  assert.deepEqual(asked, [
    [
      'blocks.py defines 2 models — analyze which?',
      'Net (line 15 · analysed by default)',
      'Critic (line 27)',
    ],
  ]);
  // Remembered for the file: no second question.
  assert.equal(await chooseModel(FILE, spec, null, choices, ask), 'Critic');
  assert.equal(asked.length, 1);
  // A lens names its model, which becomes the file's choice.
  assert.equal(await chooseModel(FILE, spec, 'Net', choices, ask), 'Net');
  assert.equal(await chooseModel(FILE, spec, null, choices, ask), 'Net');
  // Dismissed: no run.
  answer = undefined;
  assert.equal(await chooseModel('/other/blocks.py', spec, null, new ModelChoices(), ask), undefined);
  // A file with one model: nothing to ask, no --model.
  assert.equal(await chooseModel(FILE, { ...spec!, alternatives: [] }, null, new ModelChoices(), ask), null);
  assert.equal(asked.length, 2);
});
