/**
 * The live-taps flow in code-server: the person's own PyTorch script (workspace/live_mlp.py) runs
 * from the command palette with live taps — the interpreter from activationLens.pythonPath, since no
 * Python extension can be installed here — the dashboard fills from the script's events, the lens on
 * the dead `nn.ReLU()` line shows its dead units, and the ELU quick fix rewrites that line.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Step } from './test-report';
import { readTestOut, type TestOutRecord } from './test-out';
import type { UiFlowContext } from './ui-flow';
import {
  StopWaiting,
  applyQuickFix,
  codeLensTexts,
  findWebviewFrame,
  goToLine,
  openFile,
  runCommand,
  waitUntil,
} from './workbench';

export const LIVE_SCRIPT = 'live_mlp.py';
export const RUN_LIVE_TITLE = 'Activation Lens: Run Training with Live Taps';
/** `self.relu1 = nn.ReLU()` (lives) and `self.relu2 = nn.ReLU()` (dead by its biases). */
const LIVE_LINE = 13;
const DEAD_LINE = 15;
/** Python start, `import torch`, 40 small steps: seconds; leave room for a loaded machine. */
const LIVE_TIMEOUT_MS = 120_000;

function shot(ctx: UiFlowContext, name: string): Promise<void> {
  const path = join(ctx.layout.artifactsDir, name);
  return ctx.page
    .screenshot({ path })
    .then(() => console.log(`      screenshot: ${relative(ctx.layout.root, path)}`));
}

/** The records after the live run connected (the UI flow's engine runs come before). */
function liveRecords(ctx: UiFlowContext): TestOutRecord[] {
  const records = readTestOut(ctx.testOutPath);
  const connected = records.findIndex((r) => r.kind === 'live-connected');
  return connected < 0 ? [] : records.slice(connected);
}

function checkFixture(path: string): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  for (const [line, name] of [
    [LIVE_LINE, 'relu1'],
    [DEAD_LINE, 'relu2'],
  ] as const)
    if (!lines[line - 1]?.includes(`self.${name} = nn.ReLU()`))
      throw new Error(`${path}:${line}: expected self.${name} = nn.ReLU(); update test/e2e/live-flow.ts`);
}

