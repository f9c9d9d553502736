// The built dashboard (dist/webview.js) in a real Chromium, under the same CSP the host sets:
// the state renders into the DOM hooks the e2e suite uses, buttons post valid requests, the view
// persists a versioned state, the model overview opens a layer by mouse and keyboard, and nothing
// is refused by the CSP. Skips where Chromium is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { dashboardHtml } from '../../../extension/dashboard-html';
import { applyEngineEvent, emptyDashboardState } from '../../../src/dashboard-state';
import { probe, probeEvent, runStarted } from '../extension/fixtures';
import type { DashboardState, Finding } from '../../../src/protocol';
import { applyThemeScript } from '../../support/webview-theme';

/** The page's globals as the callbacks below see them (this tsconfig has no DOM lib). */
interface PageGlobals {
  __posted: unknown[];
  __saved: { version: number; dashboard: DashboardState };
  postMessage(message: unknown, target: string): void;
  document: {
    querySelector(s: string): { textContent: string | null } | null;
    querySelectorAll(s: string): { length: number };
    activeElement: unknown;
  };
}

/** Whether a canvas has any non-transparent pixel (drawn, not just created). */
function drawnCanvas(selector: string): string {
  return `(() => { const c = document.querySelector(${JSON.stringify(selector)}); if (!c || !c.width || !c.height) return false; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true; return false; })()`;
}

/** A model wider than the dashboard opens by default: layer05 is the one dying. */
const WIDE_LAYERS = Array.from({ length: 12 }, (_, i) => `layer${String(i).padStart(2, '0')}`);

function wideProbe(step: number) {
  return probeEvent(
    'w',
    step,
    WIDE_LAYERS.map((name, i) =>
      probe(name, step, i === 5 ? Math.round((200 * step) / 100) : i % 3, 256, 0.1 * i + step / 500, {
        // layer05's activations grow: its range doubles at step 50, from [0, 4) to [0, 8).
        histogram: {
          edges: Array.from({ length: 65 }, (_, k) => (k * (step < 50 || i !== 5 ? 1 : 2)) / 16),
          counts: Array.from({ length: 64 }, (_, k) => (k < 40 ? 10 : 0)),
          underflow: 0,
          overflow: 0,
        },
      }),
    ),
  );
}

function wideState(upTo: number): DashboardState {
  let s = applyEngineEvent(emptyDashboardState(), runStarted('w', '/w/wide.py'));
  for (let step = 0; step <= upTo; step += 10) s = applyEngineEvent(s, wideProbe(step));
  return s;
}

const ROOT = join(__dirname, '..', '..', '..');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = process.env.ACTIVATION_LENS_SCREENSHOTS ?? null;
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.html': 'text/html',
};

function state(): DashboardState {
  let s = applyEngineEvent(emptyDashboardState(), {
    ...runStarted('r', '/w/mnist_cnn.py'),
    definitions: { dead: 'A unit that fired 0 of N.' },
  });
  for (let step = 0; step <= 60; step += 10) {
    s = applyEngineEvent(s, {
      v: 1,
      runId: 'r',
      type: 'progress',
      step,
      totalSteps: 300,
      loss: 2.3 - step / 40,
      accuracy: step / 70,
      samplesPerSecond: 310,
    });
    const spread = (k: number) => ({
      edges: Array.from({ length: 65 }, (_, i) => i / 16),
      counts: Array.from({ length: 64 }, (_, i) => Math.round(200 * Math.exp(-((i - k) ** 2) / 40))),
      underflow: 0,
      overflow: 0,
    });
    s = applyEngineEvent(
      s,
      probeEvent('r', step, [
        probe('conv2d', step, 0, 32, 0.1 + step / 600, { histogram: spread(8 + step / 10) }),
        probe('dense', step, Math.round((105 * step) / 60), 256, 0.12 + step / 230, {
          histogram: spread(20 - step / 6),
        }),
      ]),
    );
  }
  const finding: Finding = {
    kind: 'dead-units',
    layer: 'dense',
    severity: 'warning',
    message: 'dense: 105 of 256 units fired 0 of 256 probe samples',
    evidence: { dead: 105, units: 256, fraction: 0.41, step: 60 },
    source: { file: '/w/mnist_cnn.py', line: 14, column: 5 },
    suggestion: {
      kind: 'switch-to-elu',
      layer: 'dense',
      alpha: 1,
      heInit: true,
      earlyStopping: true,
      rationale: 'ELU has a non-zero gradient for x ≤ 0, so these units can recover.',
    },
  };
  return { ...s, findings: [finding] };
}

