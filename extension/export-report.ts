/**
 * activationLens.exportReport: the run's report as JSON, its findings as SARIF 2.1.0, or the whole
 * dashboard as one self-contained HTML page (src/report-html.ts) to share. Arguments (for tests and
 * keybindings): format 'json' | 'sarif' | 'html', and a target path; without them the person picks
 * both.
 */
import * as vscode from 'vscode';
import type { DashboardState, RunComparison } from '../src/protocol';
import { reportHtml, reportMessages } from '../src/report-html';
import { readReportAssets, reportNonce } from '../src/report-assets';
import { findingsToSarif } from './sarif';
import { asUri } from './model-target';

type Format = 'json' | 'sarif' | 'html';

const FILE_NAME: Record<Format, string> = {
  json: 'activation-lens-report.json',
  sarif: 'activation-lens.sarif',
  html: 'activation-lens-report.html',
};
const FILTERS: Record<Format, Record<string, string[]>> = {
  json: { JSON: ['json'] },
  sarif: { SARIF: ['sarif', 'json'] },
  html: { HTML: ['html', 'htm'] },
};

export interface HtmlExport {
  /** Where dist/ and media/ are (the extension's folder). */
  extensionPath: string;
  /** The run drawn behind this one, kept in the page. */
  comparison: RunComparison | null;
}

export async function exportReport(
  state: DashboardState,
  version: string,
  formatArg?: unknown,
  targetArg?: unknown,
  html?: HtmlExport,
): Promise<vscode.Uri | null> {
  if (!state.report && state.findings.length === 0) {
    void vscode.window.showWarningMessage(
      'Activation Lens: there is nothing to export yet. Run "Analyze Activations" first.',
    );
    return null;
  }
  let format: Format | null =
    formatArg === 'json' || formatArg === 'sarif' || (formatArg === 'html' && html) ? formatArg : null;
  if (!format) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'JSON report', description: 'everything the run measured', format: 'json' as const },
        {
          label: 'SARIF 2.1.0',
          description: 'the findings, for code-scanning tools',
          format: 'sarif' as const,
        },
        ...(html
          ? [
              {
                label: 'HTML report',
                description: 'the dashboard in one file that opens in any browser, for pull requests and CI',
                format: 'html' as const,
              },
            ]
          : []),
      ],
      { title: 'Export the Activation Lens report as' },
    );
    if (!pick) return null;
    format = pick.format;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let target = asUri(targetArg);
  if (!target) {
    target =
      (await vscode.window.showSaveDialog({
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, FILE_NAME[format]) } : {}),
        filters: FILTERS[format],
      })) ?? null;
    if (!target) return null;
  }
  let text: string;
  if (format === 'html' && html) {
    let assets;
    try {
      assets = readReportAssets(html.extensionPath);
    } catch (e) {
      void vscode.window.showErrorMessage(`Activation Lens: ${(e as Error).message}`);
      return null;
    }
    const title = `Activation Lens — ${state.started?.model.name ?? 'run'}${state.report ? ` · ${state.report.createdAt}` : ''}`;
    text = reportHtml(assets, reportMessages(state, html.comparison), { title, nonce: reportNonce() });
  } else {
    const body =
      format === 'json'
        ? (state.report ?? { partial: true, status: state.status, findings: state.findings })
        : findingsToSarif(state.report?.findings ?? state.findings, {
            toolVersion: version,
            workspaceFolder: folder?.fsPath ?? null,
          });
    text = `${JSON.stringify(body, null, 2)}\n`;
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  void vscode.window.showInformationMessage(`Activation Lens: wrote ${target.fsPath}`, 'Open').then((c) => {
    if (c === 'Open') void vscode.window.showTextDocument(target);
  });
  return target;
}
