/**
 * The dashboard's room to look and its kept runs, in the real workbench — steps the UI flow
 * (test/e2e/ui-flow.ts) runs between its own, on the two analyses it already makes (before and
 * after the ELU fix), so they add no training of their own: the editor-tab dashboard and its
 * overview, a lens opening its layer there, the comparison of the two runs, the HTML export opened
 * in Chromium with every request refused, and a reload that keeps the runs and the tab.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Frame, Page } from 'playwright-core';
import { RELU_LAYERS } from './example-model';
import type { UiFlowContext } from './ui-flow';
import { findWebviewFrame, runCommand, waitForWorkbench, waitUntil } from './workbench';

export const OPEN_IN_EDITOR_TITLE = 'Activation Lens: Open Dashboard in Editor';
export const COMPARE_PREVIOUS_TITLE = 'Activation Lens: Compare with Previous Run of This Model';
export const EXPORT_TITLE = 'Activation Lens: Export Report';
const EDITOR_APP = '#app[data-layout="full"]';

/** The editor tab's webview (the sidebar's holds #app[data-layout="compact"]). */
export function editorDashboard(page: Page, timeoutMs = 20_000): Promise<Frame> {
  return findWebviewFrame(page, EDITOR_APP, timeoutMs);
}

async function shot(ctx: UiFlowContext, name: string): Promise<void> {
  const path = join(ctx.layout.artifactsDir, name);
  await ctx.page.screenshot({ path });
  console.log(`      screenshot: ${relative(ctx.layout.root, path)}`);
}

/** The webview's globals as the callbacks see them (this tsconfig has no DOM lib). */
interface Doc {
  document: {
    activeElement: { closest(s: string): { getAttribute(n: string): string | null } | null } | null;
  };
}

/** Hovers the overview's rows until the caption names `layer`; returns where its row is. */
async function overviewRow(frame: Frame, layer: string): Promise<{ x: number; y: number }> {
  const canvas = frame.locator('.overview-canvas');
  const rows = Number(await canvas.getAttribute('data-rows'));
  const box = await canvas.boundingBox();
  if (!box || !rows) throw new Error('the overview has no rows');
  for (let r = 0; r < rows; r++) {
    const position = { x: box.width - 6, y: ((r + 0.5) * box.height) / rows };
    await canvas.hover({ position });
    const caption = (await frame.locator('.overview-caption').textContent()) ?? '';
    if (caption.startsWith(`${layer} · `)) return position;
  }
  throw new Error(`no overview row names ${layer}`);
}

/** After the first analysis: the whole dashboard in an editor tab; an overview row opens its layer. */
export async function editorTabOverview(ctx: UiFlowContext): Promise<void> {
  const frame = await editorDashboard(ctx.page);
  const dense = frame.locator('section[data-layer="dense"]');
  await dense.waitFor({ timeout: 15_000 });
  // Every tapped layer of a small model starts open: close dense, then open it from the overview.
  if ((await dense.getAttribute('data-open')) === 'true') await dense.locator('.layer-toggle').click();
  await waitUntil(
    'dense to close',
    async () => (await dense.getAttribute('data-open')) === 'false' || undefined,
    5000,
  );
  const position = await overviewRow(frame, 'dense');
  await frame.locator('.overview-canvas').click({ position });
  await waitUntil(
    'dense to open from its overview row',
    async () => (await dense.getAttribute('data-open')) === 'true' || undefined,
    5000,
  );
  await dense.locator('canvas.heatmap').waitFor({ state: 'visible', timeout: 10_000 });
  console.log(
    `      overview: ${await frame.locator('.overview-canvas').getAttribute('data-rows')} rows; dense opened from its row`,
  );
  await frame.locator('.overview').scrollIntoViewIfNeeded();
  await shot(ctx, 'dashboard-editor.png');
}

/** A dead-percentage lens opens its layer in the editor tab, keyboard focus on its section. */
export async function lensOpensLayer(ctx: UiFlowContext, layer: string): Promise<void> {
  const lens = ctx.page
    .locator('.contentWidgets .codelens-decoration a')
    .filter({ hasText: new RegExp(`^${layer} · `) })
    .first();
  await lens.click();
  const frame = await editorDashboard(ctx.page);
  await waitUntil(
    `the dashboard to focus ${layer}`,
    async () =>
      (await frame.evaluate(
        () =>
          (globalThis as unknown as Doc).document.activeElement
            ?.closest('section[data-layer]')
            ?.getAttribute('data-layer') ?? null,
      )) === layer || undefined,
    10_000,
  );
  console.log(`      lens "${(await lens.textContent())?.trim()}" → the dashboard's ${layer} section`);
}

