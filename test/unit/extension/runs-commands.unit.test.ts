// Runs are kept, end to end against the fake vscode and a scripted engine process: each finished
// run lands in the workspace's storage (never the folder), the Runs view lists it, Open shows it
// in the editor tab, "Compare with previous" draws the run before as ghost lines, Delete asks
// first, the cap from the settings applies, a lens or a Problems entry opens its layer, and the
// HTML export writes one page.
import { reset, recorded, Uri, fakeDocument, CodeActionKind, type FakeWebviewPanel } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { activate } from '../../../extension/extension';
import type { HostMessage, SavedRunSummary } from '../../../src/protocol';
import { finishedState } from '../runs/finished-run';

const ROOT = join(__dirname, '..', '..', '..');

beforeEach(reset);

/** An engine that replays a finished run of the example (its dead share given), then exits. */
function scriptedEngine(root: string, deadAtEnd: number): void {
  const state = finishedState({ runId: 'x', deadAtEnd, file: join(root, 'model.py') });
  const events = [state.started, ...state.probes, { type: 'run-finished', report: state.report }];
  writeFileSync(
    join(root, 'dist', 'engine.js'),
    `const events = ${JSON.stringify(events)};
    process.on('message', (m) => {
      if (m.type !== 'start') return;
      for (const e of events) process.send({ ...e, v: 1, runId: m.runId });
      process.send({ v: 1, runId: m.runId, type: 'log', level: 'info', message: 'done' }, () => process.exit(0));
    });`,
  );
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'al-runs-ext-'));
  mkdirSync(join(root, 'dist'));
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath: root,
    extensionUri: Uri.file(root),
    storageUri: Uri.file(join(root, 'workspace-storage')),
    globalStorageUri: Uri.file(join(root, 'global')),
    extension: { packageJSON: { version: '9.9.9' } },
  };
  activate(context as unknown as vscode.ExtensionContext);
  const run = (name: string, ...args: unknown[]) =>
    recorded.registeredCommands.get(`activationLens.${name}`)!(...args);
  const tree = recorded.treeViews.get('activationLens.runs')!
    .treeDataProvider as vscode.TreeDataProvider<SavedRunSummary>;
  return { root, context, run, tree, dispose: () => context.subscriptions.forEach((s) => s.dispose()) };
}

/** Waits for the history's save queue (a record runs after the run's last event). */
const settle = () => new Promise((r) => setTimeout(r, 50));
const messages = (p: FakeWebviewPanel) => p.webview.posted as HostMessage[];

test('finished runs are saved in the workspace storage, listed newest first, opened in the editor tab', async () => {
  const { root, run, tree, dispose } = setup();
  try {
    scriptedEngine(root, 0.41);
    await run('analyze');
    await settle();
    scriptedEngine(root, 0.05);
    await run('analyze');
    await settle();
    const runsDir = join(root, 'workspace-storage', 'runs');
    assert.equal(readdirSync(runsDir).filter((n) => n.endsWith('.run.json')).length, 2);
    assert.ok(!existsSync(join(root, 'global', 'runs')), 'the workspace storage, not the global one');
    const runs = (await tree.getChildren()) ?? [];
    assert.deepEqual(
      runs.map((r) => r.headline),
      ['dense 5% dead', 'dense 41% dead'],
    );
    const item = tree.getTreeItem(runs[1]!) as vscode.TreeItem;
    assert.match(String(item.label), /^model\.py · /);
    assert.match(String(item.description), /^dense 41% dead · wasm · 40 steps$/);
    assert.deepEqual(item.command?.arguments, [runs[1]]);

    assert.equal(await run('openRun', runs[1]), true);
    const panel = recorded.panels[0]!;
    panel.webview.send({ v: 1, type: 'ready' });
    const state = messages(panel).find((m) => m.type === 'state');
    assert.ok(state?.type === 'state' && state.state.report?.layers[1]?.dead.count === 26);
    const view = messages(panel).find((m) => m.type === 'run-view');
    assert.ok(view?.type === 'run-view' && view.view.saved?.startsWith('model.py · '));
    assert.match(String((tree.getTreeItem(runs[1]!) as vscode.TreeItem).description), / · shown$/);
    // An id from outside the view that is not a saved-run id is refused before any file access.
    assert.equal(await run('openRun', '../../etc/passwd'), false);
  } finally {
    dispose();
  }
});

