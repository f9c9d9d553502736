/**
 * Where one e2e run keeps its files: everything under test/e2e/.run (git-ignored), wiped at the
 * start, so VS Code, Chromium and the extension never write into $HOME or the repository.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface RunLayout {
  root: string;
  /** test/e2e/.harness: code-server and its node_modules (scripts/install-code-server.sh). */
  harnessDir: string;
  runDir: string;
  /** Screenshots and logs that outlive the run. */
  artifactsDir: string;
  /** HOME, XDG_* and TMPDIR for every process the suite starts. */
  homeDir: string;
  /** A copy of test/e2e/workspace: the UI flow edits it on disk. */
  workspaceDir: string;
}

/** The repository root: the nearest folder above `from` whose package.json is this extension's. */
export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'activation-lens'
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no activation-lens package.json above ${from}`);
  }
}

export function createRunLayout(root: string): RunLayout {
  const runDir = join(root, 'test/e2e/.run');
  rmSync(runDir, { recursive: true, force: true });
  const layout: RunLayout = {
    root,
    harnessDir: join(root, 'test/e2e/.harness'),
    runDir,
    artifactsDir: join(runDir, 'artifacts'),
    homeDir: join(runDir, 'home'),
    workspaceDir: join(runDir, 'workspace'),
  };
  for (const dir of [layout.artifactsDir, layout.homeDir]) mkdirSync(dir, { recursive: true });
  for (const sub of ['config', 'data', 'cache', 'tmp'])
    mkdirSync(join(layout.homeDir, sub), { recursive: true });
  cpSync(join(root, 'test/e2e/workspace'), layout.workspaceDir, { recursive: true });
  return layout;
}

/** The environment for code-server and Chromium: nothing they write lands outside the run. */
export function isolatedEnv(layout: RunLayout, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = layout.homeDir;
  return {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    TMPDIR: join(home, 'tmp'),
    ...extra,
  };
}
