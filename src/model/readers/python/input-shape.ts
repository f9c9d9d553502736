/**
 * A model whose input shape the file does not state (`nn.Flatten()` first, `Input(shape=(IMG, IMG,
 * 3))` with IMG imported from another module, a Keras Sequential with no `input_shape`) cannot be
 * built without a guess, and a guess is how a wrong model passes silently. The reader refuses on
 * the line, naming the option that supplies it, unless the person gave it or a lens is reading.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import type { PythonReadOptions } from './read-options';
import type { SourceText } from './source-text';

export const inputShapeHint =
  'give it with --input-shape, per sample and channels-last, e.g. --input-shape 28,28,1 for 28×28 grayscale images or --input-shape 784 for flat vectors';

/** For models that read token ids: the shape is the number of tokens per sample. */
export const sequenceShapeHint =
  'give it with --input-shape: the number of tokens per sample, e.g. --input-shape 200 (or pad_sequences(..., maxlen=200) in the file)';

/**
 * The input shape when the file does not state it: the person's, or null for a lenient read
 * (the caller assumes one and says so); otherwise a UserError on `node`'s line.
 */
export function unstatedInputShape(
  source: SourceText,
  node: SyntaxNode,
  detail: string,
  options: PythonReadOptions,
  hint: string = inputShapeHint,
): number[] | null {
  if (options.inputShape && options.inputShape.length > 0) return options.inputShape;
  if (options.lenient) return null;
  throw new UserError(
    `the model's input shape is not stated in the file (${detail})`,
    source.file,
    source.position(node.from).line,
    hint,
  );
}
