/**
 * activationLens.openExample (the walkthrough's first step): a copy of the example Keras CNN,
 * written where the person chooses in a save dialog — the extension never writes into their
 * folder unprompted — and opened, with its lenses.
 */
import * as vscode from 'vscode';
import type { Command } from '../ctx';

export const EXAMPLE_FILE = 'mnist_cnn.py';

export const openExample: Command = (ctx) => async (targetArg?: unknown) => {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const source = vscode.Uri.joinPath(ctx.context.extensionUri, 'media', 'examples', EXAMPLE_FILE);
  // A target from the caller (a test) is written without a dialog: only in a trusted workspace.
  const target =
    targetArg instanceof vscode.Uri && vscode.workspace.isTrusted
      ? targetArg
      : await vscode.window.showSaveDialog({
          title: 'Save the example Keras CNN as',
          ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, EXAMPLE_FILE) } : {}),
          filters: { Python: ['py'] },
        });
  if (!target) return null;
  await vscode.workspace.fs.writeFile(target, await vscode.workspace.fs.readFile(source));
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target));
  return target;
};