/** After the re-run: the run before the fix drawn behind this one. */
export async function compareWithPrevious(ctx: UiFlowContext): Promise<void> {
  await runCommand(ctx.page, COMPARE_PREVIOUS_TITLE);
  const frame = await editorDashboard(ctx.page);
  await frame.locator('.training[data-ghost="true"]').waitFor({ state: 'attached', timeout: 15_000 });
  const banner = (await frame.locator('.run-view .comparison').textContent()) ?? '';
  if (!/Ghost lines \(dotted\): previous run of /.test(banner))
    throw new Error(`the comparison banner says "${banner}"`);
  for (const { name } of RELU_LAYERS) {
    const section = frame.locator(`section[data-layer="${name}"]`);
    if ((await section.getAttribute('data-open')) !== 'true') await section.locator('.layer-toggle').click();
    // Sections off screen keep their last drawing until they scroll into view (a wide model's cost).
    await section.scrollIntoViewIfNeeded();
    const ghost = await waitUntil(
      `${name}'s ghost lines`,
      async () => ((await section.getAttribute('data-ghost')) === 'true' ? 'true' : undefined),
      10_000,
    ).catch(() => section.getAttribute('data-ghost'));
    const legend = (await section.locator('.u-legend .u-series:not(.u-off)').allTextContents()).map((t) =>
      t.trim(),
    );
    if (ghost !== 'true' || !legend.includes('compared dead'))
      throw new Error(`${name}: no ghost line (data-ghost ${ghost}, legend ${JSON.stringify(legend)})`);
  }
  console.log(`      ${banner.trim()}`);
  await frame.locator('section[data-layer="dense"]').scrollIntoViewIfNeeded();
  await shot(ctx, 'dashboard-compare.png');
}

/** Export Report → HTML report, through the quick pick and VS Code's save dialog, then open the file. */
export async function exportHtml(ctx: UiFlowContext): Promise<void> {
  const { page } = ctx;
  const target = join(ctx.layout.workspaceDir, 'activation-lens-report.html');
  await runCommand(page, EXPORT_TITLE);
  const row = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ hasText: 'HTML report' });
  await row.first().waitFor({ state: 'visible', timeout: 10_000 });
  await row.first().click();
  // code-server's save dialog is a quick input holding the default path (the workspace folder).
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await waitUntil(
    'the save dialog',
    async () => ((await input.inputValue()).endsWith('activation-lens-report.html') ? true : undefined),
    10_000,
  );
  await page.keyboard.press('Enter');
  await waitUntil(
    `${target} on disk`,
    async () => (existsSync(target) && statSync(target).size > 0) || undefined,
    15_000,
  );
  console.log(
    `      exported ${relative(ctx.layout.root, target)}: ${(statSync(target).size / 1024).toFixed(0)} KiB`,
  );

  const browser = page.context().browser();
  if (!browser) throw new Error('no browser to open the report in');
  const context = await browser.newContext({ viewport: { width: 1100, height: 1400 } });
  try {
    const url = pathToFileURL(target).href;
    const requests: string[] = [];
    await context.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    const report = await context.newPage();
    report.on('request', (r) => {
      if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url());
    });
    const problems: string[] = [];
    report.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    report.on('pageerror', (e) => problems.push(e.message));
    await report.goto(url);
    for (const { name } of RELU_LAYERS)
      await report.locator(`section[data-layer="${name}"] canvas.heatmap`).waitFor({ timeout: 15_000 });
    await report.locator('.training[data-ghost="true"]').waitFor({ state: 'attached', timeout: 5000 });
    const status = (await report.textContent('#status')) ?? '';
    if (!/^Finished /.test(status)) throw new Error(`the report's status says "${status}"`);
    if ((await report.locator('vscode-button').count()) > 0)
      throw new Error('the exported report has buttons');
    if (requests.length > 0) throw new Error(`the report made requests: ${requests.join(', ')}`);
    if (problems.length > 0) throw new Error(`the report logged: ${problems.join(' | ')}`);
    const path = join(ctx.layout.artifactsDir, 'report-html.png');
    await report.screenshot({ path });
    console.log(`      screenshot: ${relative(ctx.layout.root, path)}; no request, no console error`);
  } finally {
    await context.close();
  }
}

/** A reload of the window: the runs are still listed, the editor tab is restored with the newest run. */
export async function reloadKeepsRuns(ctx: UiFlowContext, runs: number): Promise<void> {
  const { page } = ctx;
  await page.reload({ timeout: 30_000 });
  await waitForWorkbench(page);
  await page
    .locator('.tabs-container .tab')
    .filter({ hasText: 'Activation Lens' })
    .first()
    .waitFor({ timeout: 30_000 });
  const frame = await editorDashboard(page, 45_000);
  await waitUntil(
    'the restored tab to show the newest run',
    async () => (await frame.locator('#status').getAttribute('data-status')) === 'finished' || undefined,
    30_000,
  );
  await frame.locator('section[data-layer="dense"] canvas.heatmap').waitFor({ timeout: 15_000 });
  const saved = (await frame.locator('.run-view .saved-run').textContent()) ?? '';
  // The Runs view in the Activation Lens container.
  const container = page
    .locator('.activitybar .action-item')
    .filter({ has: page.locator('a[aria-label^="Activation Lens"]') })
    .first();
  // A click on the container shown already would close it.
  if (!((await container.getAttribute('class')) ?? '').includes('checked')) await container.click();
  const pane = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: /^Runs/ }) });
  const listed = await waitUntil(
    `${runs} runs in the Runs view`,
    async () => {
      const n = await pane.locator('.monaco-list-row').count();
      return n >= runs ? n : undefined;
    },
    20_000,
  );
  console.log(`      after the reload: "${saved.trim()}"; the Runs view lists ${listed} runs`);
}
