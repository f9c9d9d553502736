/**
 * Activation wires and does nothing else: the context (what lives as long as the extension), the
 * commands (extension/commands/), the providers and views. Everything is disposed with the
 * extension. Nothing heavy loads here: TF.js runs only in the engine process, started by a command.
 */
import * as vscode from 'vscode';
import { Ctx } from './ctx';
import * as commands from './commands';
import { answerWebview } from './commands/webview-requests';
import { DASHBOARD_VIEW_ID } from './dashboard-view';
import { EluCodeActionProvider } from './elu-code-actions';
import { loadParsers } from './load-parsers';
import { appendTestRecord } from './test-log';
import { registerWelcomeView } from './welcome-view';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'python', scheme: 'file' },
  { language: 'javascript', scheme: 'file' },
  { language: 'typescript', scheme: 'file' },
  { pattern: '**/model.json', scheme: 'file' },
];

export function activate(context: vscode.ExtensionContext): void {
  const ctx = new Ctx(context, answerWebview);

  ctx.registerCommand('analyze', commands.analyze);
  ctx.registerCommand('stop', commands.stop);
  ctx.registerCommand('runWhatIf', commands.runWhatIf);
  ctx.registerCommand('openDashboard', commands.openDashboard);
  ctx.registerCommand('exportReport', commands.exportReport);
  ctx.registerCommand('installGpuBackend', commands.installGpuBackend);
  ctx.registerCommand('installCpuBackend', commands.installCpuBackend);
  ctx.registerCommand('applyEluFix', commands.applyEluFix);
  ctx.registerCommand('goToLayer', commands.goToLayer);
  ctx.registerCommand('runLive', commands.runLive);

  ctx.push(
    ctx.documents.onDidParse(({ document, spec }) => ctx.diagnostics.onParsed(document.uri.fsPath, spec)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('activationLens.lenses.enabled')) ctx.lenses.refresh();
    }),
    vscode.window.registerWebviewViewProvider(DASHBOARD_VIEW_ID, ctx.dashboard),
    registerWelcomeView(),
    vscode.languages.registerCodeLensProvider(SELECTOR, ctx.lenses),
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      new EluCodeActionProvider(ctx.documents),
      EluCodeActionProvider.metadata,
    ),
  );
  loadParsers(ctx);

  appendTestRecord({ kind: 'activated' });
  ctx.log.info(`Activation Lens ${ctx.version} activated`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions: the engine process is killed by RunController.dispose,
  // the live listener closed and its endpoint file removed by LiveHost.dispose.
}
