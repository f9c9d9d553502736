/**
 * The sidebar dashboard (webview view `activationLens.dashboard`). The host owns the state; the
 * webview asks for it with `ready` and then receives events, batched to ≤ 10 messages a second.
 * Every message from the webview is validated (src/protocol.ts) before anything acts on it.
 */
import * as vscode from 'vscode';
import {
  checkWebviewRequest,
  hostMessage,
  type DashboardState,
  type EngineEvent,
  type HostMessage,
  type WebviewRequest,
} from '../src/protocol';
import { dashboardHtml } from './dashboard-html';
import { Batcher } from './throttle';

export const DASHBOARD_VIEW_ID = 'activationLens.dashboard';
/** Above this many events in one batch, one whole-state message is smaller and faster to apply. */
const MAX_EVENTS_PER_BATCH = 20;

export class DashboardViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | null = null;
  private readonly viewSubscriptions: vscode.Disposable[] = [];
  private readonly batcher: Batcher<EngineEvent>;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly getState: () => DashboardState,
    private readonly onRequest: (request: WebviewRequest) => void,
    private readonly log: (message: string) => void,
  ) {
    this.batcher = new Batcher((events) => this.sendBatch(events), 100);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    const asUri = (base: vscode.Uri, file: string) =>
      view.webview.asWebviewUri(vscode.Uri.joinPath(base, file)).toString();
    view.webview.html = dashboardHtml({
      cspSource: view.webview.cspSource,
      scriptUri: asUri(dist, 'webview.js'),
      codiconUri: asUri(dist, 'codicon.css'),
      styleUris: [asUri(dist, 'uPlot.min.css'), asUri(media, 'dashboard.css')],
    });
    this.viewSubscriptions.push(
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidDispose(() => {
        if (this.view === view) this.view = null;
        this.disposeView();
      }),
    );
  }

  /** Queues an engine event for the webview (dropped while the view is not there: `ready` resyncs). */
  pushEvent(event: EngineEvent): void {
    if (this.view && event.type !== 'log') this.batcher.push(event);
  }

  /** Sends the whole state now (run start, crash, cancel: host-side transitions). */
  sendState(): void {
    this.batcher.dispose();
    this.post(hostMessage({ type: 'state', state: this.getState() }));
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${DASHBOARD_VIEW_ID}.focus`);
  }

  private receive(raw: unknown): void {
    const parsed = checkWebviewRequest(raw);
    if (!parsed.ok) {
      this.log(
        `ignored a malformed dashboard message (${parsed.error}): ${JSON.stringify(raw)?.slice(0, 200)}`,
      );
      return;
    }
    const request = parsed.value;
    if (request.type === 'ready') this.sendState();
    else this.onRequest(request);
  }

  private sendBatch(events: EngineEvent[]): void {
    if (events.length > MAX_EVENTS_PER_BATCH) {
      this.post(hostMessage({ type: 'state', state: this.getState() }));
      return;
    }
    for (const event of events) this.post(hostMessage({ type: 'event', event }));
  }

  private post(message: HostMessage): void {
    void this.view?.webview.postMessage(message);
  }

  private disposeView(): void {
    this.batcher.dispose();
    for (const s of this.viewSubscriptions.splice(0)) s.dispose();
  }

  dispose(): void {
    this.disposeView();
    this.view = null;
  }
}
