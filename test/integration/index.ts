/**
 * In-host integration tests: the extensionTestsPath module VS Code loads into the extension host
 * (test/e2e/in-host.ts starts it). Plain node:assert, no mocha: each test writes one JSON line to
 * $E2E_INTEGRATION_OUT ({ name, status, ms, error }) and run() rejects if any failed, which the
 * workbench turns into a non-zero codeAutomationExit.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { EXAMPLE_SCRIPT, RELU_LAYERS, SOFTMAX_LINE } from '../e2e/example-model';

const EXTENSION_ID = 'activation-lens.activation-lens';
const COMMANDS = [
  'activationLens.analyze',
  'activationLens.stop',
  'activationLens.runWhatIf',
  'activationLens.openDashboard',
  'activationLens.exportReport',
  'activationLens.applyEluFix',
  'activationLens.goToLayer',
  'activationLens.openDashboardInEditor',
  'activationLens.openRun',
  'activationLens.compareRuns',
  'activationLens.compareWithPrevious',
  'activationLens.clearComparison',
  'activationLens.deleteRun',
  'activationLens.openExample',
];
/** A 40-step run takes ~30 s on wasm here; leave room for a loaded machine. */
const RUN_TIMEOUT_MS = 150_000;

interface TestCase {
  name: string;
  timeoutMs: number;
  run: () => Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function exampleUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, EXAMPLE_SCRIPT);
}

async function openExample(): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(exampleUri());
  return vscode.window.showTextDocument(document);
}

/** The engine events the host logged (ACTIVATION_LENS_TEST_OUT, extension/test-log.ts). */
function loggedEvents(): { kind: string; type?: string; code?: number | null }[] {
  const path = process.env.ACTIVATION_LENS_TEST_OUT;
  if (!path || !existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { kind: string; type?: string }];
      } catch {
        return [];
      }
    });
}

function lineOf(range: vscode.Range): number {
  return range.start.line + 1;
}

async function eluFixActions(uri: vscode.Uri, line: number): Promise<vscode.CodeAction[]> {
  const range = new vscode.Range(line - 1, 0, line - 1, 0);
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      uri,
      range,
    )) ?? [];
  return actions
    .filter((a): a is vscode.CodeAction => 'kind' in a || 'edit' in a)
    .filter((a) => /ELU/.test(a.title));
}

