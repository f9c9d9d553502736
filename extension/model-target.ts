/**
 * Which model a command acts on: the explorer selection or lens argument, else the active editor's
 * document, else none (the built-in example).
 */
import * as vscode from 'vscode';

const MODEL_EXTENSIONS = ['.py', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.h5', '.hdf5', '.keras'];

/** Files the engine can analyse: scripts, TF.js model.json, Keras .h5 / .keras. */
export function isModelFile(path: string): boolean {
  const lower = path.toLowerCase();
  return lower.endsWith('model.json') || MODEL_EXTENSIONS.some((e) => lower.endsWith(e));
}

export function asUri(arg: unknown): vscode.Uri | null {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg)
    return arg.includes('://') ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  return null;
}

/** The file to analyse for a command invoked with `arg` (may be undefined), or null for the example. */
export function modelTarget(arg: unknown): string | null {
  const explicit = asUri(arg);
  if (explicit?.scheme === 'file') return explicit.fsPath;
  const editor = vscode.window.activeTextEditor?.document;
  if (editor?.uri.scheme === 'file' && isModelFile(editor.uri.fsPath)) return editor.uri.fsPath;
  // .h5 / .keras open in a binary or custom editor, not a text editor.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: unknown } | undefined;
  if (input?.uri instanceof vscode.Uri && input.uri.scheme === 'file' && isModelFile(input.uri.fsPath))
    return input.uri.fsPath;
  return null;
}
