// One esbuild script: the extension host (node/cjs, `vscode` external), the engine + CLI + bench +
// the parser process (node/cjs), the webview (browser/iife), the tests, and the performance check
// (a node runner and the browser worker that streams its synthetic run). In development TF.js stays external
// (tests share one tfjs-core with the bundles); `--production` (the .vsix) bundles TF.js and its
// wasm/webgpu backends into the engine and copies the .wasm binaries beside it, so the package
// carries none of TF.js's 300 MB of node_modules. Native packages (webgpu's dawn.node), h5wasm and
// the TypeScript compiler stay external.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const nodeExternals = [
  'vscode',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'webgpu',
  'h5wasm',
  'playwright-core',
  // 9 MB: loaded only when a JS/TS model source is parsed, never at activation.
  'typescript',
];

/** The shared options for every Node bundle. */
function nodeConfig(entryPoints, outdir, extra = {}) {
  return {
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: production ? false : 'linked',
    minify: production,
    external: production ? nodeExternals.filter((m) => !m.startsWith('@tensorflow/tfjs')) : nodeExternals,
    logLevel: 'warning',
    ...extra,
  };
}

/** Test entry points: `*.unit|vscode|e2e.test.ts`, `*.perf.ts` and integration/index.ts; or `*.worker.ts`. */
function findTests(dir, workers = false) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === '.harness' || name === '.run' || name === 'fixtures') continue;
    if (statSync(p).isDirectory()) out.push(...findTests(p, workers));
    else if (workers ? /\.worker\.ts$/.test(name) : isTestEntry(dir, name)) out.push(p);
  }
  return out;
}

function isTestEntry(dir, name) {
  return (
    /\.(unit|vscode|e2e)\.test\.ts$/.test(name) ||
    /\.perf\.ts$/.test(name) ||
    // Scripts a test runs as a child process (named so `node --test` does not run them as tests).
    /\.child\.ts$/.test(name) ||
    (name === 'index.ts' && dir.endsWith('integration'))
  );
}

const configs = [
  nodeConfig({ extension: join(root, 'extension/extension.ts') }, join(root, 'dist')),
  nodeConfig(
    {
      cli: join(root, 'src/cli.ts'),
      engine: join(root, 'src/engine-process.ts'),
      bench: join(root, 'src/bench.ts'),
      // The model parsers, in a child process of the extension host (extension/parser-process.ts).
      parser: join(root, 'src/parse-process.ts'),
      // HDF5 runs on a worker thread the engine can stop (src/model/readers/saved/hdf5.ts).
      'hdf5-worker': join(root, 'src/model/readers/saved/hdf5-worker.ts'),
      // `--backend auto` measures WebGPU in this child, whose native stderr is kept, not shown
      // (src/backend/webgpu-probe.ts).
      'webgpu-probe': join(root, 'src/backend/webgpu-probe-process.ts'),
    },
    join(root, 'dist'),
    { banner: { js: '#!/usr/bin/env node' } },
  ),
  {
    entryPoints: { webview: join(root, 'webview/main.ts') },
    outdir: join(root, 'dist'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'linked',
    minify: production,
    loader: { '.css': 'css' },
    logLevel: 'warning',
  },
];
const tests = findTests(join(root, 'test'));
const workers = findTests(join(root, 'test'), true);
if (tests.length > 0 && !production) {
  configs.push(nodeConfig(tests, join(root, 'dist-test'), { outbase: join(root, 'test') }));
  // Run by hand (`node dist-test/fuzz-inputs.js`), never by `npm test`: it takes minutes.
  configs.push(nodeConfig({ 'fuzz-inputs': join(root, 'scripts/fuzz-inputs.ts') }, join(root, 'dist-test')));
}
if (workers.length > 0 && !production) {
  configs.push({
    entryPoints: workers,
    outdir: join(root, 'dist-test'),
    outbase: join(root, 'test'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
}

/** Drops entry points whose file does not exist yet, and bundles with none left. */
function present(config) {
  const eps = config.entryPoints;
  if (Array.isArray(eps)) {
    const kept = eps.filter((p) => existsSync(p));
    return kept.length ? { ...config, entryPoints: kept } : null;
  }
  const kept = Object.fromEntries(Object.entries(eps).filter(([, p]) => existsSync(p)));
  return Object.keys(kept).length ? { ...config, entryPoints: kept } : null;
}

rmSync(join(root, 'dist-test'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'), { recursive: true });
const active = configs.map(present).filter(Boolean);
if (watch) {
  for (const c of active) await (await esbuild.context(c)).watch();
  console.log('watching', active.length, 'bundles');
} else {
  await Promise.all(active.map((c) => esbuild.build(c)));
}
// The webview's icon font and the media folder ship as files.
const codicons = join(root, 'node_modules/@vscode/codicons/dist');
if (existsSync(codicons)) {
  cpSync(join(codicons, 'codicon.css'), join(root, 'dist/codicon.css'));
  cpSync(join(codicons, 'codicon.ttf'), join(root, 'dist/codicon.ttf'));
}
if (production) {
  // Emscripten looks for its .wasm next to the script that contains it: dist/engine.js.
  const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm')))
    cpSync(join(wasmDir, f), join(root, 'dist', f));
}
const uplotCss = join(root, 'node_modules/uplot/dist/uPlot.min.css');
if (existsSync(uplotCss)) cpSync(uplotCss, join(root, 'dist/uPlot.min.css'));
if (!watch)
  console.log(
    `built ${active.length} bundles${tests.length ? ` (${tests.length} test files)` : ''} → ${relative(process.cwd(), join(root, 'dist')) || 'dist'}`,
  );
