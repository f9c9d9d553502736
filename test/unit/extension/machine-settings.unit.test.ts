// nodePath and tfjsNodePath name code that will run: machine-scoped in package.json (no
// repository's .vscode/settings.json applies), and read from the user's settings only in code.
import { reset, recorded } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MACHINE_SETTINGS, MachineSettings } from '../../../extension/machine-settings';
import { activate } from '../../../extension/extension';
import pkg from '../../../package.json';
import { Uri, workspace } from './fake-vscode';

beforeEach(reset);

const config = () => workspace.getConfiguration() as unknown as vscode.WorkspaceConfiguration;

test('package.json: both settings are machine-scoped and stay restricted in untrusted workspaces', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
  for (const key of MACHINE_SETTINGS) assert.equal(props[`activationLens.${key}`]?.scope, 'machine', key);
  for (const key of MACHINE_SETTINGS)
    assert.ok(
      pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`activationLens.${key}`),
    );
});

test('a workspace value is ignored (the user value is used) and logged once per setting', () => {
  const warnings: string[] = [];
  const settings = new MachineSettings((m) => warnings.push(m));
  recorded.configuration = { nodePath: '/usr/bin/node' };
  recorded.workspaceConfiguration = { nodePath: './evil/node', tfjsNodePath: './evil-addon' };
  assert.equal(
    config().get('nodePath'),
    './evil/node',
    'the fake merges like VS Code would without the scope',
  );
  assert.equal(settings.read(config(), 'nodePath'), '/usr/bin/node');
  assert.equal(settings.read(config(), 'nodePath'), '/usr/bin/node');
  assert.equal(settings.read(config(), 'tfjsNodePath'), '');
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(
    warnings[0] ?? '',
    /ignored activationLens\.nodePath from this workspace's settings: it names a program that would run/,
  );
  recorded.workspaceConfiguration = {};
  recorded.configuration = {};
  assert.equal(settings.read(config(), 'nodePath'), '');
});

test('the engine is forked with the user’s nodePath, never the workspace’s', async () => {
  const root = mkdtempSync(join(tmpdir(), 'al-machine-'));
  mkdirSync(join(root, 'dist'));
  const seen = join(root, 'exec.json');
  writeFileSync(
    join(root, 'dist', 'engine.js'),
    `require('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ exec: process.execPath, electron: process.env.ELECTRON_RUN_AS_NODE ?? null, tfjs: process.env.ACTIVATION_LENS_TFJS_NODE_PATH ?? null }));
     process.on('message', (m) => process.send({ v: 1, runId: m.runId, type: 'error', message: 'stop here', file: null, line: null }, () => process.exit(0)));`,
  );
  recorded.configuration = { nodePath: process.execPath };
  recorded.workspaceConfiguration = { nodePath: join(root, 'not-a-node'), tfjsNodePath: join(root, 'addon') };
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath: root,
    extensionUri: Uri.file(root),
    globalStorageUri: Uri.file(join(root, 'global')),
    extension: { packageJSON: { version: '9.9.9' } },
  };
  activate(context as unknown as vscode.ExtensionContext);
  try {
    await recorded.registeredCommands.get('activationLens.analyze')?.();
    const used = JSON.parse(readFileSync(seen, 'utf8')) as {
      exec: string;
      electron: string | null;
      tfjs: string | null;
    };
    // A nodePath was applied (VS Code's own runtime would need ELECTRON_RUN_AS_NODE), and it was
    // the user's: the workspace's names no program at all.
    assert.equal(used.exec, process.execPath);
    assert.equal(used.electron, null);
    assert.equal(used.tfjs, null, 'the workspace tfjsNodePath never reached the engine');
    assert.equal(recorded.log.filter((l) => /^warn ignored activationLens\./.test(l)).length, 2);
  } finally {
    for (const s of context.subscriptions) s.dispose();
  }
});
