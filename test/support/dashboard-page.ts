/**
 * The built dashboard (dist/webview.js) served to a real Chromium under the host's CSP, with a
 * stand-in for VS Code's webview API that records what the page posts. For webview tests that
 * need a browser; they skip where Chromium is missing.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dashboardHtml } from '../../extension/dashboard-html';
import type { DashboardState } from '../../src/protocol';

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
/** The repository (the bundled test's __dirname is under dist-test/, whatever folder it came from). */
function repoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src', 'protocol.ts'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}
const ROOT = repoRoot(__dirname);
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.html': 'text/html',
};

export interface DashboardPage {
  page: Page;
  /** Requests the page posted to the host, in order (the first is `ready`). */
  posted(): Promise<unknown[]>;
  /** Sends the whole state, as the host does on `ready`. */
  sendState(state: DashboardState): Promise<void>;
  /** Console errors and page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export async function openDashboard(): Promise<DashboardPage> {
  if (!existsSync(join(ROOT, 'dist', 'webview.js'))) throw new Error('run npm run build first');
  let page = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const file = normalize(join(ROOT, url.pathname));
    const inside = file.startsWith(join(ROOT, 'dist')) || file.startsWith(join(ROOT, 'media'));
    if (!inside || !existsSync(file)) {
      res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const nonce = 'cGFydGlhbC1iYW5uZXItdGVzdA==';
  const stub = `<script nonce="${nonce}">window.__posted=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__posted.push(m),getState:()=>null,setState:()=>undefined});</script>`;
  page = dashboardHtml(
    {
      cspSource: origin,
      scriptUri: `${origin}/dist/webview.js`,
      codiconUri: `${origin}/dist/codicon.css`,
      styleUris: [`${origin}/dist/uPlot.min.css`, `${origin}/media/dashboard.css`],
    },
    nonce,
  ).replace('<script nonce', `${stub}\n  <script nonce`);
  const { chromium } = await import('playwright-core');
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'al-chromium-')) },
  });
  const p = await browser.newPage({ viewport: { width: 420, height: 1000 } });
  const problems: string[] = [];
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  p.on('pageerror', (e) => problems.push(e.message));
  await p.goto(`${origin}/index.html`);
  await p.waitForFunction(() => (globalThis as unknown as { __posted: unknown[] }).__posted.length > 0);
  return {
    page: p,
    problems,
    posted: () => p.evaluate(() => (globalThis as unknown as { __posted: unknown[] }).__posted),
    sendState: async (state) => {
      await p.evaluate(
        (s) =>
          (globalThis as unknown as { postMessage(m: unknown, t: string): void }).postMessage(
            { v: 1, type: 'state', state: s },
            '*',
          ),
        state,
      );
    },
    close: async () => {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
