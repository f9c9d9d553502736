// The in-host integration tests (test/integration/index.ts) in desktop VS Code, for connected
// machines: @vscode/test-electron downloads VS Code, which cannot work on the offline build
// machines — there `npm run test:e2e` runs the same tests in code-server (docs/e2e.md).
//
//   npm run build
//   npm install --no-save @vscode/test-electron@3   # not a project dependency on purpose
//   node .vscode-test.mjs                           # Linux CI without a display: xvfb-run -a node .vscode-test.mjs
//
// VSCODE_TEST_VERSION picks the VS Code version ("stable" by default; "1.90.0" is the oldest the
// manifest's engines.vscode accepts).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const testsPath = join(root, 'dist-test/integration/index.js');

let runTests;
try {
  ({ runTests } = await import('@vscode/test-electron'));
} catch {
  console.error(
    '@vscode/test-electron is not installed: npm install --no-save @vscode/test-electron@3 (needs network)',
  );
  process.exit(2);
}
if (!existsSync(testsPath) || !existsSync(join(root, 'dist/extension.js'))) {
  console.error('run `npm run build` first (dist/extension.js and dist-test/integration/index.js)');
  process.exit(2);
}

// The tests edit the example (and undo/revert): give them a copy, and a fresh profile.
const scratch = mkdtempSync(join(tmpdir(), 'activation-lens-vscode-test-'));
const workspace = join(scratch, 'workspace');
cpSync(join(root, 'test/e2e/workspace'), workspace, { recursive: true });
let exitCode = 1;
try {
  exitCode = await runTests({
    version: process.env.VSCODE_TEST_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: testsPath,
    extensionTestsEnv: {
      ACTIVATION_LENS_TEST_OUT: join(scratch, 'test-out.jsonl'),
      E2E_INTEGRATION_OUT: join(scratch, 'results.jsonl'),
    },
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--user-data-dir',
      join(scratch, 'user-data'),
    ],
  });
} catch (error) {
  console.error(error);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(exitCode);
