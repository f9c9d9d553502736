/**
 * Parse (never execute) a model defined in source code: Keras or PyTorch Python, TF.js JS/TS.
 * Used by the engine to build the model and by the extension for lenses and quick fixes.
 */
import { extname } from 'node:path';
import { parsePythonModel } from './python';
import type { ModelSpec } from './spec';
import { parseTfjsSource } from './tfjs-source';

import { isModelSource } from './source-kind';

export { isModelSource };

/** Parses `text` as the source of `file`; throws UserError when no model can be found. */
export function parseModelSourceOrThrow(file: string, text: string): ModelSpec {
  return extname(file).toLowerCase() === '.py' ? parsePythonModel(text, file) : parseTfjsSource(text, file);
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