test(
  'dashboard renders the state under the strict CSP in Chromium',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is missing` },
  async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'webview.js')), 'run npm run build first');
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end(); // the browser asks on its own; a webview never does
        return;
      }
      if (url.pathname === '/index.html') {
        const layout = url.searchParams.get('layout') === 'compact' ? 'compact' : 'full';
        res.writeHead(200, { 'content-type': 'text/html' }).end(page(layout));
        return;
      }
      const file = normalize(join(ROOT, url.pathname));
      if (
        !(file.startsWith(join(ROOT, 'dist')) || file.startsWith(join(ROOT, 'media'))) ||
        !existsSync(file)
      ) {
        res.writeHead(404).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
        .end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const nonce = 'dGVzdC1ub25jZS0xMjM0NQ==';
    // The stand-in for VS Code's webview API, allowed by the same nonce as the dashboard script.
    const stub = `<script nonce="${nonce}">window.__posted=[];window.__saved=null;window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__posted.push(m),getState:()=>window.__saved,setState:(s)=>{window.__saved=s;}});</script>`;
    const page = (layout: 'compact' | 'full') =>
      dashboardHtml(
        {
          cspSource: origin,
          scriptUri: `${origin}/dist/webview.js`,
          codiconUri: `${origin}/dist/codicon.css`,
          styleUris: [`${origin}/dist/uPlot.min.css`, `${origin}/media/dashboard.css`],
          layout,
        },
        nonce,
      ).replace('<script nonce', `${stub}\n  <script nonce`);

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'al-chromium-')) },
    });
    try {
      const p = await browser.newPage({ viewport: { width: 420, height: 1400 } });
      const problems: string[] = [];
      p.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      p.on('pageerror', (e) => problems.push(e.message));
      await p.goto(`${origin}/index.html`);
      await p.evaluate(applyThemeScript());
      await p.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.length > 0);
      assert.deepEqual(await p.evaluate(() => (globalThis as unknown as PageGlobals).__posted), [
        { v: 1, type: 'ready' },
      ]);

      await p.evaluate(
        (s) => (globalThis as unknown as PageGlobals).postMessage({ v: 1, type: 'state', state: s }, '*'),
        state(),
      );
      await p
        .waitForSelector('section[data-layer="dense"] canvas.histogram', { timeout: 8000 })
        .catch((e) => {
          throw new Error(String(e) + '\n' + problems.join('\n'));
        });
      assert.match((await p.textContent('#status')) ?? '', /^Running sequential on wasm · step 60\/300/);
      assert.equal(await p.locator('section[data-layer]').count(), 2);
      assert.equal(
        await p.locator('section[data-layer="dense"] canvas.histogram').count(),
        2,
        'heatmap + current histogram',
      );
      assert.match(
        (await p.textContent('section[data-layer="dense"] .layer-stats')) ?? '',
        /^41% dead \(105\/256\)/,
      );
      assert.equal(await p.locator('.finding-card').count(), 1);
      // The card: kind and layer in the title, the message once (without the layer it starts
      // with), the rationale without the message it restates, the evidence as a table.
      const card = (await p.textContent('.finding-card')) ?? '';
      assert.equal(await p.textContent('.finding-card .finding-title'), 'Dead units · dense');
      assert.equal(await p.textContent('.finding-card .finding-where'), 'mnist_cnn.py:14');
      assert.equal(card.split('105 of 256 units fired 0 of 256 probe samples').length - 1, 1, card);
      assert.ok(!card.includes('dense: '), card);
      assert.equal(
        await p.textContent('.finding-card .rationale'),
        'ELU has a non-zero gradient for x ≤ 0, so these units can recover.',
      );
      assert.deepEqual(
        await p
          .locator('.finding-card table.evidence tr')
          .evaluateAll((rows) =>
            rows.map((r) => (r as unknown as { innerText: string }).innerText.split('\t')),
          ),
        [
          ['dead', '105'],
          ['units', '256'],
          ['fraction', '0.410'],
          ['probe step', '60'],
        ],
      );
      assert.equal(
        await p.locator('section[data-layer]').first().getAttribute('data-layer'),
        'dense',
        'worst layer first',
      );
      assert.match((await p.textContent('.definitions')) ?? '', /A unit that fired 0 of N\./);
      // The overview: one row per layer, drawn on one canvas.
      assert.equal(await p.getAttribute('.overview-canvas', 'data-rows'), '2');
      assert.equal(await p.getAttribute('.overview-canvas', 'data-columns'), '7');
      assert.ok(await p.evaluate(drawnCanvas('.overview-canvas')), 'the overview has drawn cells');

      // A live event after the state: one more probe step appears.
      await p.evaluate(() =>
        (globalThis as unknown as PageGlobals).postMessage(
          {
            v: 1,
            type: 'event',
            event: {
              v: 1,
              runId: 'r',
              type: 'progress',
              step: 70,
              totalSteps: 300,
              loss: 0.5,
              accuracy: 0.9,
              samplesPerSecond: 300,
            },
          },
          '*',
        ),
      );
      await p.waitForFunction(() =>
        (globalThis as unknown as PageGlobals).document
          .querySelector('#status')
          ?.textContent?.includes('step 70/300'),
      );

      await p.click('.finding-card [data-action="apply-fix"]');
      await p.click('.finding-card [data-action="run-what-if"]');
      await p.click('.finding-card [data-action="go-to-layer"]');
      const posted = await p.evaluate(() => (globalThis as unknown as PageGlobals).__posted.slice(1));
      assert.deepEqual(posted, [
        { v: 1, type: 'apply-fix', layer: 'dense' },
        { v: 1, type: 'run-what-if', layers: ['dense'] },
        { v: 1, type: 'go-to-layer', layer: 'dense' },
      ]);
      // "Show layer" opens the section here, posting nothing.
      await p.click('.finding-card [data-action="show-layer"]');
      assert.equal(await p.evaluate(() => (globalThis as unknown as PageGlobals).__posted.length), 4);
      // Persisted at most every 2 s, the latest state last.
      await p.waitForFunction(
        () => (globalThis as unknown as PageGlobals).__saved?.dashboard.progress.at(-1)?.step === 70,
        undefined,
        { timeout: 5000 },
      );
      const saved = await p.evaluate(() => (globalThis as unknown as PageGlobals).__saved);
      assert.equal(saved.version, 2);
      // Without a what-if arm its series stay hidden; a second arm (the ELU run) shows beside the first.
      const whatIf = (
        await p.locator('section[data-layer="dense"] .u-legend .u-series').allTextContents()
      ).map((t) => t.trim());
      assert.ok(whatIf.includes('what-if mean') && whatIf.includes('compared dead'));
      assert.equal(
        await p.locator('section[data-layer="dense"] .u-legend .u-series.u-off').count(),
        4,
        'what-if and compared series hidden',
      );
      const armed = state();
      armed.probes = [
        ...armed.probes.map((e) => ({ ...e, arm: 'relu' })),
        ...armed.probes.map((e) => ({
          ...e,
          arm: 'elu',
          layers: e.layers.map((l) => ({
            ...l,
            mean: l.mean / 4,
            dead: { count: 0, fraction: 0, units: [] },
          })),
        })),
      ];
      await p.evaluate(
        (st) => (globalThis as unknown as PageGlobals).postMessage({ v: 1, type: 'state', state: st }, '*'),
        armed,
      );
      await p.waitForFunction(
        () =>
          (globalThis as unknown as PageGlobals).document.querySelectorAll(
            'section[data-layer="dense"] .u-legend .u-series.u-off',
          ).length === 2,
      );
      // Another run behind this one: its series as ghost lines in both trend charts, named above.
      await p.evaluate(
        (view) => (globalThis as unknown as PageGlobals).postMessage({ v: 1, type: 'run-view', view }, '*'),
        {
          saved: null,
          comparison: {
            label: 'previous run · 12 Mar 14:02',
            training: {
              steps: 60,
              loss: Array.from({ length: 60 }, (_, i) => 2.5 - i / 50),
              accuracy: Array.from({ length: 60 }, (_, i) => i / 80),
              valLoss: [],
              valAccuracy: [],
              valSteps: [],
              samplesPerSecond: 1,
              wallSeconds: 1,
              probeSeconds: 0,
            },
            layers: [
              {
                name: 'dense',
                deadFraction: [0, 25, 50].map((step) => ({ step, fraction: step / 200 })),
                meanDrift: [0, 25, 50].map((step) => ({ step, mean: 0.1 + step / 100 })),
              },
            ],
          },
        },
      );
      await p.waitForSelector('section[data-layer="dense"][data-ghost="true"]');
      assert.equal(await p.locator('section[data-layer="dense"] .u-legend .u-series.u-off').count(), 0);
      assert.equal(await p.getAttribute('.training', 'data-ghost'), 'true');
      assert.match(
        (await p.textContent('.run-view')) ?? '',
        /Ghost lines \(dotted\): previous run · 12 Mar 14:02/,
      );
      await p.click('.run-view [data-action="clear-comparison"]');
      // A lens or a Problems entry: the host names a layer, its section opens and scrolls into view.
      await p.evaluate(() =>
        (globalThis as unknown as PageGlobals).postMessage(
          { v: 1, type: 'focus-layer', layer: 'conv2d' },
          '*',
        ),
      );
      await p.waitForFunction(
        () =>
          (
            (globalThis as unknown as PageGlobals).document.activeElement as {
              closest?(s: string): unknown;
            } | null
          )?.closest?.('section[data-layer="conv2d"][data-open="true"]') != null,
      );
      assert.match(
        (await p.textContent('section[data-layer="dense"] .layer-stats')) ?? '',
        /^41% dead/,
        'the baseline arm stays the subject',
      );
      if (SCREENSHOT_DIR)
        await p.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-unit.png'), fullPage: true });

      // A wider model: sections stay closed until opened from the overview (mouse or keyboard).
      await p.evaluate(
        (st) => (globalThis as unknown as PageGlobals).postMessage({ v: 1, type: 'state', state: st }, '*'),
        wideState(40),
      );
      await p.waitForSelector('.overview-canvas[data-rows="12"]');
      assert.equal(await p.locator('section[data-layer]').count(), 12);
      assert.equal(await p.locator('section[data-layer][data-open="true"]').count(), 0);
      assert.equal(await p.locator('section[data-layer] canvas.histogram').count(), 0, 'closed: no charts');
      const canvas = p.locator('.overview-canvas');
      // The focus-layer above scrolls the page smoothly down to a section: back to the top, at once
      // (an instant scroll ends a smooth one still under way), and stay there.
      await p.waitForFunction(
        () => {
          const w = globalThis as unknown as { scrollY: number; scrollTo(o: object): void };
          w.scrollTo({ top: 0, behavior: 'instant' });
          return w.scrollY === 0;
        },
        undefined,
        { polling: 100 },
      );
      await p.waitForTimeout(400);
      await p.evaluate(() =>
        (globalThis as unknown as { scrollTo(o: object): void }).scrollTo({ top: 0, behavior: 'instant' }),
      );
      const box = (await canvas.boundingBox())!;
      const rowHeight = box.height / 12;
      await p.mouse.move(box.x + box.width - 4, box.y + rowHeight / 2);
      await p.waitForFunction(() =>
        (globalThis as unknown as PageGlobals).document
          .querySelector('.overview-caption')
          ?.textContent?.startsWith('layer05 · 31% dead at step 40'),
      );
      await p.mouse.click(box.x + box.width / 2, box.y + rowHeight / 2);
      await p.waitForSelector('section[data-layer="layer05"][data-open="true"] canvas.histogram');
      assert.equal(await p.locator('section[data-layer="layer05"] canvas.histogram').count(), 2);
      assert.ok(
        await p.evaluate(drawnCanvas('section[data-layer="layer05"] canvas.heatmap')),
        'the opened layer draws its histogram over time',
      );
      const valueRange = () =>
        p.getAttribute('section[data-layer="layer05"] canvas.heatmap', 'data-value-range');
      assert.equal(await valueRange(), '0,4');
      // The run goes on and layer05's range doubles: the open heatmap's value axis follows.
      for (let step = 50; step <= 100; step += 10)
        await p.evaluate(
          (event) => (globalThis as unknown as PageGlobals).postMessage({ v: 1, type: 'event', event }, '*'),
          wideProbe(step),
        );
      await p.waitForFunction(() =>
        (globalThis as unknown as PageGlobals).document
          .querySelector('section[data-layer="layer05"] .layer-stats')
          ?.textContent?.includes('step 100'),
      );
      await p.waitForTimeout(200);
      assert.equal(
        await valueRange(),
        '0,8',
        'the newest edges, onto which the earlier steps were re-binned',
      );
      // Keyboard: focus the canvas, move down a row, open it with Enter; then Space on the next.
      await canvas.focus();
      await p.keyboard.press('ArrowDown');
      const second = (await p.textContent('.overview-caption'))?.split(' · ')[0] ?? '';
      assert.match(second, /^layer\d\d$/);
      assert.notEqual(second, 'layer05');
      await p.keyboard.press('Enter');
      await p.waitForSelector(`section[data-layer="${second}"][data-open="true"] canvas.histogram`);
      await p.keyboard.press('ArrowDown');
      const third = (await p.textContent('.overview-caption'))?.split(' · ')[0] ?? '';
      await p.keyboard.press(' ');
      await p.waitForSelector(`section[data-layer="${third}"][data-open="true"]`);
      // Toggles: model order puts layer00 on top; mean drift changes the colours and the legend.
      await p.click('.overview [data-order="model"]');
      assert.equal(await canvas.getAttribute('data-order'), 'model');
      await p.mouse.move(box.x + box.width - 4, box.y + rowHeight / 2 + 1);
      await p.waitForFunction(() =>
        (globalThis as unknown as PageGlobals).document
          .querySelector('.overview-caption')
          ?.textContent?.startsWith('layer00 '),
      );
      await p.click('.overview [data-mode="drift"]');
      assert.equal(await canvas.getAttribute('data-mode'), 'drift');
      assert.equal(await p.getAttribute('.overview [data-mode="drift"]', 'aria-pressed'), 'true');
      assert.match((await p.textContent('.overview-legend')) ?? '', /mean drift since step 0.*σ₀/);
      if (SCREENSHOT_DIR)
        await p.locator('.overview').screenshot({ path: join(SCREENSHOT_DIR, 'overview-unit.png') });

      // The sidebar's summary: status, the overview and the top findings; rows open the editor tab.
      const compact = await browser.newPage({ viewport: { width: 320, height: 900 } });
      compact.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`compact: ${m.text()}`);
      });
      compact.on('pageerror', (e) => problems.push(`compact: ${e.message}`));
      await compact.goto(`${origin}/index.html?layout=compact`);
      await compact.evaluate(applyThemeScript());
      const many = state();
      many.findings = Array.from({ length: 5 }, (_, i) => ({
        ...many.findings[0]!,
        message: `finding ${i}`,
      }));
      await compact.evaluate(
        (st) => (globalThis as unknown as PageGlobals).postMessage({ v: 1, type: 'state', state: st }, '*'),
        many,
      );
      await compact.waitForSelector('.overview-canvas[data-rows="2"]');
      assert.equal(await compact.locator('section[data-layer]').count(), 0, 'no layer sections');
      assert.equal(await compact.locator('.training, .layers-table').count(), 0);
      assert.equal(await compact.locator('.finding-card').count(), 3);
      assert.match(
        (await compact.textContent('.more-link')) ?? '',
        /^2 more findings in the full dashboard$/,
      );
      const compactBox = (await compact.locator('.overview-canvas').boundingBox())!;
      await compact.mouse.click(compactBox.x + compactBox.width / 2, compactBox.y + compactBox.height / 4);
      await compact.click('[data-action="open-in-editor"]');
      await compact.click('.more-link');
      assert.deepEqual(await compact.evaluate(() => (globalThis as unknown as PageGlobals).__posted), [
        { v: 1, type: 'ready' },
        { v: 1, type: 'open-in-editor', layer: 'dense' },
        { v: 1, type: 'open-in-editor', layer: null },
        { v: 1, type: 'open-in-editor', layer: null },
      ]);
      if (SCREENSHOT_DIR)
        await compact.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-compact-unit.png') });
      assert.deepEqual(problems, [], 'no CSP refusals or script errors');
    } finally {
      await browser.close();
      server.close();
    }
  },
);
