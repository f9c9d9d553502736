/**
 * `argparse` as scripts use it to name their hyperparameters: `add_argument('--batch-size',
 * default=64)` then `args = parser.parse_args()` gives `args.batch_size == 64`. The defaults are
 * what the script means when run without arguments, so they are what the reader folds.
 */
import type { Argument } from './interpreter';
import { asString, type PyValue } from './values';

/** `argparse.ArgumentParser()`: collects `add_argument` defaults; `parse_args()` yields them. */
export class ArgumentParserValue {
  readonly defaults = new Map<string, PyValue>();

  describe(): string {
    return 'an argparse parser';
  }
}

/** A method of a parser, or undefined when it is not one argparse folds. */
export function foldParserMethod(
  parser: ArgumentParserValue,
  name: string,
  args: Argument[],
): PyValue | undefined {
  if (name === 'add_argument') {
    const flags = args.filter((a) => a.keyword === null).map((a) => asString(a.value));
    const dest = asString(args.find((a) => a.keyword === 'dest')?.value) ?? longOptionName(flags);
    const def = args.find((a) => a.keyword === 'default');
    if (dest) parser.defaults.set(dest, def ? def.value : { kind: 'none' });
    return { kind: 'none' };
  }
  if (name === 'parse_args' || name === 'parse_known_args') {
    const ns: PyValue = { kind: 'dict', entries: new Map(parser.defaults) };
    return name === 'parse_args' ? ns : { kind: 'tuple', items: [ns, { kind: 'tuple', items: [] }] };
  }
  // add_argument_group(), set_defaults() …: a group adds to the same parser.
  if (name === 'add_argument_group' || name === 'add_mutually_exclusive_group')
    return { kind: 'host', value: parser };
  if (name === 'set_defaults') {
    for (const a of args) if (a.keyword) parser.defaults.set(a.keyword, a.value);
    return { kind: 'none' };
  }
  return undefined;
}

function longOptionName(flags: (string | null)[]): string | null {
  const long = flags.find((f) => f?.startsWith('--')) ?? flags.find((f) => f !== null && !f.startsWith('-'));
  if (!long) return null;
  return long.replace(/^-+/, '').split('-').join('_');
}
