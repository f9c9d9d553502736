/**
 * The header of a `.npy` file is a Python dict literal, e.g.
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }`. This reads exactly that
 * grammar (strings, ints, True/False/None, tuples, lists, dicts) with a small recursive-descent parser
 * whose nesting depth is bounded: a header is attacker-controlled text, and a few thousand `(`
 * would otherwise overflow the stack.
 */

/** Far deeper than any numpy header (a dict holding a tuple: depth 2). */
export const MAX_HEADER_DEPTH = 16;

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

export class NpyHeaderSyntaxError extends Error {}

export function parsePythonLiteral(text: string): PyValue {
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new NpyHeaderSyntaxError(`${what} at character ${i} of the header`);
  };
  const expect = (ch: string): void => {
    skipSpace();
    if (text[i] !== ch) fail(`expected '${ch}'`);
    i++;
  };
  let depth = 0;
  const nested = <T>(read: () => T): T => {
    if (++depth > MAX_HEADER_DEPTH) fail(`nesting deeper than ${MAX_HEADER_DEPTH} levels`);
    const out = read();
    depth--;
    return out;
  };
  const value = (): PyValue => {
    skipSpace();
    const ch = text[i];
    if (ch === undefined) return fail('unexpected end');
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (ch === '{') {
      i++;
      // No prototype: a '__proto__' key in the header is just a key.
      const out = Object.create(null) as { [key: string]: PyValue };
      for (;;) {
        skipSpace();
        if (text[i] === '}') {
          i++;
          return out;
        }
        const key = nested(value);
        if (typeof key !== 'string') fail('dict keys must be strings');
        expect(':');
        out[key as string] = nested(value);
        skipSpace();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (ch === '(' || ch === '[') {
      const close = ch === '(' ? ')' : ']';
      i++;
      const out: PyValue[] = [];
      for (;;) {
        skipSpace();
        if (text[i] === close) {
          i++;
          return out;
        }
        out.push(nested(value));
        skipSpace();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    const start = i;
    while (i < text.length && /[A-Za-z0-9_+\-.]/.test(text[i]!)) i++;
    const word = text.slice(start, i);
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    // Python 2 era numpy wrote longs as `3L`.
    const num = Number(word.endsWith('L') ? word.slice(0, -1) : word);
    if (word === '' || !Number.isFinite(num)) fail(`unexpected '${word || ch}'`);
    return num;
  };
  const result = value();
  skipSpace();
  if (i !== text.length) fail('trailing characters');
  return result;
}
