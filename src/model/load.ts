/** Any model source the person has → ModelSpec. The file's kind is decided by its name. */
import { existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { UserError } from '../errors';
import { readNamedFile } from '../io/contained-file';
import { exampleSpec, EXAMPLES } from './example';
import type { ModelSpec } from './spec';
import { loadKerasFile } from './readers/saved/load-keras-file';
import { isModelSource } from './readers/source-kind';
import type { SourceReadOptions } from './readers/source';
import { loadTfjsModelJson } from './readers/tfjs-json';

/** Each source reader has its own, smaller budget; this only keeps the read itself bounded. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;
const SOURCE_HINT =
  'Activation Lens reads model definitions, not generated code; move the model into a file of its own';
/** Saved models are read whole; weights beyond a few hundred million parameters are refused anyway. */
const MAX_SAVED_BYTES = 2 * 1024 ** 3;

/**
 * Reads the model in `file`. `options.model` picks one model of a Python file that defines several
 * (`--model NAME`); `options.inputShape` gives the per-sample input shape a Python file does not
 * state (`--input-shape 28,28,1`). Both are refused for files they do not apply to.
 */
export async function loadModelSpec(file: string, options: SourceReadOptions = {}): Promise<ModelSpec> {
  if (!existsSync(file)) throw new UserError('file not found', file, null, 'check the path');
  if (statSync(file).isDirectory()) {
    if (existsSync(`${file}/saved_model.pb`)) {
      throw new UserError(
        'TensorFlow SavedModel directories are not supported',
        file,
        null,
        'save the model as .keras, .h5 or a TF.js model.json',
      );
    }
    throw new UserError(
      'is a directory, not a model file',
      file,
      null,
      'pass a model.json, .h5, .keras, .py, .ts or .js file',
    );
  }
  const ext = extname(file).toLowerCase();
  // The parsers (and the TypeScript compiler) load only when a source file is analysed.
  if (isModelSource(file)) {
    const text = readNamedFile(file, 'the model source', MAX_SOURCE_BYTES, SOURCE_HINT).toString('utf8');
    return (await import('./readers/source')).parseModelSourceOrThrow(file, text, options);
  }
  if (options.model || options.inputShape?.length)
    (await import('./readers/source')).refuseUnusedOptions(file, options);
  switch (ext) {
    case '.h5':
    case '.hdf5':
    case '.keras':
      return loadKerasFile(
        new Uint8Array(readNamedFile(file, 'the model file', MAX_SAVED_BYTES, 'analyze a smaller model')),
        file,
      );
    case '.json':
      return loadTfjsModelJson(file);
    case '.pb':
      throw new UserError(
        'TensorFlow SavedModel / frozen graphs (.pb) are not supported',
        file,
        null,
        'save the model as .keras, .h5 or a TF.js model.json',
      );
    default:
      throw new UserError(
        `unsupported model file type '${ext || basename(file)}'`,
        file,
        null,
        'pass a model.json, .h5, .keras, .py, .ts or .js file',
      );
  }
}

export function loadExample(name: string): ModelSpec {
  const spec = exampleSpec(name);
  if (!spec)
    throw new UserError(`unknown example '${name}'`, null, null, `choose one of: ${EXAMPLES.join(', ')}`);
  return spec;
}
