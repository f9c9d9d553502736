// Platform-specific .vsix packages: `node scripts/package.mjs [--target T|all]` (default: this
// machine's). Each package carries only its own platform's Dawn binary (npm `webgpu`); TF.js and its
// wasm backend are bundled into dist/ by the production build, so none of TF.js's node_modules ship.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** vsce target → the folder of node_modules/webgpu/dist holding that platform's dawn.node. */
const DAWN = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};
const DAWN_DIRS = [...new Set(Object.values(DAWN))];

const arg = process.argv.indexOf('--target');
const requested = arg > 0 ? process.argv[arg + 1] : `${process.platform}-${process.arch}`;
const targets = requested === 'all' ? Object.keys(DAWN) : [requested];
for (const t of targets)
  if (!DAWN[t]) throw new Error(`unknown target '${t}': one of ${Object.keys(DAWN).join(', ')}, all`);

execFileSync(process.execPath, [join(root, 'build/build.mjs'), '--production'], { stdio: 'inherit' });
const base = readFileSync(join(root, '.vscodeignore'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'al-package-'));
for (const target of targets) {
  const ignore = [
    base,
    '# added by scripts/package.mjs for this target',
    ...DAWN_DIRS.filter((d) => d !== DAWN[target]).map((d) => `node_modules/webgpu/dist/${d}/**`),
  ].join('\n');
  const ignoreFile = join(dir, `${target}.vscodeignore`);
  writeFileSync(ignoreFile, `${ignore}\n`);
  const out = join(root, `${pkg.name}-${pkg.version}-${target}.vsix`);
  const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
  execFileSync(
    process.execPath,
    [
      vsce,
      'package',
      '--target',
      target,
      '--ignoreFile',
      ignoreFile,
      '--no-yarn',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '--out',
      out,
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  console.log(`${target}: ${out} (${(statSync(out).size / 2 ** 20).toFixed(1)} MiB)`);
}
