import { reset, EventEmitter, Uri } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { DashboardViewProvider } from '../../../extension/dashboard-view';
import type { EngineEvent, HostMessage, WebviewRequest } from '../../../src/protocol';
import { emptyDashboardState } from '../../../src/dashboard-state';

function fakeView() {
  const fromWebview = new EventEmitter<unknown>();
  const posted: HostMessage[] = [];
  const webview = {
    options: {} as { enableScripts?: boolean; localResourceRoots?: { fsPath: string }[] },
    html: '',
    cspSource: 'vscode-resource:',
    asWebviewUri: (u: unknown) => u,
    postMessage: (m: HostMessage) => {
      posted.push(m);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: fromWebview.event,
  };
  const view = {
    webview,
    visible: true,
    show: () => undefined,
    onDidChangeVisibility: new EventEmitter<void>().event,
    onDidDispose: new EventEmitter<void>().event,
  };
  return { view, posted, send: (m: unknown) => fromWebview.fire(m) };
}

beforeEach(reset);

function setup() {
  const requests: WebviewRequest[] = [];
  const logs: string[] = [];
  const provider = new DashboardViewProvider(Uri.file('/ext') as unknown as vscode.Uri, {
    state: () => emptyDashboardState(),
    view: () => ({ saved: null, comparison: null }),
    onRequest: (r) => requests.push(r),
    onReady: () => undefined,
    log: (m) => logs.push(m),
  });
  const f = fakeView();
  provider.resolveWebviewView(f.view as unknown as vscode.WebviewView);
  return { provider, requests, logs, ...f };
}

const progress = (step: number): EngineEvent => ({
  v: 1,
  runId: 'r',
  type: 'progress',
  step,
  totalSteps: 10,
  loss: 1,
  accuracy: 0.5,
  samplesPerSecond: 100,
});

test('scripts on, resources limited to dist/ and media/; the sidebar gets the compact layout', () => {
  const { view } = setup();
  assert.equal(view.webview.options.enableScripts, true);
  assert.deepEqual(
    view.webview.options.localResourceRoots?.map((u) => u.fsPath),
    ['/ext/dist', '/ext/media'],
  );
  assert.match(view.webview.html, /default-src 'none'/);
  assert.match(view.webview.html, /<main id="app" data-layout="compact">/);
});

test('ready is answered with the whole state and the run view; valid requests pass; malformed ones are dropped', () => {
  const { send, posted, requests, logs } = setup();
  send({ v: 1, type: 'ready' });
  assert.deepEqual(
    posted.map((m) => m.type),
    ['state', 'run-view'],
  );
  send({ v: 1, type: 'apply-fix', layer: 'dense_1' });
  send({ v: 1, type: 'apply-fix', layer: '<img onerror=x>' });
  send({ v: 2, type: 'stop' });
  send({ v: 1, type: 'run-what-if', layers: ['conv2d', 42] });
  send('stop');
  send({ v: 1, type: 'go-to-layer', layer: 'conv2d' });
  send({ v: 1, type: 'open-in-editor', layer: null });
  send({ v: 1, type: 'open-in-editor', layer: '../x y' });
  send({ v: 1, type: 'open-in-editor' });
  send({ v: 1, type: 'compare-previous' });
  assert.deepEqual(requests, [
    { v: 1, type: 'apply-fix', layer: 'dense_1' },
    { v: 1, type: 'go-to-layer', layer: 'conv2d' },
    { v: 1, type: 'open-in-editor', layer: null },
    { v: 1, type: 'compare-previous' },
  ]);
  assert.equal(logs.length, 6);
});

test('events are batched: nothing sent at once, all of them within one 100 ms tick', async () => {
  const { provider, posted, send } = setup();
  provider.pushEvent(progress(-1));
  send({ v: 1, type: 'ready' });
  posted.length = 0;
  for (let i = 0; i < 5; i++) provider.pushEvent(progress(i));
  assert.equal(posted.length, 0);
  await new Promise((r) => setTimeout(r, 130));
  assert.deepEqual(
    posted.map((m) => (m.type === 'event' && m.event.type === 'progress' ? m.event.step : -1)),
    [0, 1, 2, 3, 4],
  );
  for (let i = 0; i < 50; i++) provider.pushEvent(progress(i));
  await new Promise((r) => setTimeout(r, 130));
  assert.equal(posted.length, 6, 'a large batch becomes one whole-state message');
  assert.equal(posted[5]?.type, 'state');
  provider.dispose();
});
