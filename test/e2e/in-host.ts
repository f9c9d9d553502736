/**
 * In-host integration tests: VS Code's plain server (server-main.js) with extensionDevelopmentPath
 * and extensionTestsPath in the workbench URL's payload. The tests (test/integration/index.ts,
 * bundled to dist-test/integration/index.js) run inside the extension host with the real `vscode`
 * API; they write one JSON line per test, and the workbench reports the exit code through
 * window.codeAutomationExit (the smoke-test driver).
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser, type BrowserSession } from './chromium';
import { saveEvidence } from './evidence';
import type { RunLayout } from './run-layout';
import type { TestReport, TestResult } from './test-report';
import { startServer, type ServerProcess } from './vscode-server';

const IN_HOST_TIMEOUT_MS = 240_000;

function payloadUrl(server: ServerProcess, folder: string, extensionPath: string, testsPath: string): string {
  const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsPath)],
  ]);
  return `${server.origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`;
}

function readResults(path: string): TestResult[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TestResult);
}

/** Runs the in-host suite against `extensionDir` (an installed copy of the extension). */
export async function runInHostTests(
  layout: RunLayout,
  report: TestReport,
  extensionDir: string,
): Promise<void> {
  console.log('in-host integration tests (VS Code server + extensionTestsPath)');
  const bundled = join(layout.root, 'dist-test/integration');
  if (!existsSync(join(bundled, 'index.js'))) {
    report.record({
      name: 'in-host › tests are built',
      status: 'failed',
      ms: 0,
      error: `${bundled}/index.js is missing: run \`npm run build\``,
    });
    return;
  }
  // A snapshot, like the extension: a concurrent `npm run build` wipes dist-test/.
  const testsDir = join(layout.runDir, 'integration');
  cpSync(bundled, testsDir, { recursive: true });
  const folder = join(layout.runDir, 'workspace-in-host');
  cpSync(join(layout.root, 'test/e2e/workspace'), folder, { recursive: true });
  const resultsPath = join(layout.runDir, 'in-host-results.jsonl');
  const testOutPath = join(layout.runDir, 'in-host-test-out.jsonl');
  mkdirSync(join(layout.runDir, 'in-host'), { recursive: true });

  const started = Date.now();
  let server: ServerProcess | undefined;
  let session: BrowserSession | undefined;
  let exitCode: number | undefined;
  let error: Error | undefined;
  try {
    server = await startServer(layout, {
      kind: 'vscode-server',
      name: 'in-host',
      extensionsDir: join(layout.runDir, 'in-host/extensions'),
      env: { ACTIVATION_LENS_TEST_OUT: testOutPath, E2E_INTEGRATION_OUT: resultsPath },
    });
    session = await openBrowser(layout);
    let reportExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    await session.page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    await session.page.goto(payloadUrl(server, folder, extensionDir, join(testsDir, 'index.js')), {
      timeout: 30_000,
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`the in-host tests did not finish within ${IN_HOST_TIMEOUT_MS / 1000} s`)),
        IN_HOST_TIMEOUT_MS,
      ).unref(),
    );
    exitCode = await Promise.race([exited, timeout]);
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  }
  const results = readResults(resultsPath);
  for (const result of results) report.record({ ...result, name: `in-host › ${result.name}` });
  const failed =
    error !== undefined ||
    exitCode !== 0 ||
    results.length === 0 ||
    results.some((r) => r.status === 'failed');
  if (error || (exitCode !== 0 && !results.some((r) => r.status === 'failed'))) {
    report.record({
      name: 'in-host › the test run completes',
      status: 'failed',
      ms: Date.now() - started,
      error: error?.message ?? `exit code ${exitCode} with ${results.length} results`,
    });
  }
  if (failed)
    await saveEvidence(layout, 'in-host', {
      page: session?.page,
      server,
      consoleLines: session?.consoleLines,
    });
  await session?.close();
  await server?.stop();
}
