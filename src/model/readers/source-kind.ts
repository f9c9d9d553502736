/** Which files are model source code (parsed, never executed) — cheap, no parser loaded. */
import { extname } from 'node:path';

const TFJS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx']);

export function isModelSource(file: string): boolean {
  const ext = extname(file).toLowerCase();
  return ext === '.py' || TFJS_EXTENSIONS.has(ext);
}
