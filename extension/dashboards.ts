/**
 * Both dashboards — the sidebar's summary and the editor tab — and what they show: the current
 * run, or a saved run someone opened, with another run drawn behind it as ghost lines. The host
 * keeps this; each webview is told the whole of it when it says `ready`, so a hidden, re-shown or
 * restored (after a reload) dashboard shows the same. A run starting brings both back to it; the
 * comparison stays, so a re-run trains in front of the ghost of the run before.
 */
import * as vscode from 'vscode';
import type { DashboardState, EngineEvent, RunComparison, RunView, WebviewRequest } from '../src/protocol';
import type { DashboardHost } from './dashboard-connection';
import { DashboardViewProvider } from './dashboard-view';
import { DashboardPanels } from './dashboard-panel';

export interface ShownSaved {
  /** The saved run's id (src/run-store.ts). */
  id: string;
  label: string;
  state: DashboardState;
}

export interface DashboardsDeps {
  extensionUri: vscode.Uri;
  /** The current run's state (the run controller's). */
  live: () => DashboardState;
  onRequest: (request: WebviewRequest) => void;
  log: (message: string) => void;
  /**
   * The newest saved run, for a dashboard that opens before any run of this session (after a
   * reload): it shows that instead of an empty page.
   */
  latestSaved: () => Promise<ShownSaved | null>;
}

export class Dashboards implements vscode.WebviewViewProvider, vscode.Disposable {
  readonly sidebar: DashboardViewProvider;
  readonly editor: DashboardPanels;
  private saved: ShownSaved | null = null;
  private comparison: { id: string | null; comparison: RunComparison } | null = null;
  private liveRunId: string | null = null;
  private liveRunning = false;
  private restoring: Promise<void> | null = null;

  constructor(private readonly deps: DashboardsDeps) {
    const host: DashboardHost = {
      state: () => this.state,
      view: () => this.view,
      onRequest: deps.onRequest,
      onReady: () => this.restoreLatest(),
      log: deps.log,
    };
    this.sidebar = new DashboardViewProvider(deps.extensionUri, host);
    this.editor = new DashboardPanels(deps.extensionUri, host);
    this.liveRunId = deps.live().runId;
    this.liveRunning = deps.live().status === 'running';
  }

  /** What the dashboards show: a saved run when one is open, else the current run. */
  get state(): DashboardState {
    return this.saved?.state ?? this.deps.live();
  }

  get view(): RunView {
    return { saved: this.saved?.label ?? null, comparison: this.comparison?.comparison ?? null };
  }

  /** The saved run shown, if any. */
  get shownSaved(): ShownSaved | null {
    return this.saved;
  }

  /** The saved run drawn as ghost lines, if it came from the store. */
  get comparedId(): string | null {
    return this.comparison?.id ?? null;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.sidebar.resolveWebviewView(view);
  }

  /** An event of the current run: relayed while the current run is what is shown. */
  pushEvent(event: EngineEvent): void {
    if (this.saved) return;
    this.sidebar.pushEvent(event);
    this.editor.pushEvent(event);
  }

  /** The run controller changed the current run's state itself (start, crash, cancel). */
  sendState(): void {
    const { runId, status } = this.deps.live();
    const running = status === 'running';
    // A new run — the status turned to running (before the engine or script has named the run), or
    // one named run follows another: the dashboards follow it, whatever saved run was open. The
    // id of the run going arriving later is the same run.
    const began =
      (running && !this.liveRunning) ||
      (runId !== null && this.liveRunId !== null && runId !== this.liveRunId);
    this.liveRunId = runId;
    this.liveRunning = running;
    if (began) {
      if (this.saved) {
        this.saved = null;
        this.sendView();
      }
    }
    if (!this.saved) this.broadcastState();
  }

  showSaved(saved: ShownSaved): void {
    this.saved = saved;
    this.broadcastState();
    this.sendView();
  }

  /** Back to the current run (the saved run shown was deleted). */
  showLive(): void {
    if (!this.saved) return;
    this.saved = null;
    this.broadcastState();
    this.sendView();
  }

  /** `id`: the saved run the comparison came from (null: not from the store). */
  compare(comparison: RunComparison | null, id: string | null = null): void {
    this.comparison = comparison ? { id, comparison } : null;
    this.sendView();
  }

  /** Lenses, Problems entries, the sidebar's rows: the editor tab, at that layer. */
  focusLayer(layer: string): void {
    this.editor.open(layer);
  }

  openEditor(layer: string | null = null): void {
    this.editor.open(layer);
  }

  /** The editor tab when it is open, else the sidebar (the summary shows the run going). */
  async reveal(): Promise<void> {
    if (this.editor.isOpen) this.editor.open(null, true);
    else await this.sidebar.reveal();
  }

  /** Once per session, and only while nothing has run: the newest saved run instead of an empty page. */
  private restoreLatest(): void {
    if (this.restoring || this.saved || this.deps.live().status !== 'idle') return;
    this.restoring = this.deps.latestSaved().then(
      (latest) => {
        if (latest && !this.saved && this.deps.live().status === 'idle') this.showSaved(latest);
      },
      (e: unknown) => this.deps.log(`could not show the newest saved run: ${(e as Error).message}`),
    );
  }

  private broadcastState(): void {
    this.sidebar.sendState();
    this.editor.sendState();
  }

  private sendView(): void {
    this.sidebar.sendView();
    this.editor.sendView();
  }

  dispose(): void {
    this.sidebar.dispose();
    this.editor.dispose();
  }
}
