// The two dashboards against the fake vscode: the editor tab (one at a time, the full layout, the
// same CSP and resource roots as the sidebar), its serializer (a tab restored after a reload is
// wired like a new one), focus-layer held until the webview is ready, and what they show (the
// current run, a saved run, a comparison, the newest saved run after a reload).
import { reset, recorded, Uri, fakeWebviewPanel, type FakeWebviewPanel } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { Dashboards, type ShownSaved } from '../../../extension/dashboards';
import { DASHBOARD_PANEL_TYPE } from '../../../extension/dashboard-panel';
import { applyEngineEvent, emptyDashboardState } from '../../../src/dashboard-state';
import type { DashboardState, HostMessage, WebviewRequest } from '../../../src/protocol';
import { comparisonFromReport } from '../../../src/saved-run';
import { runStarted } from './fixtures';
import { finishedState } from '../runs/finished-run';

beforeEach(reset);

function setup(latest: ShownSaved | null = null) {
  let live: DashboardState = emptyDashboardState();
  const requests: WebviewRequest[] = [];
  const logs: string[] = [];
  const dashboards = new Dashboards({
    extensionUri: Uri.file('/ext') as unknown as vscode.Uri,
    live: () => live,
    onRequest: (r) => requests.push(r),
    log: (m) => logs.push(m),
    latestSaved: () => Promise.resolve(latest),
  });
  return {
    dashboards,
    requests,
    logs,
    setLive: (s: DashboardState) => (live = s),
  };
}

const posted = (p: FakeWebviewPanel) => p.webview.posted as HostMessage[];
const types = (p: FakeWebviewPanel) =>
  posted(p).map((m) => (m.type === 'event' ? `event:${m.event.type}` : m.type));

test('the editor tab: the full layout under the same CSP and resource roots as the sidebar; one tab at a time', () => {
  const { dashboards } = setup();
  dashboards.openEditor();
  dashboards.openEditor();
  assert.equal(recorded.panels.length, 1, 'asking again reveals the tab');
  const panel = recorded.panels[0]!;
  assert.equal(panel.viewType, DASHBOARD_PANEL_TYPE);
  assert.equal(panel.revealed, 1);
  assert.equal(panel.webview.options.enableScripts, true);
  assert.deepEqual(
    panel.webview.options.localResourceRoots?.map((u) => u.fsPath),
    ['/ext/dist', '/ext/media'],
  );
  const html = panel.webview.html;
  assert.match(html, /<main id="app" data-layout="full">/);
  const csp = /content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(
    csp,
    /^default-src 'none'; img-src vscode-resource: data:; style-src vscode-resource:; font-src vscode-resource:; script-src 'nonce-[A-Za-z0-9+/=]{24}'$/,
  );
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
  assert.deepEqual(html.match(/<script\b[^>]*>/g), [
    `<script nonce="${nonce}" src="file:///ext/dist/webview.js">`,
  ]);
  // Closed by the person: the next open makes a new tab.
  panel.dispose();
  dashboards.openEditor();
  assert.equal(recorded.panels.length, 2);
  dashboards.dispose();
});

test('focus-layer waits for the webview to be ready, then follows the state and the run view', () => {
  const { dashboards } = setup();
  dashboards.focusLayer('dense');
  const panel = recorded.panels[0]!;
  assert.deepEqual(posted(panel), [], 'nothing before ready');
  panel.webview.send({ v: 1, type: 'ready' });
  assert.deepEqual(types(panel), ['state', 'run-view', 'focus-layer']);
  assert.deepEqual(posted(panel)[2], { v: 1, type: 'focus-layer', layer: 'dense' });
  // Ready already: a second lens click goes straight through.
  dashboards.focusLayer('conv2d');
  assert.deepEqual(posted(panel).at(-1), { v: 1, type: 'focus-layer', layer: 'conv2d' });
  assert.equal(panel.revealed, 1);
});

test('a tab hidden behind another loses its page: a lens click then waits for the page to be back', () => {
  const { dashboards } = setup();
  dashboards.openEditor();
  const panel = recorded.panels[0]!;
  panel.webview.send({ v: 1, type: 'ready' });
  panel.setVisible(false);
  const before = posted(panel).length;
  dashboards.focusLayer('dense'); // reveals the tab; its page loads again
  assert.equal(posted(panel).length, before, 'nothing posted to a page that is not there yet');
  panel.webview.send({ v: 1, type: 'ready' });
  assert.deepEqual(types(panel).slice(before), ['state', 'run-view', 'focus-layer']);
});

test('the serializer gives a tab restored after a reload the same wiring as a new one', async () => {
  const { dashboards, requests, logs } = setup();
  const restored = fakeWebviewPanel(DASHBOARD_PANEL_TYPE, 'Activation Lens');
  await dashboards.editor.deserializeWebviewPanel(restored as unknown as vscode.WebviewPanel, {
    version: 2,
    dashboard: {},
  });
  assert.match(restored.webview.html, /data-layout="full"/);
  assert.deepEqual(
    restored.webview.options.localResourceRoots?.map((u) => u.fsPath),
    ['/ext/dist', '/ext/media'],
  );
  restored.webview.send({ v: 1, type: 'ready' });
  assert.deepEqual(types(restored), ['state', 'run-view']);
  restored.webview.send({ v: 1, type: 'compare-previous' });
  restored.webview.send({ v: 1, type: 'apply-fix', layer: 'x"><script>' });
  assert.deepEqual(requests, [{ v: 1, type: 'compare-previous' }]);
  assert.match(logs[0] ?? '', /ignored a malformed dashboard message/);
  // The restored tab is the one tab: opening reveals it instead of making another.
  dashboards.openEditor('dense');
  assert.equal(recorded.panels.length, 0);
  assert.equal(restored.revealed, 1);
  assert.deepEqual(posted(restored).at(-1), { v: 1, type: 'focus-layer', layer: 'dense' });
});

