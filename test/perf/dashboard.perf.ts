/**
 * `npm run test:perf`: is the dashboard smooth for a wide model? Loads the built webview bundle
 * (dist/webview.js) in Chromium under a stand-in for VS Code's webview API (whose setState
 * serialises the state to JSON, as VS Code's does), streams a synthetic run from a Web Worker —
 * run-started with 200 tapped layers, then 500 probe events at 10 a second — and records every
 * animation frame's interval and the JS heap. While it streams, a "user" opens two layers from
 * the overview. Prints p50 / p95 / max frame time and the heap at start, peak and end; writes them
 * to test/e2e/.run/artifacts/perf-dashboard.json with a screenshot of the overview of a 50-layer
 * run (overview-50-layers.png). A measurement, not a pass/fail unit test: it exits 1 only when the
 * page fails or the goal (p95 ≤ 33 ms) is missed, so CI can show the numbers either way.
 */
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from 'playwright-core';
import { dashboardHtml } from '../../extension/dashboard-html';
import { findRepoRoot } from '../e2e/run-layout';
import { applyThemeScript } from '../support/webview-theme';
import type { SyntheticRunRequest } from './synthetic-run.worker';

const ROOT = findRepoRoot(__dirname);
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test/e2e/.run/artifacts');
const LAYERS = Number(process.env.PERF_LAYERS ?? 200);
const PROBES = Number(process.env.PERF_PROBES ?? 500);
const PER_SECOND = Number(process.env.PERF_RATE ?? 10);
const GOAL_P95_MS = 33;
/** PERF_PROFILE=1: also print where the page's main thread spent its time (self time per function). */
const PROFILE = process.env.PERF_PROFILE === '1';
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

/** The page's globals the callbacks below use (this tsconfig has no DOM lib). */
interface PerfPage {
  __frames: number[];
  __recording: boolean;
  __done: boolean;
  __events: number;
  __stateBytes: number;
  __setStateMs: number[];
  __longTasks: number[];
  __startRun(request: SyntheticRunRequest): void;
  performance: { now(): number; memory?: { usedJSHeapSize: number } };
  requestAnimationFrame(f: (t: number) => void): void;
  document: { querySelector(s: string): { getBoundingClientRect(): { y: number; height: number } } | null };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function heapMb(page: Page, collect: boolean): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  if (collect) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize / 2 ** 20;
}

function serve(page: () => string): Promise<{ origin: string; close(): void }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end(); // the browser asks on its own; a webview never does
      return;
    }
    if (url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page());
      return;
    }
    const file = normalize(join(ROOT, url.pathname));
    const allowed = ['dist', 'dist-test', 'media'].some((d) => file.startsWith(join(ROOT, d)));
    if (!allowed || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => server.close(),
      }),
    ),
  );
}

/** The dashboard page with a stand-in webview API and the synthetic run's worker. */
function pageHtml(origin: string): string {
  const nonce = 'cGVyZi1ub25jZS0xMjM0NQ==';
  const stub = `<script nonce="${nonce}">
window.__events = 0; window.__stateBytes = 0; window.__setStateMs = []; window.__saved = null;
window.acquireVsCodeApi = () => ({
  postMessage: () => {},
  getState: () => window.__saved,
  // VS Code's webview serialises the state to JSON on every setState: so does this stand-in.
  setState: (s) => { const t0 = performance.now(); const json = JSON.stringify(s); window.__setStateMs.push(performance.now() - t0); window.__stateBytes = json.length; },
});
window.__startRun = (request) => {
  const worker = new Worker('${origin}/dist-test/perf/synthetic-run.worker.js');
  window.__done = false;
  worker.onmessage = (e) => {
    if (e.data.kind === 'done') { window.__done = true; return; }
    window.__events++;
    // Delivered as the host's messages are: a message event on the window.
    window.dispatchEvent(new MessageEvent('message', { data: { v: 1, type: 'event', event: e.data.event } }));
  };
  worker.postMessage(request);
};
</script>`;
  return dashboardHtml(
    {
      cspSource: origin,
      scriptUri: `${origin}/dist/webview.js`,
      codiconUri: `${origin}/dist/codicon.css`,
      styleUris: [`${origin}/dist/uPlot.min.css`, `${origin}/media/dashboard.css`],
    },
    nonce,
  ).replace('<script nonce', `${stub}\n  <script nonce`);
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

function printProfile(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number | undefined) => {
    const f = id === undefined ? undefined : byId.get(id);
    return f ? `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}` : '?';
  };
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    // Native calls (layout, canvas) are named with the script function that made them.
    const f = byId.get(id);
    const key = f && !f.url ? `${name(id)} ← ${name(parent.get(id))}` : name(id);
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log('self time (ms), top 25:');
  for (const [k, ms] of top) console.log(`  ${ms.toFixed(0).padStart(7)}  ${k}`);
  // Inclusive time of the dashboard's own functions (a function counted once per sample).
  const total = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at);
      if (!f?.url.endsWith('webview.js')) continue;
      const key = name(at);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    }
  });
  console.log('inclusive time (ms) in webview.js, top 25:');
  for (const [k, ms] of [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`  ${ms.toFixed(0).padStart(7)}  ${k}`);
}

