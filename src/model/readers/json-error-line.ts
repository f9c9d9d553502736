/**
 * Where in a JSON text the first syntax error is, as a 1-based line. Node 20's JSON.parse messages
 * do not always carry a position, and a person needs the line. A small recursive-descent scan
 * (on JSON nested too deep for it, no line is given).
 */
export function jsonErrorLine(text: string): number | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const start = i;
    while (i < text.length && '+-0123456789.eE'.includes(text[i]!)) i++;
    if (i === start || !Number.isFinite(Number(text.slice(start, i)))) {
      i = start;
      fail();
    }
  };
  /** `{…}` or `[…]` from its opening bracket: items separated by commas up to `close`. */
  const sequence = (close: string, item: () => void): void => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === close) {
        i++;
        return;
      } else fail();
    }
  };
  const member = (): void => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ':') fail();
    i++;
    value();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return sequence('}', member);
    if (c === '[') return sequence(']', value);
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return null;
  } catch (at) {
    // JSON nested deeper than this scan's stack: the line is a nicety, the error stands without it.
    if (at instanceof RangeError) return null;
    if (typeof at !== 'number') throw at;
    return text.slice(0, at).split('\n').length;
  }
}
