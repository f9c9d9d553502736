/**
 * The "Switch to ELU" quick fix on layer lines: offered on our diagnostics (preferred) and on any
 * ReLU-family layer line. It runs activationLens.applyEluFix, which computes the edits against the
 * text at that moment and applies them as one WorkspaceEdit.
 */
import * as vscode from 'vscode';
import { isSwitchableToElu } from '../src/model/activation-families';
import { DIAGNOSTIC_SOURCE } from './finding-diagnostics';
import type { ModelDocuments } from './model-documents';

/** As for lenses (extension/layer-lenses.ts): a parse under way is waited for this long at most. */
const ACTIONS_WAIT_MS = 750;

export class EluCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly documents: ModelDocuments) {}

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    // The parse runs in the parser process; the host's thread only waits for the message.
    const spec = await this.documents.getWithin(document, ACTIONS_WAIT_MS);
    if (!spec) return [];
    const actions: vscode.CodeAction[] = [];
    for (const layer of spec.layers) {
      const src = layer.source;
      if (!src || !isSwitchableToElu(layer.activation)) continue;
      const line = src.line - 1;
      const lastLine = (src.end?.line ?? src.line) - 1;
      if (range.end.line < line || range.start.line > lastLine) continue;
      const ours = context.diagnostics.filter(
        (d) => d.source === DIAGNOSTIC_SOURCE && d.range.start.line >= line && d.range.start.line <= lastLine,
      );
      const action = new vscode.CodeAction(
        `Switch ${layer.name} to ELU (He initialisation)`,
        vscode.CodeActionKind.QuickFix,
      );
      action.command = {
        title: action.title,
        command: 'activationLens.applyEluFix',
        arguments: [document.uri, layer.name],
      };
      if (ours.length > 0) {
        action.diagnostics = ours;
        action.isPreferred = true;
      }
      actions.push(action);
    }
    return actions;
  }
}
