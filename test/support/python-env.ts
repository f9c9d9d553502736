/**
 * The Python that tests use for real frameworks (torch, tensorflow, keras): ACTIVATION_LENS_PYTHON,
 * else KERAS_PYTHON (older name), else `.venv/bin/python` in the repository (what .ci/run creates),
 * else `python3`. Tests ask `pythonWith(modules)` and skip with the returned reason when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Tests are bundled into dist-test/**, so find the repository from wherever this code runs. */
function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src/protocol.ts'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

const repoRoot = findRepoRoot(__dirname);

export function testPython(): string {
  const fromEnv = process.env.ACTIVATION_LENS_PYTHON ?? process.env.KERAS_PYTHON;
  if (fromEnv) return fromEnv;
  const venv = join(repoRoot, '.venv/bin/python');
  return existsSync(venv) ? venv : 'python3';
}

const cache = new Map<string, string | null>();

/** null when `python` imports every module; otherwise why not (a skip reason for node:test). */
export function missingPythonModules(modules: string[], python = testPython()): string | null {
  const key = `${python}\0${modules.join(',')}`;
  if (!cache.has(key)) {
    const r = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    cache.set(
      key,
      r.status === 0
        ? null
        : `${python} cannot import ${modules.join(', ')} (set ACTIVATION_LENS_PYTHON to a Python that has them): ${(r.stderr || String(r.error ?? '')).trim().split('\n').pop()}`,
    );
  }
  return cache.get(key)!;
}
