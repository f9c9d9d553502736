/**
 * From a Problems entry to the layer's detail in the dashboard: each of our diagnostics carries a
 * link in its code (the kind, e.g. `dead-units`, opens the layer), and a code action "Show <layer>
 * in the dashboard" sits beside the ELU quick fix. Both run activationLens.openDashboard with the
 * layer's name, which opens the editor-tab dashboard at that layer.
 */
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, type FindingDiagnostics } from './finding-diagnostics';

export class ShowLayerActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly diagnostics: FindingDiagnostics) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const layers = new Map<string, vscode.Diagnostic[]>();
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      // VS Code hands back copies of the diagnostics: the layer is found by file and line.
      for (const layer of this.diagnostics.layersAt(document.uri.fsPath, d.range.start.line))
        layers.set(layer, [...(layers.get(layer) ?? []), d]);
    }
    return [...layers].map(([layer, ds]) => {
      const action = new vscode.CodeAction(`Show ${layer} in the dashboard`, vscode.CodeActionKind.QuickFix);
      action.command = { title: action.title, command: 'activationLens.openDashboard', arguments: [layer] };
      action.diagnostics = ds;
      return action;
    });
  }
}
