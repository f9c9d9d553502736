/**
 * "Activation Lens: Run Training with Live Taps": runs the Python script in the editor (or the one
 * given) with the interpreter the person chose, as `python -m activation_lens run -- script.py`,
 * its output in a terminal of its own; the dashboard, lenses and Problems fill from its live events.
 */
import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { checkPython, frameworksOf } from '../../src/live/python-check';
import { bundledPythonDir, withPythonPath } from '../../src/live/python-package';
import { isUserError } from '../../src/errors';
import type { Command, Ctx } from '../ctx';
import { liveOptions } from '../live-options';
import { asUri } from '../model-target';
import { chooseInterpreter, pythonExtensionEnvironments, type InterpreterDeps } from '../python-interpreter';
import { markRunStarted } from '../welcome-view';
import { requireTrust } from './require-trust';

const SELECT_INTERPRETER = 'Select Interpreter';
const OPEN_SETTINGS = 'Open Settings';

/** The script to run: the given file, else the active editor's Python file. */
function scriptTarget(arg: unknown): vscode.Uri | null {
  const explicit = asUri(arg);
  if (explicit) return explicit.scheme === 'file' && explicit.fsPath.endsWith('.py') ? explicit : null;
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.uri.scheme === 'file' && (doc.languageId === 'python' || doc.uri.fsPath.endsWith('.py'))
    ? doc.uri
    : null;
}

function interpreterProblem(problem: string): void {
  void vscode.window
    .showErrorMessage(`Activation Lens: ${problem}`, SELECT_INTERPRETER, OPEN_SETTINGS)
    .then((c) => {
      if (c === SELECT_INTERPRETER) void vscode.commands.executeCommand('python.setInterpreter');
      if (c === OPEN_SETTINGS)
        void vscode.commands.executeCommand('workbench.action.openSettings', 'activationLens.pythonPath');
    });
}

/** The interpreter deps against the real Python extension (tests pass their own). */
export function interpreterDeps(ctx: Ctx): InterpreterDeps {
  return {
    environments: pythonExtensionEnvironments,
    settingPath: () => ctx.machineSettings.read(ctx.settings(), 'pythonPath'),
    log: (m) => ctx.log.info(m),
  };
}

export async function runLiveTraining(
  ctx: Ctx,
  arg: unknown,
  deps: InterpreterDeps = interpreterDeps(ctx),
): Promise<void> {
  if (
    !requireTrust(
      'running a training script with live taps',
      'it runs the script with your Python interpreter',
    )
  )
    return;
  const uri = scriptTarget(arg);
  if (!uri) {
    void vscode.window.showWarningMessage(
      'Activation Lens: open the Python training script to run (a .py file), then run "Run Training with Live Taps" again.',
    );
    return;
  }
  // The script runs from disk: what the editor shows is what runs.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  const choice = await chooseInterpreter(uri, deps);
  if (!choice.ok) return interpreterProblem(choice.problem);
  const python = choice.interpreter.path;
  const pythonDir = bundledPythonDir(join(ctx.context.extensionPath, 'dist'));
  if (!pythonDir) {
    void vscode.window.showErrorMessage(
      `Activation Lens: the live taps' Python package is missing from ${ctx.context.extensionPath}/python; reinstall the extension.`,
    );
    return;
  }
  const options = liveOptions((k) => ctx.settings().get(k));
  let listenerEnv: Record<string, string>;
  try {
    listenerEnv = await ctx.live.environment();
  } catch (e) {
    void vscode.window.showErrorMessage(`Activation Lens: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: withPythonPath(process.env, pythonDir),
    // Output reaches the terminal as it is printed, not when a pipe's buffer fills.
    PYTHONUNBUFFERED: '1',
    ...options.env,
    ...listenerEnv,
  };
  try {
    const check = await checkPython(python, env);
    ctx.log.info(
      `live taps: ${python} (${choice.interpreter.source}), Python ${check.pythonVersion}, ${frameworksOf(check)}`,
    );
  } catch (e) {
    if (!isUserError(e)) throw e;
    return interpreterProblem(`${e.format()} (${choice.interpreter.source})`);
  }
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? dirname(uri.fsPath);
  markRunStarted();
  void ctx.dashboard.reveal();
  await ctx.run.startLive({ python, script: uri.fsPath, args: [], cwd: folder, env });
}

export const runLive: Command = (ctx) => (arg?: unknown) => runLiveTraining(ctx, arg);
