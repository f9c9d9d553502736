/**
 * Where the bundled Python package (python/activation_lens) is: beside dist/ in the repository and
 * in the installed extension alike (the .vsix ships python/ next to dist/), so the taps are
 * importable without `pip install` — the training process gets that folder on PYTHONPATH.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** The folder holding `activation_lens/`, searched upward from `from` (dist/, or a test's folder). */
export function bundledPythonDir(from: string = __dirname): string | null {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'python');
    if (existsSync(join(candidate, 'activation_lens', '__init__.py'))) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** PYTHONPATH with `dir` first, keeping what the person had after it. */
export function withPythonPath(env: NodeJS.ProcessEnv, dir: string): string {
  const had = env.PYTHONPATH;
  return had ? `${dir}${delimiter}${had}` : dir;
}
