/**
 * One dashboard webview (the sidebar's view or the editor tab), wired the same way whichever it is:
 * the HTML shell under the strict CSP, requests validated before anything acts on them (the
 * webview renders what a workspace's model produces: nothing it says is trusted), the whole state
 * on `ready`, then events batched to ≤ 10 messages a second. Lives as long as its webview.
 */
import * as vscode from 'vscode';
import {
  checkWebviewRequest,
  hostMessage,
  type DashboardState,
  type EngineEvent,
  type HostMessage,
  type RunView,
  type WebviewRequest,
} from '../src/protocol';
import { dashboardHtml } from './dashboard-html';
import { Batcher } from './throttle';

/** Above this many events in one batch, one whole-state message is smaller and faster to apply. */
const MAX_EVENTS_PER_BATCH = 20;

/** What every dashboard shows and whom it tells about a click. */
export interface DashboardHost {
  state(): DashboardState;
  view(): RunView;
  onRequest(request: WebviewRequest): void;
  /** A webview (re)loaded and asked for everything. */
  onReady(): void;
  log(message: string): void;
}

/** Scripts on, and nothing loadable but the extension's dist/ and media/. */
export function dashboardWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

export class DashboardConnection implements vscode.Disposable {
  private readonly batcher: Batcher<EngineEvent>;
  private readonly subscription: vscode.Disposable;
  private ready = false;
  /** A layer to open once the webview has said `ready` (a lens opened the editor tab). */
  private pendingFocus: string | null = null;

  constructor(
    private readonly webview: vscode.Webview,
    extensionUri: vscode.Uri,
    layout: 'compact' | 'full',
    private readonly host: DashboardHost,
  ) {
    this.batcher = new Batcher((events) => this.sendBatch(events), 100);
    webview.options = dashboardWebviewOptions(extensionUri);
    const asUri = (folder: string, file: string) =>
      webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, folder, file)).toString();
    webview.html = dashboardHtml({
      cspSource: webview.cspSource,
      scriptUri: asUri('dist', 'webview.js'),
      codiconUri: asUri('dist', 'codicon.css'),
      styleUris: [asUri('dist', 'uPlot.min.css'), asUri('media', 'dashboard.css')],
      layout,
    });
    this.subscription = webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
  }

  /** Queues an engine event (dropped before `ready`: the state sent then holds it). */
  pushEvent(event: EngineEvent): void {
    if (this.ready && event.type !== 'log') this.batcher.push(event);
  }

  /** Sends the whole state now (run start, crash, cancel, a saved run opened). */
  sendState(): void {
    this.batcher.dispose();
    this.post(hostMessage({ type: 'state', state: this.host.state() }));
  }

  sendView(): void {
    this.post(hostMessage({ type: 'run-view', view: this.host.view() }));
  }

  /**
   * The webview was hidden: VS Code drops a hidden webview's page (no retainContextWhenHidden) and
   * loads it again when shown, so messages wait for its next `ready` instead of being lost.
   */
  hidden(): void {
    this.ready = false;
    this.batcher.dispose();
  }

  focusLayer(layer: string): void {
    if (this.ready) this.post(hostMessage({ type: 'focus-layer', layer }));
    else this.pendingFocus = layer;
  }

  private receive(raw: unknown): void {
    const parsed = checkWebviewRequest(raw);
    if (!parsed.ok) {
      this.host.log(
        `ignored a malformed dashboard message (${parsed.error}): ${JSON.stringify(raw)?.slice(0, 200)}`,
      );
      return;
    }
    const request = parsed.value;
    if (request.type !== 'ready') return this.host.onRequest(request);
    // A webview that was hidden and shown again says `ready` again: it gets everything afresh.
    this.ready = true;
    this.host.onReady();
    this.sendState();
    this.sendView();
    if (this.pendingFocus) {
      this.post(hostMessage({ type: 'focus-layer', layer: this.pendingFocus }));
      this.pendingFocus = null;
    }
  }

  private sendBatch(events: EngineEvent[]): void {
    if (events.length > MAX_EVENTS_PER_BATCH) {
      this.post(hostMessage({ type: 'state', state: this.host.state() }));
      return;
    }
    for (const event of events) this.post(hostMessage({ type: 'event', event }));
  }

  private post(message: HostMessage): void {
    void this.webview.postMessage(message);
  }

  dispose(): void {
    this.batcher.dispose();
    this.subscription.dispose();
  }
}
