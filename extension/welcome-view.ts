/**
 * "Get Started": an always-empty tree view whose only job is to show the welcome content with the
 * Analyze button (viewsWelcome renders only in tree views, not in webview views). It hides once a
 * run has started (context key activationLens.hasRun).
 */
import * as vscode from 'vscode';

export const WELCOME_VIEW_ID = 'activationLens.welcome';
export const HAS_RUN_CONTEXT = 'activationLens.hasRun';

export function registerWelcomeView(): vscode.Disposable {
  const empty: vscode.TreeDataProvider<never> = { getChildren: () => [], getTreeItem: (e: never) => e };
  return vscode.window.registerTreeDataProvider(WELCOME_VIEW_ID, empty);
}

export function markRunStarted(): void {
  void vscode.commands.executeCommand('setContext', HAS_RUN_CONTEXT, true);
}
