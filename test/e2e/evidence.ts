/** What a failed step leaves behind: a screenshot, VS Code's logs (the extension host's among them), the browser console. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import type { RunLayout } from './run-layout';
import type { ServerProcess } from './vscode-server';

function logFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...logFilesUnder(path));
    else if (name.endsWith('.log')) out.push(path);
  }
  return out;
}

export function safeName(label: string): string {
  return label
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/** Saves what there is; returns the paths written (relative to the repo root) and prints them. */
export async function saveEvidence(
  layout: RunLayout,
  label: string,
  evidence: {
    page?: Page | undefined;
    server?: ServerProcess | undefined;
    consoleLines?: string[] | undefined;
  },
): Promise<string[]> {
  const dir = join(layout.artifactsDir, `failure-${safeName(label)}`);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  if (evidence.page && !evidence.page.isClosed()) {
    const shot = join(dir, 'screenshot.png');
    await evidence.page.screenshot({ path: shot, timeout: 10_000 }).then(
      () => written.push(shot),
      () => undefined,
    );
  }
  if (evidence.server) {
    const server = evidence.server;
    copyFileSync(server.logFile, join(dir, 'server.log'));
    written.push(join(dir, 'server.log'));
    for (const root of server.logRoots) {
      for (const file of logFilesUnder(root)) {
        const target = join(dir, 'vscode-logs', relative(root, file));
        mkdirSync(join(target, '..'), { recursive: true });
        copyFileSync(file, target);
        if (/exthost/i.test(file)) written.push(target);
      }
    }
  }
  if (evidence.consoleLines && evidence.consoleLines.length > 0) {
    writeFileSync(join(dir, 'browser-console.log'), evidence.consoleLines.join('\n') + '\n');
    written.push(join(dir, 'browser-console.log'));
  }
  for (const path of written) console.log(`      evidence: ${relative(layout.root, path)}`);
  return written;
}