test('compare with the previous run of this model: the run before is drawn as ghost lines', async () => {
  const { root, run, tree, dispose } = setup();
  try {
    assert.equal(await run('compareWithPrevious'), false);
    assert.match(recorded.messages.at(-1)?.text ?? '', /no run to compare yet/);
    scriptedEngine(root, 0.41);
    await run('analyze');
    await settle();
    assert.equal(await run('compareWithPrevious'), false, 'one run: nothing before it');
    assert.match(recorded.messages.at(-1)?.text ?? '', /no earlier saved run of mnist_cnn/);
    scriptedEngine(root, 0.05);
    await run('analyze');
    await settle();
    assert.equal(await run('compareWithPrevious'), true);
    const panel = recorded.panels[0]!;
    panel.webview.send({ v: 1, type: 'ready' });
    const view = messages(panel)
      .filter((m) => m.type === 'run-view')
      .at(-1);
    assert.ok(view?.type === 'run-view');
    assert.equal(view.view.saved, null, 'the current run stays the subject');
    assert.match(view.view.comparison?.label ?? '', /^previous run of model\.py · /);
    const dense = view.view.comparison?.layers.find((l) => l.name === 'dense');
    assert.equal(dense?.deadFraction.at(-1)?.fraction, 26 / 64, 'the 41% run is the ghost');
    const [, older] = (await tree.getChildren()) ?? [];
    assert.match(String((tree.getTreeItem(older!) as vscode.TreeItem).description), / · ghost lines$/);
    await run('clearComparison');
    const cleared = messages(panel).at(-1);
    assert.ok(cleared?.type === 'run-view' && cleared.view.comparison === null);
  } finally {
    dispose();
  }
});

test('two runs selected: the newer is shown, the older drawn behind it', async () => {
  const { root, run, tree, dispose } = setup();
  try {
    for (const dead of [0.41, 0.05]) {
      scriptedEngine(root, dead);
      await run('analyze');
      await settle();
    }
    const runs = (await tree.getChildren()) ?? [];
    assert.equal(await run('compareRuns', runs[1], [runs[1], runs[0]]), true);
    const panel = recorded.panels[0]!;
    panel.webview.send({ v: 1, type: 'ready' });
    const state = messages(panel).find((m) => m.type === 'state');
    assert.ok(state?.type === 'state' && state.state.report?.layers[1]?.dead.count === 3);
    const view = messages(panel).find((m) => m.type === 'run-view');
    assert.ok(
      view?.type === 'run-view' && view.view.comparison?.layers[1]?.deadFraction.at(-1)?.fraction === 26 / 64,
    );
  } finally {
    dispose();
  }
});

test('delete asks first; the cap from the settings drops the oldest', async () => {
  const { root, run, tree, dispose } = setup();
  try {
    for (const dead of [0.41, 0.2, 0.05]) {
      scriptedEngine(root, dead);
      await run('analyze');
      await settle();
    }
    let runs = (await tree.getChildren()) ?? [];
    assert.equal(runs.length, 3);
    recorded.messageAnswer = undefined; // dismissed
    assert.equal(await run('deleteRun', runs[2]), false);
    assert.equal(((await tree.getChildren()) ?? []).length, 3);
    const ask = recorded.messages.at(-1);
    assert.match(ask?.text ?? '', /^Delete the saved run model\.py · /);
    assert.deepEqual(ask?.items, ['Delete']);
    recorded.messageAnswer = 'Delete';
    assert.equal(await run('deleteRun', runs[2]), true);
    runs = (await tree.getChildren()) ?? [];
    assert.deepEqual(
      runs.map((r) => r.headline),
      ['dense 5% dead', 'dense 20% dead'],
    );
    recorded.configuration['runs.maxRuns'] = 1;
    scriptedEngine(root, 0.3);
    await run('analyze');
    await settle();
    assert.deepEqual(
      ((await tree.getChildren()) ?? []).map((r) => r.headline),
      ['dense 30% dead'],
    );
  } finally {
    dispose();
  }
});

