/**
 * Commands that act on the workspace — train on its data, edit its files, install and later load
 * native code — check workspace trust here, in code. `enablement: isWorkspaceTrusted` in
 * package.json only greys out menus and the palette: `executeCommand` (another extension, a
 * dashboard button, a keybinding) reaches the handler all the same.
 */
import * as vscode from 'vscode';

export const MANAGE_TRUST = 'Manage Workspace Trust';

/** True in a trusted workspace; otherwise says why `action` waits and offers to manage trust. */
export function requireTrust(action: string, why: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(
      `Activation Lens: ${action} runs only in a trusted workspace, because ${why}. Trust this folder to continue.`,
      MANAGE_TRUST,
    )
    .then((choice) => {
      if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
