/**
 * Which Python runs the person's training script with the live taps: the interpreter they selected
 * in the Python extension (ms-python.python), asked through its environments API
 * (`@vscode/python-extension`); where that extension is not installed — or knows no interpreter for
 * the file — the user setting `activationLens.pythonPath` (machine scope, read from user settings
 * only: it names a program that will run). Nothing else is guessed: a `python3` on PATH is not
 * necessarily the one with the person's torch.
 */
import * as vscode from 'vscode';
import { PythonExtension, PVSC_EXTENSION_ID } from '@vscode/python-extension';

/** The part of the Python extension's API this reads (unit tests give a fake of exactly this). */
export type PythonEnvironments = Pick<
  PythonExtension['environments'],
  'getActiveEnvironmentPath' | 'resolveEnvironment'
>;

export interface Interpreter {
  path: string;
  /** Where it came from, for the log and messages. */
  source: 'python extension' | 'activationLens.pythonPath';
}

export type InterpreterChoice = { ok: true; interpreter: Interpreter } | { ok: false; problem: string };

export interface InterpreterDeps {
  /** The Python extension's environments API; null when the extension is not installed. */
  environments: () => Promise<PythonEnvironments | null>;
  /** activationLens.pythonPath from the user's settings ('' when unset). */
  settingPath: () => string;
  log: (message: string) => void;
}

export const SELECT_INTERPRETER_HINT =
  'select one with "Python: Select Interpreter" (Python extension), or set activationLens.pythonPath in your user settings';

/** The Python extension's environments API through @vscode/python-extension; null when it is absent. */
export async function pythonExtensionEnvironments(): Promise<PythonEnvironments | null> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return null;
  return (await PythonExtension.api()).environments;
}

export async function chooseInterpreter(
  resource: vscode.Uri,
  deps: InterpreterDeps,
): Promise<InterpreterChoice> {
  let environments: PythonEnvironments | null = null;
  try {
    environments = await deps.environments();
  } catch (e) {
    deps.log(`the Python extension's API is not available: ${e instanceof Error ? e.message : String(e)}`);
  }
  let unresolved: string | null = null;
  if (environments) {
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active).catch(() => undefined);
    const executable = resolved?.executable.uri?.fsPath;
    if (executable) return { ok: true, interpreter: { path: executable, source: 'python extension' } };
    unresolved = active.path;
  }
  const setting = deps.settingPath().trim();
  if (setting) return { ok: true, interpreter: { path: setting, source: 'activationLens.pythonPath' } };
  return {
    ok: false,
    problem: unresolved
      ? `the interpreter selected in the Python extension (${unresolved}) could not be found; ${SELECT_INTERPRETER_HINT}`
      : `no Python interpreter: the Python extension is not installed; ${SELECT_INTERPRETER_HINT}`,
  };
}
