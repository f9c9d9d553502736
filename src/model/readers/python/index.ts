/**
 * Python model sources (Keras and PyTorch scripts) → ModelSpec. The script is parsed with
 * @lezer/python and read statically; it is never executed. Reading is bounded (ReadBudget): a
 * file too large, too deep or too loop-heavy to follow is a UserError on its line.
 */
import { withinStack } from '../stack-guard';
import { UserError } from '../../../errors';
import type { ModelSpec } from '../../spec';
import { defaultReadLimits, ReadBudget } from './budget';
import { KerasReader } from './keras-reader';
import type { PythonReadOptions } from './read-options';
import { SourceText } from './source-text';
import { TorchReader } from './torch-reader';

export type { PythonReadOptions };

type Framework = 'keras' | 'torch';

/**
 * Reads the model a Keras or PyTorch script defines (the one `options.model` names, when it
 * defines several). What is not understood becomes an issue on its line and, when it is left out
 * of the model, an entry in `spec.omitted`; a UserError is thrown when no model can be read.
 */
export function parsePythonModel(text: string, file: string, options: PythonReadOptions = {}): ModelSpec {
  const limits = options.limits ?? defaultReadLimits;
  if (text.length > limits.sourceChars)
    throw new UserError(
      `the file has ${text.length.toLocaleString('en-US')} characters; the reader reads model sources of up to ${limits.sourceChars.toLocaleString('en-US')}`,
      file,
      null,
      'put the model definition in a smaller file, or save the model (.keras, .h5 or a TF.js model.json) and analyze that',
    );
  return withinStack(file, () => readModel(text, file, options));
}

function readModel(text: string, file: string, options: PythonReadOptions): ModelSpec {
  const probe = new SourceText(text, file);
  const budget = new ReadBudget(probe, options.limits);
  const imported = importedFrameworks(probe);
  const order: Framework[] = imported.length > 0 ? imported : ['keras', 'torch'];
  const found: ModelSpec[] = [];
  let failure: UserError | null = null;
  let notNamed: UserError | null = null;
  for (const framework of order) {
    const source = new SourceText(text, file, probe.tree);
    source.reportSyntaxErrors();
    const reader =
      framework === 'keras'
        ? new KerasReader(source, budget, options)
        : new TorchReader(source, budget, options);
    let spec: ModelSpec | null;
    try {
      spec = reader.read();
    } catch (e) {
      // `--model NAME` of the other framework's model (a file importing both): try the other reader.
      if (
        e instanceof UserError &&
        options.model &&
        e.message.startsWith('no model named') &&
        order.length > 1
      ) {
        notNamed = notNamed
          ? new UserError(
              notNamed.message,
              file,
              null,
              `${notNamed.hint}; ${e.hint?.replace('choose one of: ', '') ?? ''}`,
            )
          : e;
        continue;
      }
      throw e;
    }
    if (spec) found.push(spec);
    failure ??= reader.failure;
  }
  // A script that imports both (Keras' datasets in a PyTorch script …): the bigger model wins.
  let best: ModelSpec | null = null;
  for (const spec of found) if (!best || spec.layers.length > best.layers.length) best = spec;
  if (best) return best;
  if (notNamed) throw notNamed;
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
