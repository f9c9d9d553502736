// A live run's layers are module paths (`layer1.0.relu`) and call sites (`SmallResNet.forward:50:relu`),
// not the reader's names: lenses, Problems entries and the quick fix find them by the line that
// defines them — on the ResNet-style fixture, where one `self.relu` line serves four applications.
import { reset, recorded, fakeDocument, EventEmitter, languages, type CodeLens } from './fake-vscode';
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { LayerLensProvider } from '../../../extension/layer-lenses';
import { FindingDiagnostics } from '../../../extension/finding-diagnostics';
import { ModelDocuments } from '../../../extension/model-documents';
import { ParserProcess } from '../../../extension/parser-process';
import { liveLayerSource, specLayerAt } from '../../../extension/live-layers';
import { parseModelSource } from '../../../src/model/readers/source';
import type { DashboardState, Finding, LayerSummary } from '../../../src/protocol';
import { PARSER_SCRIPT } from './parser-fixture';
import { probeEvent } from './fixtures';
import { layerProbe, runStarted } from '../live/live-stream';
import { fixtures } from '../live/live-python';

const FILE = join(fixtures, 'torch_resnet.py');
const TEXT = readFileSync(FILE, 'utf8');

const parser = new ParserProcess({ script: PARSER_SCRIPT });
after(() => parser.dispose());
beforeEach(reset);

function live(name: string, line: number, column: number, activation = 'relu'): LayerSummary {
  return {
    name,
    className: 'ReLU',
    activation,
    outputShape: [null, 8, 4, 4],
    units: 8,
    params: 0,
    tapped: true,
    source: { file: FILE, line, column },
  };
}

const LAYERS = [
  live('SmallResNet.forward:50:relu', 50, 13),
  live('layer1.0.relu', 19, 21),
  live('layer1.0.relu/2', 19, 21),
  live('layer1.1.relu', 19, 21),
  live('layer1.1.relu/2', 19, 21),
  live('head.1', 40, 13, 'gelu'),
];

function liveState(status: DashboardState['status'], probed: boolean): DashboardState {
  const started = runStarted(LAYERS, 'live-1-00000000');
  started.model.file = FILE;
  const probes = probed
    ? [
        probeEvent(
          'live-1-00000000',
          0,
          LAYERS.map((l) => layerProbe(l.name, 0, 0)),
        ),
        probeEvent(
          'live-1-00000000',
          9,
          LAYERS.map((l) => layerProbe(l.name, 9, l.name === 'layer1.1.relu' ? 5 : 1, 8, 0.4)),
        ),
      ]
    : [];
  return {
    runId: 'live-1-00000000',
    status,
    started,
    progress: [],
    probes,
    validation: [],
    findings: [],
    report: null,
    error: null,
  };
}

async function lensesFor(state: DashboardState): Promise<CodeLens[]> {
  const doc = fakeDocument(FILE, TEXT) as unknown as vscode.TextDocument;
  const provider = new LayerLensProvider(
    new ModelDocuments(parser, () => undefined),
    { state, onDidChangeState: new EventEmitter<void>().event as unknown as vscode.Event<void> },
    () => true,
  );
  return (await provider.provideCodeLenses(doc)) as unknown as CodeLens[];
}

test('one lens per defining line, with the worst application of that line, and the fix on it', async () => {
  const lenses = await lensesFor(liveState('running', true));
  assert.deepEqual(
    lenses.map((l) => [
      l.range.start.line + 1,
      l.range.start.character + 1,
      l.command?.title,
      l.command?.arguments?.[1],
    ]),
    [
      [19, 21, 'relu ×4 · 25% dead (8/32) · worst layer1.1.relu 63% · mean +0.40', undefined],
      [19, 21, 'Switch to ELU', 'layer1_0_relu'],
      [50, 13, 'SmallResNet.forward:50:relu · 13% dead (1/8) · mean +0.40 ↑', undefined],
      [50, 13, 'Switch to ELU', 'bn_relu'],
    ],
  );
  assert.equal(lenses[0]!.command?.command, 'activationLens.openDashboard');
  assert.equal(lenses[1]!.command?.command, 'activationLens.applyEluFix');
});

test('before the first probe a live run says it is waiting; the GELU line gets no lens', async () => {
  const titles = (await lensesFor(liveState('running', false))).map((l) => l.command?.title);
  assert.deepEqual(titles, [
    'relu ×4 · $(loading~spin) waiting for the first probe…',
    'SmallResNet.forward:50:relu · $(loading~spin) waiting for the first probe…',
  ]);
});

test('a live layer resolves to the parsed layer its line defines, and to its own source', () => {
  const spec = parseModelSource(FILE, TEXT)!;
  assert.equal(specLayerAt(spec, LAYERS[3]!.source!)?.name, 'layer1_0_relu');
  assert.equal(specLayerAt(spec, { file: FILE, line: 999, column: 1 }), null);
  assert.equal(
    specLayerAt(spec, { file: FILE, line: 18, column: 20 }),
    null,
    'a BatchNorm line holds no activation',
  );
  const state = liveState('finished', true);
  assert.deepEqual(liveLayerSource(state, 'layer1.1.relu/2'), { file: FILE, line: 19, column: 21 });
  assert.equal(liveLayerSource(state, 'no-such-layer'), null);
  assert.equal(
    liveLayerSource({ ...state, started: { ...state.started!, origin: 'engine' } }, 'layer1.1.relu'),
    null,
  );
});

test('Problems entries of a live run follow the defining line, and the ELU fix clears them', () => {
  const d = new FindingDiagnostics(
    languages.createDiagnosticCollection('t') as unknown as vscode.DiagnosticCollection,
  );
  const finding: Finding = {
    kind: 'dead-units',
    layer: 'layer1.1.relu',
    severity: 'warning',
    message: 'layer1.1.relu: 5 of 8 units (63%) are dead',
    evidence: { deadCount: 5 },
    source: { file: FILE, line: 19, column: 21 },
  };
  // The file is not parsed when the findings arrive (not open): its first parse finds the layer.
  d.setFindings([finding], () => null);
  assert.deepEqual(
    (recorded.diagnostics.get(FILE) ?? []).map((x) => x.range.start.line + 1),
    [19],
  );
  d.onParsed(FILE, parseModelSource(FILE, TEXT));
  assert.deepEqual(
    (recorded.diagnostics.get(FILE) ?? []).map((x) => x.range.start.line + 1),
    [19],
  );
  // Open when they arrive: found at once.
  d.setFindings([finding], () => parseModelSource(FILE, TEXT));
  const moved = `# a comment\n${TEXT}`;
  d.onParsed(FILE, parseModelSource(FILE, moved));
  assert.deepEqual(
    (recorded.diagnostics.get(FILE) ?? []).map((x) => x.range.start.line + 1),
    [20],
    'moves with its layer',
  );
  const fixed = moved.replace(
    'self.relu = nn.ReLU(inplace=True)',
    'self.relu = nn.ELU(alpha=1.0, inplace=True)',
  );
  assert.notEqual(fixed, moved);
  d.onParsed(FILE, parseModelSource(FILE, fixed));
  assert.deepEqual(recorded.diagnostics.get(FILE), [], 'no longer a ReLU: the finding no longer applies');
});
