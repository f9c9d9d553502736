/**
 * activationLens.exportReport: the last run's report as JSON, or its findings as SARIF 2.1.0.
 * Arguments (for tests and keybindings): format 'json' | 'sarif', and a target path; without them
 * the person picks both.
 */
import * as vscode from 'vscode';
import type { DashboardState } from '../src/protocol';
import { findingsToSarif } from './sarif';
import { asUri } from './model-target';

export async function exportReport(
  state: DashboardState,
  version: string,
  formatArg?: unknown,
  targetArg?: unknown,
): Promise<vscode.Uri | null> {
  if (!state.report && state.findings.length === 0) {
    void vscode.window.showWarningMessage(
      'Activation Lens: there is nothing to export yet. Run "Analyze Activations" first.',
    );
    return null;
  }
  let format = formatArg === 'json' || formatArg === 'sarif' ? formatArg : null;
  if (!format) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'JSON report', description: 'everything the run measured', format: 'json' as const },
        {
          label: 'SARIF 2.1.0',
          description: 'the findings, for code-scanning tools',
          format: 'sarif' as const,
        },
      ],
      { title: 'Export the Activation Lens report as' },
    );
    if (!pick) return null;
    format = pick.format;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let target = asUri(targetArg);
  if (!target) {
    const name = format === 'json' ? 'activation-lens-report.json' : 'activation-lens.sarif';
    target =
      (await vscode.window.showSaveDialog({
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
        filters: format === 'json' ? { JSON: ['json'] } : { SARIF: ['sarif', 'json'] },
      })) ?? null;
    if (!target) return null;
  }
  const body =
    format === 'json'
      ? (state.report ?? { partial: true, status: state.status, findings: state.findings })
      : findingsToSarif(state.report?.findings ?? state.findings, {
          toolVersion: version,
          workspaceFolder: folder?.fsPath ?? null,
        });
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(`${JSON.stringify(body, null, 2)}\n`));
  void vscode.window.showInformationMessage(`Activation Lens: wrote ${target.fsPath}`, 'Open').then((c) => {
    if (c === 'Open') void vscode.window.showTextDocument(target);
  });
  return target;
}
