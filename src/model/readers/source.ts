/**
 * Parse (never execute) a model defined in source code: Keras or PyTorch Python, TF.js JS/TS.
 * Used by the engine to build the model and by the extension for lenses and quick fixes.
 */
import { extname } from 'node:path';
import { UserError } from '../../errors';
import { parsePythonModel } from './python';
import type { ModelSpec } from '../spec';

import { isModelSource } from './source-kind';

export { isModelSource };

/** What the person says beyond the file (`--model NAME`, `--input-shape 28,28,1`). */
export interface SourceReadOptions {
  model?: string | null;
  inputShape?: number[] | null;
}

/** Parses `text` as the source of `file`; throws UserError when no model can be found. */
export function parseModelSourceOrThrow(
  file: string,
  text: string,
  options: SourceReadOptions = {},
): ModelSpec {
  if (extname(file).toLowerCase() === '.py')
    return parsePythonModel(text, file, {
      model: options.model ?? null,
      inputShape: options.inputShape ?? null,
    });
  refuseUnusedOptions(file, options);
  // Synchronous but lazy: the TypeScript compiler (9 MB) loads on the first JS/TS model only, so
  // Python users never pay for it. esbuild turns this require into a deferred module init.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseTfjsSource } = require('./tfjs-source') as typeof import('./tfjs-source');
  return parseTfjsSource(text, file);
}

/** `--model` / `--input-shape` mean something for Python sources only; elsewhere they are refused, not ignored. */
export function refuseUnusedOptions(file: string, options: SourceReadOptions): void {
  const given = [
    options.model ? '--model' : null,
    options.inputShape?.length ? '--input-shape' : null,
  ].filter((o): o is string => o !== null);
  if (given.length > 0)
    throw new UserError(
      `${given.join(' and ')} ${given.length > 1 ? 'apply' : 'applies'} to Python model sources only`,
      file,
      null,
      `remove ${given.join(' and ')}; this file defines one model with its own input shape`,
    );
}

/** For lenses: the parsed model, or null when the file holds none (never throws). */
export function parseModelSource(file: string, text: string): ModelSpec | null {
  if (!isModelSource(file)) return null;
  try {
    // Lenses read leniently: an input shape the file does not state is assumed (and said so).
    if (extname(file).toLowerCase() === '.py') return parsePythonModel(text, file, { lenient: true });
    return parseModelSourceOrThrow(file, text);
  } catch {
    return null;
  }
}
