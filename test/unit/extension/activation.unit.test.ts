// activate() against the fake vscode: everything the manifest promises is registered, everything
// registered is disposed, and one analysis with a scripted engine reaches the status bar, the
// Problems panel and the ACTIVATION_LENS_TEST_OUT log.
import { reset, recorded, Uri, fakeDocument } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { activate } from '../../../extension/extension';
import pkg from '../../../package.json';
import { emptyReport } from './fixtures';

/** The scripted engines send a complete report: the host checks every field of what arrives. */
const REPORT = JSON.stringify(emptyReport());

function context(extensionPath: string) {
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalStorageUri: Uri.file(join(extensionPath, 'global')),
    extension: { packageJSON: { version: '9.9.9' } },
  };
}

beforeEach(reset);

test('activate registers every contributed command and view, and disposing removes them all', () => {
  const ctx = context(mkdtempSync(join(tmpdir(), 'al-ext-')));
  activate(ctx as unknown as vscode.ExtensionContext);
  const contributed = (pkg.contributes.commands as { command: string }[]).map((c) => c.command).sort();
  assert.deepEqual([...recorded.registeredCommands.keys()].sort(), contributed);
  assert.ok(recorded.registrations.includes('webview:activationLens.dashboard'));
  assert.ok(recorded.registrations.includes('codelens') && recorded.registrations.includes('codeactions'));
  assert.ok(
    recorded.registrations.includes('tree:activationLens.welcome'),
    'viewsWelcome renders only in a tree view',
  );
  assert.deepEqual(
    pkg.contributes.views.activationLens.map((v) => v.id),
    ['activationLens.welcome', 'activationLens.dashboard', 'activationLens.runs'],
  );
  assert.ok(recorded.registrations.includes('treeview:activationLens.runs'));
  assert.ok(recorded.registrations.includes('serializer:activationLens.dashboardPanel'));
  assert.ok(
    pkg.activationEvents.includes('onWebviewPanel:activationLens.dashboardPanel'),
    'a tab left open activates the extension after a reload, so the serializer can restore it',
  );
  assert.equal(pkg.contributes.viewsWelcome[0]?.view, 'activationLens.welcome');
  assert.match(
    pkg.contributes.viewsWelcome[0]?.contents ?? '',
    /\[Analyze Activations\]\(command:activationLens\.analyze\)/,
  );
  assert.ok(!pkg.activationEvents.includes('*'));
  for (const s of ctx.subscriptions) s.dispose();
  assert.deepEqual(recorded.registrations, []);
});

test('analyze: engine events reach the status bar, the Problems panel and the test log', async () => {
  const root = mkdtempSync(join(tmpdir(), 'al-ext-'));
  mkdirSync(join(root, 'dist'));
  const model = join(root, 'model.py');
  const text = `from keras import layers, Sequential\nmodel = Sequential([\n    layers.Dense(64, activation='relu', input_shape=(10,)),\n    layers.Dense(1),\n])\n`;
  writeFileSync(model, text);
  writeFileSync(
    join(root, 'dist', 'engine.js'),
    `process.on('message', (m) => {
      if (m.type !== 'start') return;
      const b = { v: 1, runId: m.runId };
      process.send({ ...b, type: 'run-started', backend: 'wasm', backendDetail: 'wasm SIMD', model: { name: 'm', origin: 'keras-py', file: m.config.file, layers: [] }, probeSize: 256, totalSteps: 10, definitions: {} });
      process.send({ ...b, type: 'findings', findings: [{ kind: 'dead-units', layer: 'dense', severity: 'warning', message: 'dense: 41% dead', evidence: { dead: 26 }, source: { file: m.config.file, line: 3, column: 5 } }] });
      const report = ${REPORT};
      process.send({ ...b, type: 'run-finished', report: { ...report, cancelled: false, findings: [{ kind: 'dead-units', layer: 'dense', severity: 'warning', message: 'dense: 41% dead', evidence: { dead: 26 }, source: { file: m.config.file, line: 3, column: 5 } }], training: { ...report.training, samplesPerSecond: 100 } } });
    });
    process.on('disconnect', () => process.exit(0));`,
  );
  const out = join(root, 'seen.jsonl');
  process.env.ACTIVATION_LENS_TEST_OUT = out;
  try {
    recorded.documents.push(fakeDocument(model, text));
    const ctx = context(root);
    activate(ctx as unknown as vscode.ExtensionContext);
    await recorded.registeredCommands.get('activationLens.analyze')?.(Uri.file(model));
    assert.match(recorded.statusBarText, /wasm · finished/);
    assert.ok(
      recorded.commands.some(
        (c) => c.command === 'setContext' && c.args[0] === 'activationLens.hasRun' && c.args[1] === true,
      ),
    );
    assert.deepEqual(
      (recorded.diagnostics.get(model) ?? []).map((d) => [
        d.range.start.line,
        (d.code as { value: string }).value,
        String((d.code as { target: unknown }).target),
      ]),
      [[2, 'dead-units', `command:activationLens.openDashboard?${encodeURIComponent('["dense"]')}`]],
    );
    const seen = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; type?: string });
    assert.equal(seen[0]?.kind, 'activated');
    assert.deepEqual(
      seen.filter((s) => s.kind === 'event').map((s) => s.type),
      ['run-started', 'findings', 'run-finished'],
    );
    assert.ok(seen.some((s) => s.kind === 'diagnostics'));
    assert.ok(seen.some((s) => s.kind === 'engine-exit'));
    for (const s of ctx.subscriptions) s.dispose();
  } finally {
    delete process.env.ACTIVATION_LENS_TEST_OUT;
  }
});

