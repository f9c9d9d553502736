/**
 * Driving the VS Code 1.100 workbench in the browser: the few DOM facts the UI flow relies on,
 * each in one place so a VS Code upgrade is fixed here.
 */
import type { Frame, Page } from 'playwright-core';

const QUICK_INPUT = '.quick-input-widget .quick-input-box input';
const QUICK_ROW = '.quick-input-widget .quick-input-list .monaco-list-row';

export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
  await page.locator('.statusbar').waitFor({ timeout: timeoutMs });
}

/** Runs a command by its palette title ("Activation Lens: Analyze Activations"), through F1. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator(QUICK_INPUT);
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator(QUICK_ROW).filter({ hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  await row.click();
  // The palette closes — or a quick pick of the command itself takes its place at once (Export
  // Report asks for the format), reusing the same input: either way the palette's text is gone.
  await waitUntil(
    `the command palette to give way after "${title}"`,
    async () => ((await input.isHidden()) || !(await input.inputValue()).startsWith('>') ? true : undefined),
    15_000,
    100,
  );
}

/** Opens a workspace file through quick open (Control+P) and waits for its editor tab. */
export async function openFile(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator(QUICK_INPUT);
  await input.waitFor({ state: 'visible' });
  await input.fill(fileName);
  await page
    .locator(QUICK_ROW)
    .filter({ hasText: fileName })
    .first()
    .waitFor({ state: 'visible', timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page
    .locator('.tabs-container .tab.active')
    .filter({ hasText: fileName })
    .waitFor({ state: 'visible' });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
}

/** Moves the cursor in the active editor to a 1-based line (Control+G). */
export async function goToLine(page: Page, line: number, file?: string): Promise<void> {
  // With `file`: the editor group whose active tab holds it (another group may come first on the page).
  const group = file
    ? page
        .locator('.editor-group-container')
        .filter({ has: page.locator('.tab.active', { hasText: file }) })
        .first()
    : page;
  await group
    .locator('.editor-instance .monaco-editor .view-lines')
    .first()
    .click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+G');
  const input = page.locator(QUICK_INPUT);
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** The texts of the code lenses rendered in the visible editors. */
export async function codeLensTexts(page: Page): Promise<string[]> {
  const texts = await page.locator('.contentWidgets .codelens-decoration a').allTextContents();
  return texts.map((t) => t.trim()).filter((t) => t.length > 0);
}

/** Thrown from a waitUntil check to stop waiting at once (an engine error will not heal). */
export class StopWaiting extends Error {}

/**
 * Polls until `check` returns a value other than undefined. Other errors count as "not yet" (the DOM
 * is mid-render) and the last one explains a timeout; StopWaiting fails at once.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = ` (last error: ${(error as Error).message.split('\n')[0]})`;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError}`);
}

/**
 * The frame of the visible webview that holds `selector`. Webviews are an outer iframe holding an
 * inner #active-frame; hidden webviews lose theirs, so only the visible one can match.
 */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  return waitUntil(
    `a webview holding ${selector}`,
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame()) continue;
        if (
          (await frame
            .locator(selector)
            .count()
            .catch(() => 0)) > 0
        )
          return frame;
      }
      return undefined;
    },
    timeoutMs,
  );
}

/**
 * Opens the quick-fix menu (Control+.) at the cursor and applies the first action matching `label`.
 * Keyboard only: the menu lays a pointer block over itself until the mouse moves.
 */
export async function applyQuickFix(page: Page, label: RegExp): Promise<string> {
  await page.keyboard.press('Control+.');
  const rows = page.locator('.action-widget .monaco-list-row.action');
  await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
  const labels = (await rows.evaluateAll((els) =>
    els.map((e) => e.getAttribute('aria-label') ?? ''),
  )) as string[];
  if (!labels.some((l) => label.test(l)))
    throw new Error(`no quick fix matching ${label} among ${JSON.stringify(labels)}`);
  for (let i = 0; i < labels.length; i++) {
    const focused =
      (await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label')) ?? '';
    if (label.test(focused)) {
      await page.keyboard.press('Enter');
      await page.locator('.action-widget').waitFor({ state: 'hidden' });
      return focused;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`could not focus the quick fix matching ${label} among ${JSON.stringify(labels)}`);
}
