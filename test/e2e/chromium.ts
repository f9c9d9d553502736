/** Debian's Chromium, driven by playwright-core (no browser download: this machine is offline). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { isolatedEnv, type RunLayout } from './run-layout';

export const CHROMIUM_PATH = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Browser console lines (the workbench logs extension-host errors here too). */
  consoleLines: string[];
  close(): Promise<void>;
}

export async function openBrowser(layout: RunLayout): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run scripts/install-code-server.sh as root (apt-get install chromium)`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    env: isolatedEnv(layout) as Record<string, string>,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      `--crash-dumps-dir=${join(layout.homeDir, 'tmp')}`,
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  return {
    browser,
    context,
    page,
    consoleLines,
    close: async () => {
      await browser.close().catch(() => undefined);
    },
  };
}
