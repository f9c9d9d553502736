// The window's live listener: integrated terminals get its address through the extension's
// EnvironmentVariableCollection, the per-user endpoint file names it (0600) while it listens and is
// gone after; and "Run Training with Live Taps" end to end on the fake VS Code — interpreter from
// activationLens.pythonPath (no Python extension here), the real taps in the test Python, the
// script's output in its terminal, the findings in the Problems panel on the defining line.
import { reset, recorded, Uri, workspace, FakeEnvironmentVariableCollection } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as vscode from 'vscode';
import { LiveHost } from '../../../extension/live-host';
import { activate } from '../../../extension/extension';
import { defaultLiveSettings } from '../../../src/live/live-run';
import { missingPythonModules, testPython } from '../../support/python-env';
import { fixtures, pythonDir } from '../live/live-python';

beforeEach(reset);

function host(endpointFile: string, collection = new FakeEnvironmentVariableCollection()) {
  const logs: string[] = [];
  const h = new LiveHost({
    handler: { onEvent: () => undefined, onEnd: () => undefined },
    admit: () => null,
    settings: defaultLiveSettings,
    log: (level, m) => logs.push(`${level} ${m}`),
    terminalEnvironment: collection as unknown as vscode.EnvironmentVariableCollection,
    pythonDir,
    endpointFile,
  });
  return { h, collection, logs };
}

test('while it listens: terminals get the address, token and package; the endpoint file is 0600', async () => {
  const folder = join(mkdtempSync(join(tmpdir(), 'al-host-')), '.activation-lens');
  const file = join(folder, 'endpoint.json');
  const { h, collection } = host(file);
  const listener = await h.ready;
  assert.ok(listener);
  const env = await h.environment();
  assert.match(env.ACTIVATION_LENS_ADDRESS!, /^127\.0\.0\.1:\d+$/);
  assert.deepEqual(
    [...collection.values.entries()],
    [
      ['ACTIVATION_LENS_ADDRESS', { kind: 'replace', value: env.ACTIVATION_LENS_ADDRESS }],
      ['ACTIVATION_LENS_TOKEN', { kind: 'replace', value: env.ACTIVATION_LENS_TOKEN }],
      [
        'PYTHONPATH',
        {
          kind: 'replace',
          value: process.env.PYTHONPATH ? `${pythonDir}${delimiter}${process.env.PYTHONPATH}` : pythonDir,
        },
      ],
    ],
  );
  assert.equal(collection.persistent, false, 'a new port and token every session');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
    address: env.ACTIVATION_LENS_ADDRESS,
    token: env.ACTIVATION_LENS_TOKEN,
    pid: process.pid,
  });
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(folder).mode & 0o777, 0o700);
  h.dispose();
  assert.equal(existsSync(file), false, 'removed on the way out');
  assert.equal(collection.values.size, 0);
});

test('the endpoint file of a newer window is left alone; a link in its place is never written through', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'al-host-'));
  const file = join(folder, 'endpoint.json');
  const { h } = host(file);
  await h.ready;
  writeFileSync(file, JSON.stringify({ address: '127.0.0.1:1', token: 'x', pid: 1 }), { mode: 0o600 });
  h.dispose();
  assert.ok(existsSync(file), "another window's file stays");

  const target = join(folder, 'elsewhere.txt');
  writeFileSync(target, 'precious');
  const linked = join(folder, 'linked.json');
  symlinkSync(target, `${linked}.${process.pid}.tmp`);
  const second = host(linked);
  await second.h.ready;
  assert.equal(readFileSync(target, 'utf8'), 'precious');
  assert.ok(
    second.logs.some((l) => /not written/.test(l)),
    second.logs.join('\n'),
  );
  second.h.dispose();
});

const noTorch = missingPythonModules(['torch']);

test(
  'Run Training with Live Taps: the script runs in its terminal, findings land on its lines',
  { skip: noTorch ?? false, timeout: 300_000 },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'al-runlive-'));
    // The extension folder: dist/ beside the repository's python/ package, as in the .vsix.
    mkdirSync(join(root, 'ext', 'dist'), { recursive: true });
    symlinkSync(pythonDir, join(root, 'ext', 'python'));
    const script = join(root, 'train.py');
    copyFileSync(join(fixtures, 'torch_dead_mlp.py'), script);
    const collection = new FakeEnvironmentVariableCollection();
    const context = {
      subscriptions: [] as { dispose(): unknown }[],
      extensionPath: join(root, 'ext'),
      extensionUri: Uri.file(join(root, 'ext')),
      globalStorageUri: Uri.file(join(root, 'global')),
      extension: { packageJSON: { version: '9.9.9' } },
      environmentVariableCollection: collection,
    };
    workspace.isTrusted = true;
    recorded.configuration = { pythonPath: testPython(), probeEvery: 5 };
    // The taps write their own report too: here, not in the home folder.
    process.env.ACTIVATION_LENS_JSON = join(root, 'taps-report.json');
    activate(context as unknown as vscode.ExtensionContext);
    try {
      await recorded.registeredCommands.get('activationLens.runLive')?.(Uri.file(script));
      assert.match(recorded.statusBarText, /torch · finished/, recorded.log.join('\n'));
      const terminal = recorded.terminals[0]!;
      assert.equal(terminal.name, 'Activation Lens: train.py');
      assert.match(terminal.output, /trained 40 steps\r\n/);
      assert.match(terminal.output, /\[train\.py exited with code 0\]/);
      const diagnostics = recorded.diagnostics.get(script) ?? [];
      assert.deepEqual(
        diagnostics.map((d) => [
          d.range.start.line + 1,
          typeof d.code === 'object' ? (d.code as { value: unknown }).value : d.code,
        ]),
        [[19, 'dead-units']],
        'relu2 (self.relu2 = nn.ReLU(), line 19) is dead',
      );
      assert.match(diagnostics[0]!.message, /relu2: 32 of 32 units \(100%\) are dead/);
      assert.ok(recorded.log.some((l) => /live taps: .* Python \d+\.\d+\.\d+, PyTorch /.test(l)));
      assert.ok(existsSync(join(root, 'taps-report.json')), 'the taps wrote their own report as well');
    } finally {
      delete process.env.ACTIVATION_LENS_JSON;
      for (const s of context.subscriptions) s.dispose();
    }
  },
);
