/**
 * The dashboard as an editor tab (`activationLens.dashboardPanel`): the whole dashboard, room to
 * look at a wide model. One tab at a time; asking again reveals it. It comes back after a reload of
 * VS Code through the serializer, which gives the restored panel the same HTML, CSP and message
 * wiring as a new one (what the webview persisted paints at once; the host then sends its state).
 */
import * as vscode from 'vscode';
import type { EngineEvent } from '../src/protocol';
import { DashboardConnection, dashboardWebviewOptions, type DashboardHost } from './dashboard-connection';

export const DASHBOARD_PANEL_TYPE = 'activationLens.dashboardPanel';
const TITLE = 'Activation Lens';

export class DashboardPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private current: {
    panel: vscode.WebviewPanel;
    connection: DashboardConnection;
    dispose: vscode.Disposable;
  } | null = null;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: DashboardHost,
  ) {}

  get isOpen(): boolean {
    return this.current !== null;
  }

  /**
   * Opens the tab (or reveals it) and, with `layer`, opens that layer's detail there.
   * `preserveFocus`: a run starting shows the tab without taking the keyboard from the editor.
   */
  open(layer: string | null = null, preserveFocus = false): void {
    if (this.current) this.current.panel.reveal(undefined, preserveFocus);
    else
      this.adopt(
        vscode.window.createWebviewPanel(
          DASHBOARD_PANEL_TYPE,
          TITLE,
          // Beside the code: the lenses stay in view, and Analyze still finds the model's editor.
          { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
          dashboardWebviewOptions(this.extensionUri),
        ),
      );
    if (layer) this.current?.connection.focusLayer(layer);
  }

  /** After a reload: VS Code hands back the tab it had; it gets a fresh connection. */
  deserializeWebviewPanel(panel: vscode.WebviewPanel, _persisted: unknown): Promise<void> {
    this.adopt(panel);
    return Promise.resolve();
  }

  pushEvent(event: EngineEvent): void {
    this.current?.connection.pushEvent(event);
  }

  sendState(): void {
    this.current?.connection.sendState();
  }

  sendView(): void {
    this.current?.connection.sendView();
  }

  private adopt(panel: vscode.WebviewPanel): void {
    // A second restored tab (two windows' worth of state) replaces the first: one tab at a time.
    this.current?.panel.dispose();
    panel.title = TITLE;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity.svg');
    const connection = new DashboardConnection(panel.webview, this.extensionUri, 'full', this.host);
    const visibility = panel.onDidChangeViewState(() => {
      if (!panel.visible) connection.hidden();
    });
    const current = {
      panel,
      connection,
      dispose: panel.onDidDispose(() => {
        connection.dispose();
        visibility.dispose();
        current.dispose.dispose();
        if (this.current === current) this.current = null;
      }),
    };
    this.current = current;
  }

  /**
   * The connection goes with the extension; the tab stays, so that a reload of the window finds it
   * open and the serializer restores it (disposing it here would close it for good).
   */
  dispose(): void {
    this.current?.connection.dispose();
    this.current?.dispose.dispose();
    this.current = null;
  }
}
