/**
 * The net under a source reader's own nesting budgets: a stack overflow while following a file is
 * still a file nested too deeply to read, said as a UserError that names it.
 */
import { UserError } from '../../errors';

export function withinStack<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message))
      throw new UserError(
        'the file nests too deeply to read (the reader ran out of stack while following it)',
        file,
        null,
        'Activation Lens reads model definitions, not generated code: simplify the nesting or move the model into a file of its own, or save the model (.keras, .h5 or a TF.js model.json) and analyze that',
      );
    throw e;
  }
}
