/**
 * The sidebar dashboard (webview view `activationLens.dashboard`): the compact summary — status,
 * the model overview, the top findings — with a way to the editor tab (extension/dashboard-panel.ts)
 * for everything else. VS Code creates and drops the view as the sidebar shows and hides it.
 */
import * as vscode from 'vscode';
import type { EngineEvent } from '../src/protocol';
import { DashboardConnection, type DashboardHost } from './dashboard-connection';

export const DASHBOARD_VIEW_ID = 'activationLens.dashboard';

export class DashboardViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | null = null;
  private connection: DashboardConnection | null = null;
  private viewSubscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: DashboardHost,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const connection = new DashboardConnection(view.webview, this.extensionUri, 'compact', this.host);
    this.connection = connection;
    this.viewSubscriptions = [
      view.onDidChangeVisibility(() => {
        if (!view.visible) connection.hidden();
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = null;
          this.disposeView();
        }
      }),
    ];
  }

  pushEvent(event: EngineEvent): void {
    this.connection?.pushEvent(event);
  }

  sendState(): void {
    this.connection?.sendState();
  }

  sendView(): void {
    this.connection?.sendView();
  }

  focusLayer(layer: string): void {
    this.connection?.focusLayer(layer);
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${DASHBOARD_VIEW_ID}.focus`);
  }

  private disposeView(): void {
    this.connection?.dispose();
    this.connection = null;
    for (const s of this.viewSubscriptions.splice(0)) s.dispose();
  }

  dispose(): void {
    this.disposeView();
    this.view = null;
  }
}
