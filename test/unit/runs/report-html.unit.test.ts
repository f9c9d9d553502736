// The shareable HTML report: `activation-lens analyze … --html OUT` writes one file that opens in
// Chromium from disk, draws every tapped layer, sends no request at all (every request is routed
// and recorded), logs no error and offers nothing that would need a host. Hostile text in the data
// cannot end the page's script elements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reportCsp, reportHtml, reportMessages } from '../../../src/report-html';
import { readReportAssets } from '../../../src/report-assets';
import { checkHostMessage } from '../../../src/protocol';
import { comparisonFromReport } from '../../../src/saved-run';
import { isUserError } from '../../../src/errors';
import { finishedState } from './finished-run';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = process.env.ACTIVATION_LENS_SCREENSHOTS ?? null;
/** The launch the brief of issue 13 names: nothing in the background may reach the network either. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const tmp = mkdtempSync(join(tmpdir(), 'al-html-'));

/** The page's globals as the callbacks below see them (this tsconfig has no DOM lib). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(k: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}
interface SectionLike {
  dataset: Record<string, string | undefined>;
  querySelectorAll(s: string): ArrayLike<CanvasLike>;
}
interface PageDoc {
  document: {
    querySelectorAll(s: string): ArrayLike<CanvasLike & SectionLike>;
    body: { classList: { contains(c: string): boolean } };
  };
}

test('the embedded data cannot end the script element, and reads back as the same messages', () => {
  const state = finishedState();
  const hostile = '</script><script>window.pwned=1</script><!-- \u2028';
  state.report!.findings = [
    {
      kind: 'dead-units',
      layer: 'dense',
      severity: 'warning',
      message: `dense: ${hostile}`,
      evidence: { note: hostile },
      source: null,
    },
  ];
  state.findings = state.report!.findings;
  const assets = {
    script: 'console.log("</script>"); //<!--\n//# sourceMappingURL=webview.js.map',
    styles: ['p{}</style>'],
    codiconCss: '',
  };
  const html = reportHtml(assets, reportMessages(state), { title: '<x> & "y"', nonce: 'Tk9OQ0U=' });
  assert.equal((html.match(/<script\b/g) ?? []).length, 2, 'the data block and the dashboard script');
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2);
  assert.equal((html.match(/<\/style>/g) ?? []).length, 2);
  assert.ok(!html.includes('sourceMappingURL'));
  assert.ok(html.includes('<title>&lt;x&gt; &amp; &quot;y&quot;</title>'));
  assert.ok(html.includes(`content="${reportCsp('Tk9OQ0U=').replace(/'/g, "'")}"`));
  const json = html.slice(html.indexOf('id="activation-lens-data">') + 26, html.indexOf('</script>'));
  const messages = JSON.parse(json) as unknown[];
  const parsed = checkHostMessage(messages[0]);
  assert.ok(parsed.ok && parsed.value.type === 'state');
  assert.equal(parsed.value.state.findings[0]?.message, `dense: ${hostile}`);
});

test('a missing bundle is refused before any training, saying what to run', () => {
  assert.throws(
    () => readReportAssets(tmp),
    (e: unknown) =>
      isUserError(e) &&
      /dist\/webview\.js, .*media\/standalone\.css are missing/.test(e.message) &&
      /npm run build/.test(e.format()),
  );
});

test(
  'analyze --html OUT: one file that opens in Chromium from disk, draws every layer, requests nothing',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is missing`, timeout: 180_000 },
  async () => {
    const out = join(tmp, 'report.html');
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'analyze',
        '--example',
        'mnist-cnn',
        '--steps',
        '6',
        '--batch',
        '32',
        '--probe',
        '64',
        '--every',
        '2',
        '--backend',
        'wasm',
        '--html',
        out,
      ],
      { encoding: 'utf8', timeout: 150_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`HTML report written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    const html = readFileSync(out, 'utf8');
    console.log(`      HTML report: ${(statSync(out).size / 1024).toFixed(0)} KiB`);
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-/,
    );
    const markup = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, '');
    assert.ok(!/\b(src|href)=/.test(markup), `nothing is loaded by reference: ${markup}`);
    assert.ok(
      !/url\((?!"data:)/.test(html.match(/<style\b[\s\S]*?<\/style>/g)!.join('')),
      'CSS loads only data:',
    );

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'al-chromium-')) },
    });
    try {
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ viewport: { width: 1000, height: 1600 }, colorScheme });
        const url = pathToFileURL(out).href;
        const requests: string[] = [];
        // Every request the page makes is routed here and refused; only the file itself may load.
        await context.route('**/*', (route) => {
          const u = route.request().url();
          if (u === url) return route.continue();
          requests.push(u);
          return route.abort();
        });
        const page = await context.newPage();
        page.on('request', (req) => {
          if (req.url() !== url && !req.url().startsWith('data:')) requests.push(req.url());
        });
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(url);
        await page.waitForSelector('section[data-layer="dense"] canvas.heatmap', { timeout: 15_000 });
        assert.match(
          (await page.textContent('#status')) ?? '',
          /^Finished mnist-cnn on wasm · 6 steps · \d+ findings?$/,
        );
        assert.match(
          (await page.textContent('.run-view')) ?? '',
          /Exported report of a run from .* · read-only/,
        );
        assert.deepEqual(
          await page
            .locator('section[data-layer]')
            .evaluateAll((s) =>
              s.map((e) => (e as unknown as { dataset: { layer: string } }).dataset.layer).sort(),
            ),
          ['conv2d', 'conv2d_1', 'dense', 'dense_1'],
        );
        // Per canvas (the overview, then each section's heatmap and histogram): drawn pixels or not.
        const drawn = await page.evaluate(() => {
          const doc = (globalThis as unknown as PageDoc).document;
          const painted = (c: CanvasLike) => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
            return false;
          };
          const out: Record<string, boolean> = {};
          Array.from(doc.querySelectorAll('canvas.overview-canvas')).forEach(
            (c) => (out.overview = painted(c)),
          );
          for (const section of Array.from(doc.querySelectorAll('section[data-layer]')))
            Array.from(section.querySelectorAll('canvas.histogram')).forEach(
              (c, i) => (out[`${section.dataset.layer} ${i}`] = painted(c)),
            );
          return out;
        });
        assert.equal(Object.keys(drawn).length, 1 + 4 * 2, JSON.stringify(drawn));
        assert.ok(Object.values(drawn).every(Boolean), JSON.stringify(drawn));
        assert.equal(
          await page.locator('vscode-button, [data-action]').count(),
          0,
          'read-only: no control that would post',
        );
        assert.equal(
          await page.evaluate(() =>
            (globalThis as unknown as PageDoc).document.body.classList.contains(`vscode-dark`),
          ),
          colorScheme === 'dark',
        );
        // The overview still opens layers (here, without a host).
        await page.locator('.overview-canvas').click({ position: { x: 400, y: 5 } });
        if (SCREENSHOT_DIR)
          await page.screenshot({
            path: join(SCREENSHOT_DIR, `report-html-${colorScheme}.png`),
            fullPage: false,
          });
        assert.deepEqual(requests, [], 'no request leaves the page');
        assert.deepEqual(problems, [], 'no console error or warning');
        await context.close();
      }
    } finally {
      await browser.close();
    }
  },
);

test('an exported comparison draws the other run as ghost lines in the file too', () => {
  const state = finishedState();
  const before = finishedState({ deadAtEnd: 0.6 }).report!;
  const messages = reportMessages(state, comparisonFromReport(before, 'before the ELU fix'));
  assert.equal(messages.length, 2);
  const view = checkHostMessage(JSON.parse(JSON.stringify(messages[1])));
  assert.ok(
    view.ok && view.value.type === 'run-view' && view.value.view.comparison?.label === 'before the ELU fix',
  );
});