test('an engine crash: failed status, an error with Show Log / Retry, the data so far kept', async () => {
  const root = mkdtempSync(join(tmpdir(), 'al-ext-'));
  mkdirSync(join(root, 'dist'));
  writeFileSync(
    join(root, 'dist', 'engine.js'),
    `process.on('message', (m) => {
      process.send({ v: 1, runId: m.runId, type: 'run-started', backend: 'cpu', backendDetail: 'cpu', model: { name: 'm', origin: 'example', file: null, layers: [] }, probeSize: 8, totalSteps: 10, definitions: {} }, () => { console.error('Segmentation fault in kernel'); process.exit(139); });
    });`,
  );
  const ctx = context(root);
  activate(ctx as unknown as vscode.ExtensionContext);
  await recorded.registeredCommands.get('activationLens.analyze')?.();
  const error = recorded.messages.find((m) => m.level === 'error');
  assert.match(
    error?.text ?? '',
    /the engine process exited with code 139 before finishing\. Last output: Segmentation fault in kernel/,
  );
  assert.match(recorded.statusBarText, /cpu · failed/);
  // Export works on what the run left: the SARIF of no findings is refused with a clear message.
  const target = join(root, 'out.sarif');
  assert.equal(await recorded.registeredCommands.get('activationLens.exportReport')?.('sarif', target), null);
  assert.match(recorded.messages.at(-1)?.text ?? '', /nothing to export yet/);
  for (const s of ctx.subscriptions) s.dispose();
});

test('export: the report as JSON and the findings as SARIF to a given path', async () => {
  const root = mkdtempSync(join(tmpdir(), 'al-ext-'));
  mkdirSync(join(root, 'dist'));
  writeFileSync(
    join(root, 'dist', 'engine.js'),
    `process.on('message', (m) => {
      const f = { kind: 'dead-units', layer: 'dense', severity: 'warning', message: 'dense: 41% dead', evidence: { dead: 105 }, source: null };
      const report = ${REPORT};
      process.send({ v: 1, runId: m.runId, type: 'run-finished', report: { ...report, schema: 'activation-lens/report@1', cancelled: false, findings: [f], training: { ...report.training, samplesPerSecond: 1 } } }, () => process.exit(0));
    });`,
  );
  const ctx = context(root);
  activate(ctx as unknown as vscode.ExtensionContext);
  await recorded.registeredCommands.get('activationLens.analyze')?.();
  await recorded.registeredCommands.get('activationLens.exportReport')?.('json', join(root, 'r.json'));
  await recorded.registeredCommands.get('activationLens.exportReport')?.('sarif', join(root, 'r.sarif'));
  assert.equal(
    JSON.parse(recorded.writtenFiles.get(join(root, 'r.json')) ?? '{}').schema,
    'activation-lens/report@1',
  );
  const sarif = JSON.parse(recorded.writtenFiles.get(join(root, 'r.sarif')) ?? '{}');
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0].results[0].ruleId, 'dead-units');
  assert.equal(sarif.runs[0].tool.driver.version, '9.9.9');
  for (const s of ctx.subscriptions) s.dispose();
});
