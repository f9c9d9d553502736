/**
 * The Playwright UI flow in code-server: what a person does, through the real workbench — open the
 * example, see the lenses, F1 → "Analyze Activations", watch the dashboard fill, read a lens's dead
 * percentage, apply the ELU quick fix, check the file on disk, re-run.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { EXAMPLE_SCRIPT, RELU_LAYERS, checkExampleFixture, type ExpectedLayer } from './example-model';
import type { RunLayout } from './run-layout';
import type { Step } from './test-report';
import { countEvents, engineFailure, readTestOut, type TestOutRecord } from './test-out';
import {
  OPEN_IN_EDITOR_TITLE,
  compareWithPrevious,
  editorDashboard,
  editorTabOverview,
  exportHtml,
  lensOpensLayer,
  reloadKeepsRuns,
} from './dashboard-flow';
import {
  StopWaiting,
  applyQuickFix,
  codeLensTexts,
  findWebviewFrame,
  goToLine,
  openFile,
  runCommand,
  waitForWorkbench,
  waitUntil,
} from './workbench';

export const ANALYZE_TITLE = 'Activation Lens: Analyze Activations';
export const OPEN_DASHBOARD_TITLE = 'Activation Lens: Open Dashboard';
const ANALYZE_LENS = '▶ Analyze activations';
/** "dense · 41% dead (105/256) · mean +0.38 ↑" (extension/lens-text.ts). */
const DEAD_LENS = /^(\S+) · (<1|\d+)% dead \((\d+)\/(\d+)\)/;
/** A run of 40 steps takes ~30 s on wasm here; leave room for a loaded machine. */
const RUN_TIMEOUT_MS = 150_000;

export interface UiFlowContext {
  layout: RunLayout;
  page: Page;
  origin: string;
  testOutPath: string;
  displayName: string;
}

function shot(ctx: UiFlowContext, name: string): Promise<void> {
  const path = join(ctx.layout.artifactsDir, name);
  return ctx.page
    .screenshot({ path })
    .then(() => console.log(`      screenshot: ${relative(ctx.layout.root, path)}`));
}

/** Waits until the extension reports `count` finished runs, failing fast on an engine error. */
async function waitForRuns(ctx: UiFlowContext, count: number): Promise<TestOutRecord[]> {
  return waitUntil(
    `${count} finished run(s) in ${ctx.testOutPath}`,
    async () => {
      const records = readTestOut(ctx.testOutPath);
      const failure = engineFailure(records);
      if (failure) throw new StopWaiting(`the engine failed: ${failure}`);
      return countEvents(records, 'run-finished') >= count ? records : undefined;
    },
    RUN_TIMEOUT_MS,
    500,
  );
}

async function dashboardFrame(ctx: UiFlowContext): Promise<Frame> {
  try {
    return await findWebviewFrame(ctx.page, '#status', 10_000);
  } catch {
    // The analyze command may leave the view closed: open it the way a person would.
    await runCommand(ctx.page, OPEN_DASHBOARD_TITLE);
    return findWebviewFrame(ctx.page, '#status', 20_000);
  }
}

/** The slice of the DOM that drawnHistograms reads (the project's tsconfig has no DOM lib: src/ must not use it). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface SectionLike {
  dataset: Record<string, string | undefined>;
  querySelectorAll(selector: string): ArrayLike<CanvasLike>;
}
interface DocumentLike {
  querySelectorAll(selector: string): ArrayLike<SectionLike>;
}

/** Layer name → whether its section holds a histogram canvas with drawn (non-transparent) pixels. */
async function drawnHistograms(frame: Frame): Promise<Record<string, boolean>> {
  return frame.evaluate(() => {
    const doc = (globalThis as unknown as { document: DocumentLike }).document;
    const out: Record<string, boolean> = {};
    for (const section of Array.from(doc.querySelectorAll('[data-layer]'))) {
      const name = section.dataset.layer ?? '';
      const canvases = Array.from(section.querySelectorAll('canvas.histogram'));
      out[name] = canvases.some((canvas) => {
        if (canvas.width === 0 || canvas.height === 0) return false;
        const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
        if (!pixels) return false;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
        return false;
      });
    }
    return out;
  });
}