async function main(): Promise<void> {
  for (const f of ['dist/webview.js', 'dist-test/perf/synthetic-run.worker.js'])
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  let html = '';
  const server = await serve(() => html);
  html = pageHtml(server.origin);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--enable-precise-memory-info',
    ],
    env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'al-perf-')) },
  });
  const problems: string[] = [];
  try {
    // The CSP is the host's (tested in dashboard-render.unit.test.ts); a worker needs it relaxed.
    const context = await browser.newContext({ viewport: { width: 480, height: 1000 }, bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });

    // 1. The wide run, streamed at a realistic rate while frames are recorded.
    await page.goto(`${server.origin}/index.html`);
    await page.waitForSelector('.overview');
    await page.evaluate(applyThemeScript());
    await page.evaluate(() => {
      const w = globalThis as unknown as PerfPage;
      w.__frames = [];
      w.__longTasks = [];
      w.__recording = true;
      let last = w.performance.now();
      const tick = (t: number) => {
        if (!w.__recording) return;
        w.__frames.push(t - last);
        last = t;
        w.requestAnimationFrame(tick);
      };
      w.requestAnimationFrame(tick);
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration);
      }).observe({ type: 'longtask' as never });
    });
    const heapStart = await heapMb(page, true);
    const profiler = PROFILE ? await page.context().newCDPSession(page) : null;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.start');
    }
    const started = Date.now();
    await page.evaluate((request) => (globalThis as unknown as PerfPage).__startRun(request), {
      runId: 'perf',
      layers: LAYERS,
      probes: PROBES,
      perSecond: PER_SECOND,
      stepsPerProbe: 10,
    });
    let heapPeak = heapStart;
    let opened = 0;
    for (;;) {
      await page.waitForTimeout(1000);
      heapPeak = Math.max(heapPeak, await heapMb(page, false));
      const events = await page.evaluate(() => (globalThis as unknown as PerfPage).__events);
      // A person opens two layers from the overview while it runs (charts then draw live too).
      if (opened < 2 && events > (opened + 1) * (PROBES / 3)) {
        const box = await page.locator('.overview-canvas').boundingBox();
        if (box) await page.mouse.click(box.x + box.width / 2, box.y + 2 + opened * 8);
        opened++;
      }
      if (await page.evaluate(() => (globalThis as unknown as PerfPage).__done)) break;
      if (Date.now() - started > 10 * 60_000)
        throw new Error('the synthetic run did not finish in 10 minutes');
    }
    await page.waitForTimeout(500);
    if (profiler) printProfile(((await profiler.send('Profiler.stop')) as { profile: CpuProfile }).profile);
    const { frames, longTasks, stateBytes, setStateMs, events } = await page.evaluate(() => {
      const w = globalThis as unknown as PerfPage;
      w.__recording = false;
      return {
        frames: w.__frames.slice(1),
        longTasks: w.__longTasks,
        stateBytes: w.__stateBytes,
        setStateMs: w.__setStateMs,
        events: w.__events,
      };
    });
    const heapEnd = await heapMb(page, true);
    const sorted = [...frames].sort((a, b) => a - b);
    const result = {
      layers: LAYERS,
      probeEvents: PROBES,
      eventsPerSecond: PER_SECOND,
      eventsReceived: events,
      seconds: (Date.now() - started) / 1000,
      frames: frames.length,
      frameMs: {
        p50: +percentile(sorted, 0.5).toFixed(1),
        p95: +percentile(sorted, 0.95).toFixed(1),
        p99: +percentile(sorted, 0.99).toFixed(1),
        max: +(sorted[sorted.length - 1] ?? NaN).toFixed(1),
      },
      framesOver33ms: frames.filter((f) => f > 33).length,
      longTasks: { count: longTasks.length, maxMs: +Math.max(0, ...longTasks).toFixed(1) },
      heapMb: { start: +heapStart.toFixed(1), peak: +heapPeak.toFixed(1), end: +heapEnd.toFixed(1) },
      persistedStateKb: Math.round(stateBytes / 1024),
      setStateMsMax: +Math.max(0, ...setStateMs).toFixed(1),
      chromium: browser.version(),
    };
    console.log(
      `dashboard, ${LAYERS} layers × ${PROBES} probe events at ${PER_SECOND}/s: frame time p50 ${result.frameMs.p50} ms, p95 ${result.frameMs.p95} ms, max ${result.frameMs.max} ms (${frames.length} frames, ${result.framesOver33ms} over 33 ms); JS heap ${result.heapMb.start} MB at start, ${result.heapMb.peak} MB peak, ${result.heapMb.end} MB at end`,
    );
    await page.close();

    // 2. The screenshot: the overview of a 50-layer run (fed at once; no timing here).
    const shotPage = await context.newPage();
    await shotPage.setViewportSize({ width: 480, height: 1400 }); // the whole 50-row overview in view
    shotPage.on('pageerror', (e) => problems.push(e.message));
    await shotPage.goto(`${server.origin}/index.html`);
    await shotPage.evaluate(applyThemeScript());
    await shotPage.evaluate((request) => (globalThis as unknown as PerfPage).__startRun(request), {
      runId: 'shot',
      layers: 50,
      probes: 120,
      perSecond: 0,
      stepsPerProbe: 10,
    });
    await shotPage.waitForFunction(
      () => (globalThis as unknown as PerfPage).__done && (globalThis as unknown as PerfPage).__events >= 241,
    );
    await shotPage.waitForTimeout(400);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'overview-50-layers.png');
    await shotPage.locator('.overview').screenshot({ path: shot });
    writeFileSync(join(ARTIFACTS, 'perf-dashboard.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    console.log(`screenshot: ${shot}`);
    if (problems.length > 0) throw new Error(`the page reported errors:\n${problems.join('\n')}`);
    if (!(result.frameMs.p95 <= GOAL_P95_MS)) {
      console.error(`frame time p95 ${result.frameMs.p95} ms is over the goal of ${GOAL_P95_MS} ms`);
      process.exitCode = 1;
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 1;
});
