/**
 * Puts the built extension where VS Code finds it. The unpacked way copies what the .vsix would
 * hold (package.json, dist/, media/, data/, python/ without its tests, README, LICENSE: the
 * folders .vscodeignore keeps) into `<extensionsDir>/<publisher>.<name>-<version>`
 * as a snapshot — other people's rebuilds of dist/ cannot change it under a running test — and links
 * node_modules (TF.js and its wasm binaries load from there at run time). The packaged way runs
 * `code-server --install-extension file.vsix`, which tests the packaging too.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedEnv, type RunLayout } from './run-layout';

export interface ExtensionManifest {
  publisher: string;
  name: string;
  version: string;
  main?: string;
}

export function readManifest(root: string): ExtensionManifest {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as ExtensionManifest;
}

export function extensionId(manifest: ExtensionManifest): string {
  return `${manifest.publisher}.${manifest.name}`;
}

/**
 * Copies the built extension into extensionsDir; returns the extension's folder. `requireMain: false`
 * only serves `--only harness`, which checks the harness itself before the extension is built.
 */
export function installUnpacked(
  layout: RunLayout,
  extensionsDir: string,
  options: { requireMain: boolean },
): string {
  const manifest = readManifest(layout.root);
  const main = join(layout.root, manifest.main ?? 'dist/extension.js');
  if (options.requireMain && !existsSync(main))
    throw new Error(`${main} is missing: run \`npm run build\` first`);
  const target = join(extensionsDir, `${extensionId(manifest)}-${manifest.version}`);
  mkdirSync(target, { recursive: true });
  for (const entry of [
    'package.json',
    'dist',
    'media',
    'data',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'package.nls.json',
  ]) {
    const from = join(layout.root, entry);
    if (existsSync(from)) cpSync(from, join(target, entry), { recursive: true, dereference: true });
  }
  // The live taps' Python package ships beside dist/ (its tests do not).
  cpSync(join(layout.root, 'python'), join(target, 'python'), {
    recursive: true,
    filter: (from) => !/[\\/](tests|__pycache__)([\\/]|$)/.test(from.slice(layout.root.length)),
  });
  symlinkSync(join(layout.root, 'node_modules'), join(target, 'node_modules'), 'dir');
  return target;
}

/** Installs a packaged .vsix with code-server's own CLI (no server needs to be running). */
export function installVsix(layout: RunLayout, extensionsDir: string, vsixPath: string): void {
  mkdirSync(extensionsDir, { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(layout.harnessDir, 'node_modules/code-server/out/node/entry.js'),
      '--extensions-dir',
      extensionsDir,
      '--user-data-dir',
      join(layout.runDir, 'vsix-install'),
      '--install-extension',
      vsixPath,
    ],
    { env: isolatedEnv(layout), stdio: 'pipe', timeout: 60_000 },
  );
}
