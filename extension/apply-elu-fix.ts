/**
 * activationLens.applyEluFix: the person asked for it (quick fix, lens or card), so the file is
 * edited — as one WorkspaceEdit, so a single undo reverts it. Nothing is saved automatically.
 */
import * as vscode from 'vscode';
import { computeEluFix, type EluFix } from '../src/source-edit/elu-fix';
import { isUserError } from '../src/errors';
import type { ModelDocuments } from './model-documents';
import { appendTestRecord } from './test-log';

/** Converts the engine-side 1-based edits into one WorkspaceEdit. */
export function toWorkspaceEdit(uri: vscode.Uri, fix: EluFix): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits) {
    edit.replace(
      uri,
      new vscode.Range(e.start.line - 1, e.start.column - 1, e.end.line - 1, e.end.column - 1),
      e.newText,
    );
  }
  return edit;
}

export async function applyEluFix(
  documents: ModelDocuments,
  uri: vscode.Uri,
  layerName: string,
  alpha: number,
): Promise<EluFix | null> {
  const document = await vscode.workspace.openTextDocument(uri);
  // Parsed for the document's current version; the edits below are computed on that same text.
  const spec = await documents.get(document);
  const layer = spec?.layers.find((l) => l.name === layerName);
  if (!spec || !layer) {
    void vscode.window.showErrorMessage(
      `Activation Lens: ${uri.fsPath}: no layer named ${layerName} was found in the file as it is now. Re-run the analysis after editing.`,
    );
    return null;
  }
  let fix: EluFix;
  try {
    fix = computeEluFix(document.getText(), layer, spec.origin, alpha);
  } catch (e) {
    void vscode.window.showErrorMessage(`Activation Lens: ${isUserError(e) ? e.format() : String(e)}`);
    return null;
  }
  const ok = await vscode.workspace.applyEdit(toWorkspaceEdit(uri, fix));
  if (!ok) {
    void vscode.window.showErrorMessage(
      `Activation Lens: ${uri.fsPath}: the editor refused the edit (the file may be read-only).`,
    );
    return null;
  }
  appendTestRecord({ kind: 'fix-applied', file: uri.fsPath, layer: layerName, edits: fix.edits.length });
  const notes = fix.notes.length > 0 ? ` Also: ${fix.notes.join('; ')}.` : '';
  void vscode.window.showInformationMessage(
    `Activation Lens: ${fix.description}. Undo reverts it; run "Run ELU What-If" to compare.${notes}`,
  );
  return fix;
}
