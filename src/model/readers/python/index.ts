/**
 * Python model sources (Keras and PyTorch scripts) → ModelSpec. The script is parsed with
 * @lezer/python and read statically; it is never executed.
 */
import { UserError } from '../../../errors';
import type { ModelSpec } from '../../spec';
import { KerasReader } from './keras-reader';
import { SourceText } from './source-text';
import { TorchReader } from './torch-reader';

type Framework = 'keras' | 'torch';

/**
 * Reads the model a Keras or PyTorch script defines. Whatever is not understood becomes an entry
 * in `spec.issues` (with its line); a UserError is thrown only when no model can be found at all.
 */
export function parsePythonModel(text: string, file: string): ModelSpec {
  const probe = new SourceText(text, file);
  const imported = importedFrameworks(probe);
  const order: Framework[] = imported.length > 0 ? imported : ['keras', 'torch'];
  const found: ModelSpec[] = [];
  let failure: UserError | null = null;
  for (const framework of order) {
    const source = new SourceText(text, file);
    source.reportSyntaxErrors();
    const reader = framework === 'keras' ? new KerasReader(source) : new TorchReader(source);
    const spec = reader.read();
    if (spec) found.push(spec);
    failure ??= reader.failure;
  }
  // A script that imports both (Keras' datasets in a PyTorch script …): the bigger model wins.
  let best: ModelSpec | null = null;
  for (const spec of found) if (!best || spec.layers.length > best.layers.length) best = spec;
  if (best) return best;
  if (failure) throw failure;
  const syntax = probe.tree.topNode.firstChild === null ? null : probe;
  syntax?.reportSyntaxErrors();
  const firstError = syntax?.issues[0];
  throw new UserError(
    firstError
      ? `no Keras or PyTorch model found (the file has a syntax error at line ${firstError.line})`
      : 'no Keras or PyTorch model found: no Sequential/functional Keras model, nn.Module or nn.Sequential',
    file,
    firstError?.line ?? 1,
    'define the model with keras Sequential/Model or a torch nn.Module / nn.Sequential in this file',
  );
}

/** Which frameworks the file imports, in order of first import. */
function importedFrameworks(source: SourceText): Framework[] {
  const out: Framework[] = [];
  const cursor = source.tree.cursor();
  do {
    if (cursor.name !== 'ImportStatement') continue;
    const root = cursor.node.getChild('VariableName');
    const name = root ? source.slice(root) : '';
    const framework: Framework | null =
      name === 'torch'
        ? 'torch'
        : name === 'keras' || name === 'tensorflow' || name === 'tf_keras'
          ? 'keras'
          : null;
    if (framework && !out.includes(framework)) out.push(framework);
  } while (cursor.next());
  return out;
}