test('a lens or a Problems entry opens the layer in the editor tab; the code action says so', async () => {
  const { root, run, dispose } = setup();
  try {
    const model = join(root, 'model.py');
    const text = `from keras import layers, Sequential\nmodel = Sequential([\n    layers.Dense(64, activation='relu', input_shape=(10,)),\n])\n`;
    writeFileSync(model, text);
    const doc = fakeDocument(model, text);
    recorded.documents.push(doc);
    await run('openDashboard', 'dense');
    const panel = recorded.panels[0]!;
    panel.webview.send({ v: 1, type: 'ready' });
    assert.deepEqual(messages(panel).at(-1), { v: 1, type: 'focus-layer', layer: 'dense' });
    await run('openDashboard', '<img src=x>');
    assert.equal(recorded.panels.length, 1, 'a string that is not a layer name only reveals the dashboard');
    // The code action on a line with our diagnostic (the fake passes the diagnostics through).
    writeFileSync(
      join(root, 'dist', 'engine.js'),
      `process.on('message', (m) => {
      const f = { kind: 'dead-units', layer: 'dense', severity: 'warning', message: 'dense: dead', evidence: {}, source: { file: ${JSON.stringify(model)}, line: 3, column: 5 } };
      process.send({ v: 1, runId: m.runId, type: 'findings', findings: [f] }, () => process.exit(0));
    });`,
    );
    await run('analyze', Uri.file(model));
    const diagnostics = recorded.diagnostics.get(model) ?? [];
    assert.equal(diagnostics.length, 1);
    const { ShowLayerActionProvider } = await import('../../../extension/show-layer-actions');
    const { FindingDiagnostics } = await import('../../../extension/finding-diagnostics');
    const tracked = new FindingDiagnostics({
      set() {},
      clear() {},
      dispose() {},
    } as unknown as vscode.DiagnosticCollection);
    tracked.setFindings(
      [
        {
          kind: 'dead-units',
          layer: 'dense',
          severity: 'warning',
          message: 'dense: dead',
          evidence: {},
          source: { file: model, line: 3, column: 5 },
        },
      ],
      () => null,
    );
    const actions = new ShowLayerActionProvider(tracked).provideCodeActions(
      doc as unknown as vscode.TextDocument,
      diagnostics[0]!.range as unknown as vscode.Range,
      { diagnostics: diagnostics as unknown as vscode.Diagnostic[] } as unknown as vscode.CodeActionContext,
    );
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind, a.command?.command, a.command?.arguments]),
      [['Show dense in the dashboard', CodeActionKind.QuickFix, 'activationLens.openDashboard', ['dense']]],
    );
  } finally {
    dispose();
  }
});

test('Export Report → HTML writes one page of what the dashboard shows', async () => {
  const { root, run, dispose } = setup();
  try {
    // The built bundle stands in for the extension's dist/ and media/.
    for (const f of ['dist/webview.js', 'dist/uPlot.min.css', 'dist/codicon.css', 'dist/codicon.ttf'])
      writeFileSync(join(root, f), readFileSync(join(ROOT, f)));
    mkdirSync(join(root, 'media'));
    for (const f of ['media/dashboard.css', 'media/standalone.css'])
      writeFileSync(join(root, f), readFileSync(join(ROOT, f)));
    scriptedEngine(root, 0.41);
    await run('analyze');
    const target = join(root, 'out.html');
    await run('exportReport', 'html', target);
    const html = recorded.writtenFiles.get(target) ?? '';
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /default-src 'none'/);
    assert.ok(html.includes('"layer":"dense"'), 'the run is in the page');
  } finally {
    dispose();
  }
});