function deadLenses(titles: string[]): Map<string, string> {
  const byLayer = new Map<string, string>();
  for (const title of titles) {
    const match = DEAD_LENS.exec(title);
    if (match?.[1]) byLayer.set(match[1], title);
  }
  return byLayer;
}

/** The layer to fix: the first ReLU layer with a dead-units diagnostic, else any diagnostic, else the Dense layer. */
function layerToFix(records: TestOutRecord[]): ExpectedLayer {
  const latest = records
    .filter((r) => r.kind === 'diagnostics' && String(r.file).endsWith(EXAMPLE_SCRIPT))
    .pop();
  const items = (latest?.items as { line: number; code: string }[] | undefined) ?? [];
  const dead = new Set(items.filter((i) => i.code === 'dead-units').map((i) => i.line));
  const any = new Set(items.map((i) => i.line));
  return (
    RELU_LAYERS.find((l) => dead.has(l.line)) ??
    RELU_LAYERS.find((l) => any.has(l.line)) ??
    RELU_LAYERS[RELU_LAYERS.length - 1]!
  );
}

export function uiFlowSteps(ctx: UiFlowContext, options: { harnessOnly: boolean }): Step[] {
  const { page, layout } = ctx;
  const scriptOnDisk = join(layout.workspaceDir, EXAMPLE_SCRIPT);
  let fixed: ExpectedLayer | undefined;
  const harness: Step[] = [
    {
      name: 'the workbench loads the example workspace',
      timeoutMs: 60_000,
      run: async () => {
        checkExampleFixture(scriptOnDisk);
        await page.goto(`${ctx.origin}/?folder=${encodeURIComponent(layout.workspaceDir)}`, {
          timeout: 30_000,
        });
        await waitForWorkbench(page);
        await page
          .locator('.explorer-folders-view .monaco-list-row')
          .filter({ hasText: EXAMPLE_SCRIPT })
          .first()
          .waitFor({ timeout: 30_000 });
      },
    },
    {
      name: 'the extension is installed (Extensions view lists it)',
      timeoutMs: 45_000,
      run: async () => {
        await page.keyboard.press('Control+Shift+X'); // the Extensions view, its search box focused
        await page.locator('.extensions-viewlet').waitFor({ state: 'visible' });
        await page.keyboard.type(`@installed ${ctx.displayName}`);
        await page
          .locator('.extensions-viewlet .extension-list-item')
          .filter({ hasText: ctx.displayName })
          .first()
          .waitFor({ timeout: 30_000 });
        await shot(ctx, 'extensions-view.png');
        await page.keyboard.press('Control+Shift+E'); // back to the Explorer
      },
    },
  ];
  if (options.harnessOnly) return harness;
  return [
    ...harness,
    {
      name: 'the example script shows a lens on every ReLU layer',
      timeoutMs: 45_000,
      run: async () => {
        await openFile(page, EXAMPLE_SCRIPT);
        const titles = await waitUntil(
          `${RELU_LAYERS.length} "${ANALYZE_LENS}" lenses`,
          async () => {
            const t = await codeLensTexts(page);
            return t.filter((x) => x.includes(ANALYZE_LENS)).length >= RELU_LAYERS.length ? t : undefined;
          },
          30_000,
        );
        const analyzeLenses = titles.filter((x) => x.includes(ANALYZE_LENS)).length;
        if (analyzeLenses !== RELU_LAYERS.length) {
          throw new Error(
            `expected ${RELU_LAYERS.length} analyze lenses (one per ReLU layer, none on softmax), saw ${analyzeLenses}: ${JSON.stringify(titles)}`,
          );
        }
        await shot(ctx, 'editor-before-run.png');
      },
    },
    {
      name: 'F1 → Analyze Activations fills the dashboard with a histogram for every tapped layer',
      timeoutMs: RUN_TIMEOUT_MS + 60_000,
      run: async () => {
        await runCommand(page, ANALYZE_TITLE);
        await waitUntil(
          'the run to start',
          async () => {
            const records = readTestOut(ctx.testOutPath);
            const failure = engineFailure(records);
            if (failure) throw new StopWaiting(`the engine failed: ${failure}`);
            return countEvents(records, 'run-started') >= 1 ? true : undefined;
          },
          60_000,
        );
        // The sidebar keeps a summary; the layers' histograms are in the editor-tab dashboard.
        await dashboardFrame(ctx);
        await runCommand(page, OPEN_IN_EDITOR_TITLE);
        const frame = await editorDashboard(page);
        // Live: histograms appear while the run is still going, not only at the end.
        await waitUntil(
          'a first probe in the dashboard',
          async () => (await frame.locator('[data-layer] canvas.histogram').count()) > 0 || undefined,
          RUN_TIMEOUT_MS,
        );
        if (countEvents(readTestOut(ctx.testOutPath), 'run-finished') > 0) {
          throw new Error(
            'the first histogram appeared only after the run had finished: the dashboard is not live',
          );
        }
        const records = await waitForRuns(ctx, 1);
        if (countEvents(records, 'probe') === 0)
          throw new Error('the run finished without a single probe event');
        const drawn = await waitUntil(
          'a drawn histogram for every ReLU layer',
          async () => {
            const d = await drawnHistograms(frame);
            return RELU_LAYERS.every((l) => d[l.name]) ? d : undefined;
          },
          15_000,
        );
        const empty = Object.entries(drawn)
          .filter(([, ok]) => !ok)
          .map(([name]) => name);
        if (empty.length > 0) throw new Error(`tapped layers without a drawn histogram: ${empty.join(', ')}`);
        const status = (await frame.locator('#status').textContent())?.trim() ?? '';
        if (!status) throw new Error('#status is empty after the run');
        console.log(
          `      dashboard: ${Object.keys(drawn).length} layers with histograms; status "${status}"`,
        );
        // The findings sit above the layers in the narrow sidebar: bring the histograms into the picture.
        await frame.locator('[data-layer]').first().scrollIntoViewIfNeeded();
        await shot(ctx, 'dashboard.png');
        const densePath = join(layout.artifactsDir, 'dashboard-layer-dense.png');
        await frame.locator('[data-layer="dense"]').screenshot({ path: densePath });
        console.log(`      screenshot: ${relative(layout.root, densePath)}`);
      },
    },
    {
      name: 'the lenses change to show each ReLU layer’s dead percentage',
      timeoutMs: 30_000,
      run: async () => {
        await page.locator('.tabs-container .tab').filter({ hasText: EXAMPLE_SCRIPT }).first().click();
        const lenses = await waitUntil(
          'a dead-percentage lens on every ReLU layer',
          async () => {
            const byLayer = deadLenses(await codeLensTexts(page));
            return RELU_LAYERS.every((l) => byLayer.has(l.name)) ? byLayer : undefined;
          },
          20_000,
        );
        for (const [, title] of lenses) console.log(`      lens: ${title}`);
        await shot(ctx, 'editor-after-run.png');
        // A lens opens its layer in the editor-tab dashboard.
        await lensOpensLayer(ctx, 'dense');
      },
    },
    {
      name: 'the editor-tab dashboard: clicking an overview row opens that layer',
      timeoutMs: 45_000,
      run: () => editorTabOverview(ctx),
    },
    {
      name: 'the ELU quick fix rewrites the layer, and the saved file holds it',
      timeoutMs: 45_000,
      run: async () => {
        const before = readFileSync(scriptOnDisk, 'utf8').split('\n');
        fixed = layerToFix(readTestOut(ctx.testOutPath));
        await goToLine(page, fixed.line);
        const label = await applyQuickFix(page, /ELU/);
        console.log(`      quick fix on line ${fixed.line} (${fixed.name}): "${label}"`);
        // The edit lands asynchronously: save once the editor is dirty, not before.
        const activeTab = page.locator('.tabs-container .tab.active').filter({ hasText: EXAMPLE_SCRIPT });
        await page
          .locator('.tabs-container .tab.active.dirty')
          .filter({ hasText: EXAMPLE_SCRIPT })
          .waitFor({ timeout: 10_000 });
        await activeTab.click();
        await page.keyboard.press('Control+S');
        const target = fixed;
        const after = await waitUntil(
          `${EXAMPLE_SCRIPT}:${target.line} to change on disk`,
          async () => {
            const lines = readFileSync(scriptOnDisk, 'utf8').split('\n');
            return lines[target.line - 1] !== before[target.line - 1] ? lines : undefined;
          },
          15_000,
        );
        const line = after[target.line - 1] ?? '';
        if (!line.includes("activation='elu'")) throw new Error(`line ${target.line} after the fix: ${line}`);
        if (!line.includes('he_normal'))
          throw new Error(`line ${target.line} lacks He init after the fix: ${line}`);
        for (const other of RELU_LAYERS.filter((l) => l !== target)) {
          if (after[other.line - 1] !== before[other.line - 1])
            throw new Error(`the fix also changed line ${other.line}: ${after[other.line - 1]}`);
        }
        const applied = readTestOut(ctx.testOutPath).filter((r) => r.kind === 'fix-applied');
        if (!applied.some((r) => r.layer === target.name))
          throw new Error(
            `the extension logged no fix-applied for ${target.name}: ${JSON.stringify(applied)}`,
          );
        console.log(`      line ${target.line} now: ${line.trim()}`);
      },
    },
    {
      name: 're-running analyzes the fixed model (the ELU layer reports saturation, not death)',
      timeoutMs: RUN_TIMEOUT_MS + 30_000,
      run: async () => {
        await runCommand(page, ANALYZE_TITLE);
        await waitForRuns(ctx, 2);
        const target = fixed!;
        const title = await waitUntil(
          `the ${target.name} lens after the re-run`,
          async () => {
            const ts = (await codeLensTexts(page)).filter((t) => t.startsWith(`${target.name} · `));
            return ts.find((t) => t.includes('saturated'));
          },
          20_000,
        );
        console.log(`      lens: ${title}`);
        // ELU units cannot die: the re-run's diagnostics hold no dead-units finding on the fixed line.
        const latest = readTestOut(ctx.testOutPath)
          .filter((r) => r.kind === 'diagnostics' && String(r.file).endsWith(EXAMPLE_SCRIPT))
          .pop();
        const items = (latest?.items as { line: number; code: string }[] | undefined) ?? [];
        const dead = items.filter((i) => i.line === target.line && i.code === 'dead-units');
        if (dead.length > 0)
          throw new Error(
            `a dead-units diagnostic on the ELU layer's line ${target.line}: ${JSON.stringify(dead)}`,
          );
        await shot(ctx, 'editor-after-fix.png');
        await dashboardFrame(ctx);
        await shot(ctx, 'dashboard-after-fix.png');
      },
    },
    {
      name: 'Compare with Previous Run draws the run before the fix as ghost lines',
      timeoutMs: 45_000,
      run: () => compareWithPrevious(ctx),
    },
    {
      name: 'Export Report → HTML writes one file that opens in Chromium without a request',
      timeoutMs: 60_000,
      run: () => exportHtml(ctx),
    },
    {
      name: 'a reload keeps both runs and restores the editor-tab dashboard',
      timeoutMs: 120_000,
      run: () => reloadKeepsRuns(ctx, 2),
    },
  ];
}
