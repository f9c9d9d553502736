/** The command link that opens a layer in the dashboard (VS Code runs command: links from a diagnostic's code). */
import * as vscode from 'vscode';

export function showLayerUri(layer: string): vscode.Uri {
  return vscode.Uri.parse(
    `command:activationLens.openDashboard?${encodeURIComponent(JSON.stringify([layer]))}`,
  );
}
