/**
 * Parse (never execute) a model defined in source code: Keras or PyTorch Python, TF.js JS/TS.
 * Used by the engine to build the model and by the extension for lenses and quick fixes.
 */
import { extname } from 'node:path';
import { parsePythonModel } from './python';
import type { ModelSpec } from '../spec';

import { isModelSource } from './source-kind';

export { isModelSource };

/** Parses `text` as the source of `file`; throws UserError when no model can be found. */
export function parseModelSourceOrThrow(file: string, text: string): ModelSpec {
  if (extname(file).toLowerCase() === '.py') return parsePythonModel(text, file);
  // Synchronous but lazy: the TypeScript compiler (9 MB) loads on the first JS/TS model only, so
  // Python users never pay for it. esbuild turns this require into a deferred module init.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseTfjsSource } = require('./tfjs-source') as typeof import('./tfjs-source');
  return parseTfjsSource(text, file);
}

/** For lenses: the parsed model, or null when the file holds none (never throws). */
export function parseModelSource(file: string, text: string): ModelSpec | null {
  if (!isModelSource(file)) return null;
  try {
    return parseModelSourceOrThrow(file, text);
  } catch {
    return null;
  }
}
