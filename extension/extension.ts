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
import { DASHBOARD_PANEL_TYPE } from './dashboard-panel';
import { RUNS_VIEW_ID } from './runs-view';
import { ShowLayerActionProvider } from './show-layer-actions';
import { EluCodeActionProvider } from './elu-code-actions';
import { loadParsers } from './load-parsers';
import { appendTestRecord } from './test-log';
import { markRunStarted, registerWelcomeView } from './welcome-view';

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
  ctx.registerCommand('openDashboardInEditor', commands.openDashboardInEditor);
  ctx.registerCommand('openRun', commands.openRun);
  ctx.registerCommand('compareRuns', commands.compareRuns);
  ctx.registerCommand('compareWithPrevious', commands.compareWithPrevious);
  ctx.registerCommand('clearComparison', commands.clearComparison);
  ctx.registerCommand('deleteRun', commands.deleteRun);
  ctx.registerCommand('openExample', commands.openExample);
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
      if (e.affectsConfiguration('activationLens.runs')) void ctx.history.prune();
    }),
    vscode.window.registerWebviewViewProvider(DASHBOARD_VIEW_ID, ctx.dashboard),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_PANEL_TYPE, ctx.dashboard.editor),
    vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: ctx.runsTree, canSelectMany: true }),
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      new ShowLayerActionProvider(ctx.diagnostics),
      ShowLayerActionProvider.metadata,
    ),
    registerWelcomeView(),
    vscode.languages.registerCodeLensProvider(SELECTOR, ctx.lenses),
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      new EluCodeActionProvider(ctx.documents),
      EluCodeActionProvider.metadata,
    ),
  );
  loadParsers(ctx);
  // Runs kept from earlier sessions: the Get Started view gives way to them.
  void ctx.history.list().then(
    (runs) => runs.length > 0 && markRunStarted(),
    () => undefined,
  );

  appendTestRecord({ kind: 'activated' });
  ctx.log.info(`Activation Lens ${ctx.version} activated`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions: the engine process is killed by RunController.dispose,
  // the live listener closed and its endpoint file removed by LiveHost.dispose.
}
