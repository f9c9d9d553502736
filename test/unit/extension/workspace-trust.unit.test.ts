// Commands reachable through executeCommand check workspace trust in code: in Restricted Mode they
// do nothing (no engine process, no edit, no npm, no file written) and say why, with a way to
// manage trust. `enablement` in package.json alone would not stop executeCommand.
import { reset, recorded, workspace, fakeDocument, Uri } from './fake-vscode';
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { activate } from '../../../extension/extension';
import { answerWebview } from '../../../extension/commands/webview-requests';
import pkg from '../../../package.json';

const MODEL = `from keras import layers, Sequential\nmodel = Sequential([\n    layers.Dense(8, activation='relu', input_shape=(4,)),\n    layers.Dense(1),\n])\n`;

/** An extension folder whose engine leaves a marker file if it is ever started. */
function extensionRoot() {
  const root = mkdtempSync(join(tmpdir(), 'al-trust-'));
  mkdirSync(join(root, 'dist'));
  const marker = join(root, 'engine-started');
  writeFileSync(
    join(root, 'dist', 'engine.js'),
    `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'started'); process.exit(0);`,
  );
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath: root,
    extensionUri: Uri.file(root),
    globalStorageUri: Uri.file(join(root, 'global storage')),
    extension: { packageJSON: { version: '9.9.9' } },
  };
  return { root, marker, context };
}

let disposeAll: () => void = () => undefined;

beforeEach(() => {
  reset();
  workspace.isTrusted = false;
});
afterEach(() => disposeAll());

function start() {
  const ext = extensionRoot();
  activate(ext.context as unknown as vscode.ExtensionContext);
  disposeAll = () => {
    for (const s of ext.context.subscriptions) s.dispose();
  };
  const run = (id: string, ...args: unknown[]) =>
    recorded.registeredCommands.get(`activationLens.${id}`)?.(...args);
  return { ...ext, run };
}

function lastWarning(): { text: string; items: string[] } {
  const m = recorded.messages.filter((x) => x.level === 'warning').at(-1);
  assert.ok(m, 'a warning was shown');
  return m;
}

test('the commands package.json enables only when trusted are the ones these tests drive untrusted', () => {
  const gated = (pkg.contributes.commands as { command: string; enablement?: string }[])
    .filter((c) => c.enablement?.includes('isWorkspaceTrusted'))
    .map((c) => c.command)
    .sort();
  assert.deepEqual(gated, [
    'activationLens.analyze',
    'activationLens.applyEluFix',
    'activationLens.installCpuBackend',
    'activationLens.installGpuBackend',
    'activationLens.runLive',
    'activationLens.runWhatIf',
  ]);
});

test('untrusted: Run Training with Live Taps runs no interpreter and says why', async () => {
  const { run, root } = start();
  const script = join(root, 'train.py');
  writeFileSync(script, 'raise SystemExit(3)\n');
  const marker = join(root, 'python-ran');
  // A "Python" that would leave a marker: it must never be started.
  const python = join(root, 'python');
  writeFileSync(python, `#!/bin/sh\ntouch ${JSON.stringify(marker)}\n`, { mode: 0o755 });
  recorded.configuration = { pythonPath: python };
  await run('runLive', Uri.file(script));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(existsSync(marker), false);
  assert.equal(recorded.terminals.length, 0);
  assert.match(
    lastWarning().text,
    /running a training script with live taps runs only in a trusted workspace/,
  );
});

test('untrusted: analyze and the what-if start no engine and say why, with Manage Workspace Trust', async () => {
  const { run, marker, root } = start();
  const model = join(root, 'model.py');
  writeFileSync(model, MODEL);
  await run('analyze', Uri.file(model));
  await run('runWhatIf', ['dense']);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(existsSync(marker), false, 'the engine process never ran');
  assert.match(lastWarning().text, /the ELU what-if runs only in a trusted workspace/);
  assert.deepEqual(lastWarning().items, ['Manage Workspace Trust']);
  assert.match(
    recorded.messages.at(-2)?.text ?? '',
    /analysis runs only in a trusted workspace, because it trains the model/,
  );
});

test('untrusted: the ELU fix from a command and from a dashboard button edits nothing', async () => {
  const { run, root } = start();
  const file = join(root, 'model.py');
  const doc = fakeDocument(file, MODEL);
  recorded.documents.push(doc);
  recorded.messageAnswer = 'Manage Workspace Trust';
  assert.equal(await run('applyEluFix', doc.uri, 'dense'), null);
  answerWebview({ run: { state: { started: null } } } as unknown as Parameters<typeof answerWebview>[0], {
    v: 1,
    type: 'apply-fix',
    layer: 'dense',
  });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(recorded.appliedEdits.length, 0);
  assert.equal(
    recorded.messages.filter((m) => /switching a layer to ELU runs only in a trusted/.test(m.text)).length,
    2,
  );
  assert.ok(
    recorded.commands.some((c) => c.command === 'workbench.trust.manage'),
    'the action opens the trust editor',
  );
});

test('untrusted: the backend installers run no npm (their install folder is never even created)', async () => {
  const { run, context } = start();
  assert.equal(await run('installCpuBackend'), false);
  assert.equal(await run('installGpuBackend'), false);
  assert.equal(existsSync(context.globalStorageUri.fsPath), false);
  assert.match(lastWarning().text, /installing the TensorFlow GPU backend runs only in a trusted workspace/);
});

test('untrusted: export to a path given by the caller writes nothing; trusted, the same call writes', async () => {
  const { run, root } = start();
  const target = join(root, 'r.json');
  assert.equal(await run('exportReport', 'json', target), null);
  assert.equal(recorded.writtenFiles.size, 0);
  assert.match(lastWarning().text, /exporting to a given path runs only in a trusted workspace/);
  workspace.isTrusted = true;
  // Trusted, it goes on to the export itself (which here has nothing to export yet).
  await run('exportReport', 'json', target);
  assert.match(recorded.messages.at(-1)?.text ?? '', /nothing to export yet/);
});