async function revertExample(): Promise<void> {
  await openExample();
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

const tests: TestCase[] = [
  {
    name: 'opening a Python file activates the extension',
    timeoutMs: 30_000,
    run: async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is loaded`);
      await openExample();
      await waitFor('activation', () => (extension.isActive ? true : undefined), 20_000);
      // isActive is also true for an extension whose activate() never ran (no main): ask the extension.
      await waitFor(
        'the extension to log its activation',
        () => (loggedEvents().some((e) => e.kind === 'activated') ? true : undefined),
        5_000,
      );
    },
  },
  {
    name: 'every Activation Lens command is registered',
    timeoutMs: 10_000,
    run: async () => {
      const all = new Set(await vscode.commands.getCommands(true));
      const missing = COMMANDS.filter((c) => !all.has(c));
      assert.deepEqual(missing, [], `commands missing: ${missing.join(', ')}`);
    },
  },
  {
    name: 'code lenses sit on the ReLU layer lines and nowhere else',
    timeoutMs: 30_000,
    run: async () => {
      const uri = exampleUri();
      const lenses = await waitFor(
        'lenses',
        async () => {
          const found = await vscode.commands.executeCommand<vscode.CodeLens[]>(
            'vscode.executeCodeLensProvider',
            uri,
            20,
          );
          return found && found.length > 0 ? found : undefined;
        },
        20_000,
      );
      const lines = [...new Set(lenses.map((l) => lineOf(l.range)))].sort((a, b) => a - b);
      assert.deepEqual(
        lines,
        RELU_LAYERS.map((l) => l.line),
        `lens lines ${lines.join(', ')}`,
      );
      assert.ok(!lines.includes(SOFTMAX_LINE), 'no lens on the softmax layer');
      const titles = lenses.map((l) => l.command?.title ?? '');
      assert.ok(
        titles.some((t) => /Analyze activations/.test(t)),
        `an "Analyze activations" lens among ${JSON.stringify(titles)}`,
      );
    },
  },
  {
    name: 'analyze with a tiny budget puts diagnostics on the layers’ lines',
    timeoutMs: RUN_TIMEOUT_MS + 20_000,
    run: async () => {
      const uri = exampleUri();
      await openExample();
      const finishedBefore = loggedEvents().filter(
        (e) => e.kind === 'event' && e.type === 'run-finished',
      ).length;
      // Not awaited: the command may hold its promise for the whole run (progress notification);
      // the run's end is what the extension logs.
      let commandError: unknown;
      void Promise.resolve(vscode.commands.executeCommand('activationLens.analyze')).catch(
        (e: unknown) => (commandError = e),
      );
      await waitFor(
        'the run to finish',
        () => {
          if (commandError) throw commandError;
          const events = loggedEvents();
          const failure = events.find(
            (e) => (e.kind === 'event' && e.type === 'error') || e.kind === 'error',
          );
          if (failure) throw new Error(`the engine failed: ${JSON.stringify(failure)}`);
          return events.filter((e) => e.kind === 'event' && e.type === 'run-finished').length > finishedBefore
            ? true
            : undefined;
        },
        RUN_TIMEOUT_MS,
      );
      const diagnostics = await waitFor(
        'diagnostics on the example',
        () => {
          const d = vscode.languages.getDiagnostics(uri);
          return d.length > 0 ? d : undefined;
        },
        10_000,
      );
      const reluLines = new Set(RELU_LAYERS.map((l) => l.line));
      for (const d of diagnostics) {
        assert.ok(
          reluLines.has(lineOf(d.range)),
          `diagnostic on line ${lineOf(d.range)} (not a ReLU layer's line): ${d.message}`,
        );
        const layer = RELU_LAYERS.find((l) => l.line === lineOf(d.range));
        assert.ok(
          layer && d.message.includes(layer.name),
          `the diagnostic on line ${lineOf(d.range)} names ${layer?.name}: ${d.message}`,
        );
      }
    },
  },
  {
    name: 'a Problems entry leads to its layer: a command link in its code, a "Show … in the dashboard" action that opens the editor tab',
    timeoutMs: 20_000,
    run: async () => {
      const uri = exampleUri();
      const [first] = vscode.languages.getDiagnostics(uri);
      assert.ok(first, 'the analysis above left a diagnostic');
      const layer = RELU_LAYERS.find((l) => l.line === lineOf(first.range))!;
      const code = first.code as { value: string; target: vscode.Uri };
      assert.equal(code.target.scheme, 'command');
      assert.equal(code.target.path, 'activationLens.openDashboard');
      assert.deepEqual(JSON.parse(decodeURIComponent(code.target.query)), [layer.name]);
      const actions =
        (await vscode.commands.executeCommand<vscode.CodeAction[]>(
          'vscode.executeCodeActionProvider',
          uri,
          first.range,
        )) ?? [];
      const show = actions.find((a) => a.title === `Show ${layer.name} in the dashboard`);
      assert.ok(
        show?.command,
        `a "Show ${layer.name}" action among ${actions.map((a) => a.title).join(' | ')}`,
      );
      await vscode.commands.executeCommand(show.command.command, ...(show.command.arguments ?? []));
      const tab = await waitFor(
        'the dashboard editor tab',
        () =>
          vscode.window.tabGroups.all
            .flatMap((g) => g.tabs)
            .find(
              (t) =>
                t.input instanceof vscode.TabInputWebview &&
                t.input.viewType.endsWith('activationLens.dashboardPanel'),
            ),
        10_000,
      );
      assert.equal(tab.label, 'Activation Lens');
      await vscode.window.tabGroups.close(tab);
    },
  },
  {
    name: 'the ELU quick fix is offered on a ReLU layer and applying it rewrites that line (undo restores it)',
    timeoutMs: 20_000,
    run: async () => {
      const uri = exampleUri();
      const editor = await openExample();
      const dense = RELU_LAYERS[RELU_LAYERS.length - 1]!;
      const before = editor.document.getText();
      const actions = await eluFixActions(uri, dense.line);
      assert.ok(actions.length > 0, `an ELU code action on line ${dense.line}`);
      const action = actions[0]!;
      if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), 'the edit applies');
      if (action.command)
        await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
      const line = editor.document.lineAt(dense.line - 1).text;
      assert.match(line, /activation='elu'/, `line ${dense.line} after the fix: ${line}`);
      assert.match(line, /kernel_initializer='he_normal'/, `He init added on line ${dense.line}: ${line}`);
      for (const other of RELU_LAYERS.slice(0, -1))
        assert.match(editor.document.lineAt(other.line - 1).text, /activation='relu'/);
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), before, 'one undo restores the text');
    },
  },
  {
    name: 'activationLens.applyEluFix(uri, layer) rewrites the named layer only',
    timeoutMs: 20_000,
    run: async () => {
      const uri = exampleUri();
      const editor = await openExample();
      const conv = RELU_LAYERS[0]!;
      await vscode.commands.executeCommand('activationLens.applyEluFix', uri, conv.name);
      const line = editor.document.lineAt(conv.line - 1).text;
      assert.match(line, /activation='elu'/, `line ${conv.line}: ${line}`);
      for (const other of RELU_LAYERS.slice(1))
        assert.match(editor.document.lineAt(other.line - 1).text, /activation='relu'/);
      await revertExample();
    },
  },
];

function record(result: { name: string; status: 'passed' | 'failed'; ms: number; error?: string }): void {
  const out = process.env.E2E_INTEGRATION_OUT;
  if (out) appendFileSync(out, `${JSON.stringify(result)}\n`);
  console.log(
    `${result.status === 'passed' ? '✔' : '✘'} ${result.name}${result.error ? `\n  ${result.error}` : ''}`,
  );
}

export async function run(): Promise<void> {
  let failed = 0;
  for (const test of tests) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        test.run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${test.timeoutMs} ms`)), test.timeoutMs);
        }),
      ]);
      record({ name: test.name, status: 'passed', ms: Date.now() - started });
    } catch (error) {
      failed++;
      record({
        name: test.name,
        status: 'failed',
        ms: Date.now() - started,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    } finally {
      clearTimeout(timer);
    }
  }
  if (failed > 0) throw new Error(`${failed} in-host test(s) failed`);
}