export function liveFlowSteps(ctx: UiFlowContext): Step[] {
  const { page, layout } = ctx;
  const scriptOnDisk = join(layout.workspaceDir, LIVE_SCRIPT);
  return [
    {
      name: 'F1 → Run Training with Live Taps runs the PyTorch script and the dashboard fills live',
      timeoutMs: LIVE_TIMEOUT_MS + 30_000,
      run: async () => {
        checkFixture(scriptOnDisk);
        await openFile(page, LIVE_SCRIPT);
        await runCommand(page, RUN_LIVE_TITLE);
        const records = await waitUntil(
          'the live run to finish',
          async () => {
            const live = liveRecords(ctx);
            const all = readTestOut(ctx.testOutPath);
            const error = all.find((r) => r.kind === 'error' && String(r.message).includes(LIVE_SCRIPT));
            if (error) throw new StopWaiting(`the live run failed: ${String(error.message)}`);
            const exit = all.find((r) => r.kind === 'live-exit');
            if (exit && exit.code !== 0)
              throw new StopWaiting(`${LIVE_SCRIPT} exited ${JSON.stringify(exit)}`);
            return live.some((r) => r.kind === 'event' && r.type === 'run-finished') &&
              all.some((r) => r.kind === 'live-exit')
              ? live
              : undefined;
          },
          LIVE_TIMEOUT_MS,
          500,
        );
        const types = records.filter((r) => r.kind === 'event').map((r) => String(r.type));
        const probes = types.filter((t) => t === 'probe').length;
        if (types[0] !== 'run-started' || probes < 2)
          throw new Error(`expected run-started then probes, got ${types.join(', ')}`);
        const started = records.find((r) => r.kind === 'event' && r.type === 'run-started');
        if (started?.backend !== 'torch') throw new Error(`backend ${String(started?.backend)}, not torch`);
        const frame = await findWebviewFrame(page, '[data-layer="relu2"] canvas.histogram', 30_000).catch(
          async () => {
            await runCommand(page, 'Activation Lens: Open Dashboard');
            return findWebviewFrame(page, '[data-layer="relu2"] canvas.histogram', 20_000);
          },
        );
        for (const layer of ['relu1', 'relu2'])
          await frame
            .locator(`[data-layer="${layer}"] canvas.histogram`)
            .first()
            .waitFor({ timeout: 10_000 });
        const status = (await frame.locator('#status').textContent())?.trim() ?? '';
        console.log(`      live run: ${probes} probes; dashboard status "${status}"`);
        await frame.locator('[data-layer="relu2"]').scrollIntoViewIfNeeded();
        await shot(ctx, 'live-dashboard.png');
      },
    },
    {
      name: 'the lens on the dead nn.ReLU() line shows its dead units; Problems has the finding there',
      timeoutMs: 45_000,
      run: async () => {
        await page.locator('.tabs-container .tab').filter({ hasText: LIVE_SCRIPT }).first().click();
        const titles = await waitUntil(
          'the relu2 lens with its dead percentage',
          async () => {
            const t = await codeLensTexts(page);
            return t.some((x) => /^relu2 · 100% dead \(32\/32\)/.test(x)) ? t : undefined;
          },
          20_000,
        );
        for (const t of titles.filter((x) => x.startsWith('relu'))) console.log(`      lens: ${t}`);
        if (!titles.some((x) => /^relu1 · 0% dead/.test(x)))
          throw new Error(`no live relu1 lens: ${JSON.stringify(titles)}`);
        const diagnostics = readTestOut(ctx.testOutPath)
          .filter((r) => r.kind === 'diagnostics' && String(r.file).endsWith(LIVE_SCRIPT))
          .pop();
        const items = (diagnostics?.items as { line: number; code: string }[] | undefined) ?? [];
        if (!items.some((i) => i.line === DEAD_LINE && i.code === 'dead-units'))
          throw new Error(`no dead-units diagnostic on line ${DEAD_LINE}: ${JSON.stringify(items)}`);
        await shot(ctx, 'live-editor.png');
      },
    },
    {
      name: 'the ELU quick fix on that line makes it nn.ELU() on disk',
      timeoutMs: 45_000,
      run: async () => {
        const before = readFileSync(scriptOnDisk, 'utf8').split('\n');
        await goToLine(page, DEAD_LINE, LIVE_SCRIPT);
        const label = await applyQuickFix(page, /ELU/);
        console.log(`      quick fix on line ${DEAD_LINE}: "${label}"`);
        await page
          .locator('.tabs-container .tab.active.dirty')
          .filter({ hasText: LIVE_SCRIPT })
          .waitFor({ timeout: 10_000 });
        await page.keyboard.press('Control+S');
        const after = await waitUntil(
          `${LIVE_SCRIPT}:${DEAD_LINE} to change on disk`,
          async () => {
            const lines = readFileSync(scriptOnDisk, 'utf8').split('\n');
            return lines[DEAD_LINE - 1] !== before[DEAD_LINE - 1] ? lines : undefined;
          },
          15_000,
        );
        const line = after[DEAD_LINE - 1] ?? '';
        if (!/self\.relu2 = nn\.ELU\(/.test(line))
          throw new Error(`line ${DEAD_LINE} after the fix: ${line}`);
        if (after[LIVE_LINE - 1] !== before[LIVE_LINE - 1]) throw new Error('the fix also changed relu1');
        console.log(`      line ${DEAD_LINE} now: ${line.trim()}`);
        await shot(ctx, 'live-editor-after-fix.png');
      },
    },
  ];
}
