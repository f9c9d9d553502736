/**
 * Dashboard entry (bundled to dist/webview.js). Browser code only. Inside VS Code it talks to the
 * host through the protocol: it restores its last state from vscode.getState at once, asks for the
 * whole state with `ready` and applies what comes, rendering at most 10 times a second. In an
 * exported report (no VS Code, no host) it reads the messages embedded in the page instead and is
 * read-only. Everything it is given, from either side, passes the protocol's checks first.
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
import { EMBEDDED_DATA_ID, followColorScheme } from './standalone';

interface VsCodeApi {
  postMessage(message: WebviewRequest): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

const root = document.getElementById('app') as HTMLElement;
const embedded = document.getElementById(EMBEDDED_DATA_ID);
const api = embedded || typeof acquireVsCodeApi !== 'function' ? null : acquireVsCodeApi();
const layout = root.dataset.layout === 'compact' ? 'compact' : 'full';
document.body.dataset.layout = layout;
if (!api) followColorScheme();
let state: DashboardState = (api && fromPersisted(api.getState())) || emptyDashboardState();
const dashboard = new Dashboard(root, (r) => api?.postMessage(r), { layout, readOnly: api === null });
const persist = throttledSave((s: DashboardState) => api?.setState(toPersisted(s)), PERSIST_INTERVAL_MS);

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

function renderNow(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  lastRender = performance.now();
  dashboard.render(state);
  if (api) persist(state);
  const took = performance.now() - lastRender;
  renderInterval = Math.min(MAX_RENDER_INTERVAL_MS, Math.max(MIN_RENDER_INTERVAL_MS, RENDER_SHARE * took));
}

function scheduleRender(): void {
  if (timer) return;
  timer = setTimeout(renderNow, Math.max(0, renderInterval - (performance.now() - lastRender)));
}

function receive(raw: unknown): void {
  // The host is trusted, but a malformed message must not break the view: it is dropped.
  const parsed = checkHostMessage(raw);
  if (!parsed.ok) {
    console.warn(`Activation Lens: dropped a malformed host message: ${parsed.error}`);
    return;
  }
  const message = parsed.value;
  switch (message.type) {
    case 'state':
      state = message.state;
      return scheduleRender();
    case 'event':
      state = applyEngineEvent(state, message.event);
      return scheduleRender();
    case 'run-view':
      dashboard.setRunView(message.view);
      return scheduleRender();
    case 'focus-layer':
      // The layer's section must exist before it can open: draw what is pending first.
      renderNow();
      dashboard.focusLayer(message.layer, true);
      return;
  }
}

if (embedded) {
  let messages: unknown = null;
  try {
    messages = JSON.parse(embedded.textContent ?? 'null');
  } catch (e) {
    console.warn(`Activation Lens: the report's embedded data is not JSON: ${(e as Error).message}`);
  }
  for (const m of Array.isArray(messages) ? messages : []) receive(m);
  renderNow();
} else {
  window.addEventListener('message', (e: MessageEvent<unknown>) => receive(e.data));
}
new ResizeObserver(() => scheduleRender()).observe(root);

dashboard.render(state);
api?.postMessage(webviewRequest({ type: 'ready' }));
