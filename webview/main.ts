/**
 * Dashboard entry (bundled to dist/webview.js). Browser code only: it talks to the host through
 * the protocol, restores its last state from vscode.getState at once, then asks for the whole
 * state with `ready` and applies events as they come, rendering at most 10 times a second.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import { checkHostMessage, webviewRequest, type DashboardState, type WebviewRequest } from '../src/protocol';
import { applyEngineEvent, emptyDashboardState } from '../src/dashboard-state';
import { fromPersisted, PERSIST_INTERVAL_MS, throttledSave, toPersisted } from './persisted-state';
import { Dashboard } from './dashboard';

interface VsCodeApi {
  postMessage(message: WebviewRequest): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const root = document.getElementById('app') as HTMLElement;
let state: DashboardState = fromPersisted(api.getState()) ?? emptyDashboardState();
const dashboard = new Dashboard(root, (r) => api.postMessage(r));
const persist = throttledSave((s: DashboardState) => api.setState(toPersisted(s)), PERSIST_INTERVAL_MS);

/**
 * At most 10 renders a second, and rendering at most 1/RENDER_SHARE of the time: a wide model on
 * a busy machine is redrawn less often instead of dropping frames (at least once a second).
 */
const MIN_RENDER_INTERVAL_MS = 100;
const MAX_RENDER_INTERVAL_MS = 1000;
const RENDER_SHARE = 8;
let renderInterval = MIN_RENDER_INTERVAL_MS;
let lastRender = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
function scheduleRender(): void {
  if (timer) return;
  timer = setTimeout(
    () => {
      timer = null;
      lastRender = performance.now();
      dashboard.render(state);
      persist(state);
      const took = performance.now() - lastRender;
      renderInterval = Math.min(
        MAX_RENDER_INTERVAL_MS,
        Math.max(MIN_RENDER_INTERVAL_MS, RENDER_SHARE * took),
      );
    },
    Math.max(0, renderInterval - (performance.now() - lastRender)),
  );
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  // The host is trusted, but a malformed message must not break the view: it is dropped.
  const parsed = checkHostMessage(e.data);
  if (!parsed.ok) {
    console.warn(`Activation Lens: dropped a malformed host message: ${parsed.error}`);
    return;
  }
  const message = parsed.value;
  state = message.type === 'state' ? message.state : applyEngineEvent(state, message.event);
  scheduleRender();
});
new ResizeObserver(() => scheduleRender()).observe(root);

dashboard.render(state);
api.postMessage(webviewRequest({ type: 'ready' }));
