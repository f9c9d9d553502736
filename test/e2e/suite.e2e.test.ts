/**
 * The real-VS-Code suite: `npm run build && node dist-test/e2e/suite.e2e.test.js [options]`.
 *   --only harness   start code-server, load the workbench, check the extension is installed
 *   --only in-host   only the in-host integration tests (VS Code server + extensionTestsPath)
 *   --only ui        only the Playwright UI flow in code-server
 *   --vsix FILE      install this packaged .vsix (code-server --install-extension) instead of
 *                    copying the built folder; E2E_VSIX=FILE does the same
 * Installs code-server first when test/e2e/.harness lacks it (scripts/install-code-server.sh).
 * Artifacts (screenshots, logs on failure) go to test/e2e/.run/artifacts/. Ends with
 * "N passed, N failed" and exit code 0 only when nothing failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { openBrowser, type BrowserSession } from './chromium';
import { saveEvidence } from './evidence';
import { extensionId, installUnpacked, installVsix, readManifest } from './extension-install';
import { runInHostTests } from './in-host';
import { acquireSuiteLock } from './suite-lock';
import { createRunLayout, findRepoRoot, type RunLayout } from './run-layout';
import { TestReport, runFlow } from './test-report';
import { uiFlowSteps } from './ui-flow';
import { liveFlowSteps } from './live-flow';
import { missingPythonModules, testPython } from '../support/python-env';
import { killAllServers, startServer, type ServerProcess } from './vscode-server';

type Only = 'harness' | 'in-host' | 'ui' | null;

function parseArgs(argv: string[]): { only: Only; vsix: string | null } {
  let only: Only = null;
  let vsix = process.env.E2E_VSIX ?? null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--only') {
      const value = argv[++i];
      if (value !== 'harness' && value !== 'in-host' && value !== 'ui')
        throw new Error(`--only takes harness, in-host or ui, not ${value}`);
      only = value;
    } else if (arg === '--vsix') {
      vsix = argv[++i] ?? null;
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return { only, vsix: vsix ? resolve(vsix) : null };
}

function ensureCodeServer(root: string): void {
  if (existsSync(join(root, 'test/e2e/.harness/node_modules/code-server/lib/vscode/out/server-main.js')))
    return;
  const install = spawnSync('bash', [join(root, 'scripts/install-code-server.sh')], {
    stdio: 'inherit',
    timeout: 600_000,
  });
  if (install.status !== 0) throw new Error('scripts/install-code-server.sh failed');
}

async function runUiFlow(
  layout: RunLayout,
  report: TestReport,
  vsix: string | null,
  harnessOnly: boolean,
): Promise<void> {
  const manifest = readManifest(layout.root) as ReturnType<typeof readManifest> & { displayName?: string };
  const extensionsDir = join(layout.runDir, 'ui/extensions');
  const testOutPath = join(layout.runDir, 'ui-test-out.jsonl');
  let server: ServerProcess | undefined;
  let session: BrowserSession | undefined;
  const steps = [];
  const liveSteps = [];
  try {
    if (vsix) installVsix(layout, extensionsDir, vsix);
    else installUnpacked(layout, extensionsDir, { requireMain: !harnessOnly });
    const installed = readdirSync(extensionsDir).filter((d) => d.startsWith(extensionId(manifest)));
    if (installed.length !== 1)
      throw new Error(
        `expected one ${extensionId(manifest)} folder in ${extensionsDir}, found ${installed.join(', ') || 'none'}`,
      );
    server = await startServer(layout, {
      kind: 'code-server',
      name: 'ui',
      extensionsDir,
      env: { ACTIVATION_LENS_TEST_OUT: testOutPath },
      userSettings: {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'extensions.ignoreRecommendations': true,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'chat.disableAIFeatures': true,
        'git.openRepositoryInParentFolders': 'never',
        // No Python extension can be installed here: live runs use the fallback setting.
        'activationLens.pythonPath': testPython(),
      },
    });
    session = await openBrowser(layout);
    const flowContext = {
      layout,
      page: session.page,
      origin: server.origin,
      testOutPath,
      displayName: manifest.displayName ?? manifest.name,
    };
    steps.push(...uiFlowSteps(flowContext, { harnessOnly }));
    if (!harnessOnly) {
      const noTorch = missingPythonModules(['torch']);
      if (noTorch) console.log(`ui › live taps: not run: ${noTorch}`);
      else liveSteps.push(...liveFlowSteps(flowContext));
    }
  } catch (error) {
    report.record({
      name: 'ui › code-server starts with the extension installed',
      status: 'failed',
      ms: 0,
      error: (error as Error).stack ?? String(error),
    });
    await saveEvidence(layout, 'ui-start', {
      server,
      page: session?.page,
      consoleLines: session?.consoleLines,
    });
  }
  if (steps.length > 0 && session) {
    const page = session.page;
    const consoleLines = session.consoleLines;
    await runFlow(report, 'ui', steps, (stepName) =>
      saveEvidence(layout, `ui-${stepName}`, { page, server, consoleLines }).then(() => undefined),
    );
    if (liveSteps.length > 0)
      await runFlow(report, 'ui › live taps', liveSteps, (stepName) =>
        saveEvidence(layout, `live-${stepName}`, { page, server, consoleLines }).then(() => undefined),
      );
  }
  await session?.close();
  await server?.stop();
}

async function main(): Promise<number> {
  const { only, vsix } = parseArgs(process.argv.slice(2));
  let root: string;
  try {
    root = findRepoRoot(__dirname); // dist-test/e2e/ inside the repository
  } catch {
    root = findRepoRoot(process.cwd()); // a bundle built elsewhere, run from the repository
  }
  const releaseLock = await acquireSuiteLock(join(root, 'test/e2e/.harness/suite.lock'), 600_000);
  ensureCodeServer(root);
  const started = Date.now();
  const layout = createRunLayout(root);
  const report = new TestReport();
  try {
    if (only === null || only === 'in-host') {
      const extensionDir = installUnpacked(layout, join(layout.runDir, 'in-host/dev-extension'), {
        requireMain: true,
      });
      await runInHostTests(layout, report, extensionDir);
    }
    if (only === null || only === 'ui' || only === 'harness')
      await runUiFlow(layout, report, vsix, only === 'harness');
  } finally {
    killAllServers();
    releaseLock();
  }
  const skipped = report.count('skipped');
  console.log(
    `\nartifacts: ${relative(process.cwd(), layout.artifactsDir) || '.'}/ · ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (skipped > 0) console.log(`${skipped} skipped after an earlier failure in their flow`);
  console.log(`${report.count('passed')} passed, ${report.count('failed')} failed`);
  return report.count('failed') > 0 || report.count('passed') === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    killAllServers();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