test('a saved run shown: both dashboards get it; live events wait; a new run brings them back', () => {
  const { dashboards, setLive } = setup();
  setLive(applyEngineEvent(emptyDashboardState(), runStarted('live-1', '/w/m.py')));
  dashboards.sendState(); // what the run controller does when a run starts
  dashboards.openEditor();
  const panel = recorded.panels[0]!;
  panel.webview.send({ v: 1, type: 'ready' });
  const saved = finishedState({ runId: 'saved-1' });
  dashboards.showSaved({ id: 'saved-run-id', label: 'mnist_cnn · 12 Mar 2025', state: saved });
  assert.equal(dashboards.state, saved);
  assert.deepEqual(types(panel).slice(-2), ['state', 'run-view']);
  const view = posted(panel).at(-1);
  assert.ok(view?.type === 'run-view' && view.view.saved === 'mnist_cnn · 12 Mar 2025');
  const before = posted(panel).length;
  dashboards.pushEvent({ v: 1, runId: 'live-1', type: 'log', level: 'info', message: 'x' });
  dashboards.sendState(); // the same live run: the saved run stays
  assert.equal(posted(panel).length, before);
  setLive(applyEngineEvent(emptyDashboardState(), runStarted('live-2', '/w/m.py')));
  dashboards.sendState();
  assert.deepEqual(types(panel).slice(before), ['run-view', 'state']);
  assert.equal(dashboards.state.runId, 'live-2');
  assert.equal(dashboards.shownSaved, null);
});

test('a comparison goes to both dashboards and stays when a new run starts', () => {
  const { dashboards, setLive } = setup();
  dashboards.openEditor();
  const panel = recorded.panels[0]!;
  panel.webview.send({ v: 1, type: 'ready' });
  const comparison = comparisonFromReport(finishedState().report!, 'previous run');
  dashboards.compare(comparison, 'saved-0');
  assert.equal(dashboards.comparedId, 'saved-0');
  const last = posted(panel).at(-1);
  assert.ok(last?.type === 'run-view' && last.view.comparison?.label === 'previous run');
  setLive(applyEngineEvent(emptyDashboardState(), runStarted('live-3', null)));
  dashboards.sendState();
  panel.webview.send({ v: 1, type: 'ready' });
  const again = posted(panel).at(-1);
  assert.ok(again?.type === 'run-view' && again.view.comparison?.label === 'previous run');
  dashboards.compare(null);
  const cleared = posted(panel).at(-1);
  assert.ok(cleared?.type === 'run-view' && cleared.view.comparison === null);
});

test('after a reload, before any run: the newest saved run instead of an empty page', async () => {
  const latest = { id: 'saved-9', label: 'mnist_cnn · yesterday', state: finishedState({ runId: 'r9' }) };
  const { dashboards } = setup(latest);
  const restored = fakeWebviewPanel(DASHBOARD_PANEL_TYPE);
  await dashboards.editor.deserializeWebviewPanel(restored as unknown as vscode.WebviewPanel, null);
  restored.webview.send({ v: 1, type: 'ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(dashboards.shownSaved?.id, 'saved-9');
  const view = posted(restored).at(-1);
  assert.ok(view?.type === 'run-view' && view.view.saved === 'mnist_cnn · yesterday');
  const state = posted(restored)
    .filter((m) => m.type === 'state')
    .at(-1);
  assert.ok(state?.type === 'state' && state.state.runId === 'r9');
});

test('a run already going is never replaced by a saved one', async () => {
  const { dashboards, setLive } = setup({ id: 's', label: 'old', state: finishedState() });
  setLive(applyEngineEvent(emptyDashboardState(), runStarted('live', null)));
  dashboards.openEditor();
  recorded.panels[0]!.webview.send({ v: 1, type: 'ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(dashboards.shownSaved, null);
  assert.equal(dashboards.state.runId, 'live');
});

test('after a reload a saved run is shown; a run starting (not yet named) brings the dashboards to it', async () => {
  const latest = { id: 'saved-9', label: 'mnist_cnn · yesterday', state: finishedState({ runId: 'r9' }) };
  const { dashboards, setLive } = setup(latest);
  dashboards.openEditor();
  const panel = recorded.panels[0]!;
  panel.webview.send({ v: 1, type: 'ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(dashboards.shownSaved?.id, 'saved-9');
  // What startLive / start do: running, before the script or engine has said run-started.
  setLive({ ...emptyDashboardState(), status: 'running' });
  dashboards.sendState();
  assert.equal(dashboards.shownSaved, null);
  const view = posted(panel)
    .filter((m) => m.type === 'run-view')
    .at(-1);
  assert.ok(view?.type === 'run-view' && view.view.saved === null);
  // Its run-started names it: the same run; a saved run opened now stays until the next run.
  setLive(applyEngineEvent({ ...emptyDashboardState(), status: 'running' }, runStarted('live-5', null)));
  dashboards.pushEvent(runStarted('live-5', null));
  dashboards.showSaved(latest);
  setLive({
    ...dashboards.state,
    ...applyEngineEvent(emptyDashboardState(), runStarted('live-5', null)),
    status: 'finished',
  });
  dashboards.sendState();
  assert.equal((dashboards.shownSaved as ShownSaved | null)?.id, 'saved-9');
});
