/**
 * Python number literals, including the float spellings @lezer/python 1.1 does not tokenize as
 * one number: `100.` and `0.` (read as the integer, a `.` and an empty error node) and `1.e5` /
 * `1.e-5` (read as an attribute `e5` of the integer, or `1.e` minus 5). The tree is read as the
 * real grammar means it, so these are neither syntax errors nor attribute accesses.
 */
import type { SyntaxNode } from '@lezer/common';
import type { SourceText } from './source-text';

/** The value of a Number token (ints in any base, floats, `_` separators); null for complex. */
export function numberValue(text: string): number | null {
  const clean = text.split('_').join('');
  const lower = clean.toLowerCase();
  if (lower.endsWith('j')) return null;
  if (lower.startsWith('0x') || lower.startsWith('0o') || lower.startsWith('0b')) {
    const base = lower[1] === 'x' ? 16 : lower[1] === 'o' ? 8 : 2;
    const n = parseInt(lower.slice(2), base);
    return Number.isFinite(n) ? n : null;
  }
  const n = Number(clean);
  return Number.isFinite(n) ? n : null;
}

/** An integer literal's token: digits and `_` only (`100`, `1_000`), the part before a trailing dot. */
function isDecimalInteger(node: SyntaxNode | null, source: SourceText): node is SyntaxNode {
  if (node?.name !== 'Number') return false;
  const text = source.slice(node);
  for (const c of text) if (!((c >= '0' && c <= '9') || c === '_')) return false;
  return text.length > 0;
}

/** `100.…` read as a MemberExpression: the integer, the `.` right after it, and what follows. */
function integerDot(
  member: SyntaxNode,
  source: SourceText,
): { int: SyntaxNode; dot: SyntaxNode; rest: SyntaxNode | null } | null {
  const int = member.firstChild;
  const dot = int?.nextSibling ?? null;
  if (!isDecimalInteger(int, source) || dot?.name !== '.' || dot.from !== int.to) return null;
  return { int, dot, rest: dot.nextSibling };
}

/** `e5`, `E+05` after the dot: an exponent written without a mantissa fraction. */
function isExponent(text: string): boolean {
  if (text.length < 2 || (text[0] !== 'e' && text[0] !== 'E')) return false;
  for (const c of text.slice(1)) if (!((c >= '0' && c <= '9') || c === '_')) return false;
  return true;
}

/**
 * `100.` or `1.e5` as lezer parses them: a MemberExpression of an integer, an adjacent `.`, and
 * either an empty error node or an exponent written as a property name. Returns the float.
 */
export function trailingDotFloat(node: SyntaxNode, source: SourceText): number | null {
  if (node.name !== 'MemberExpression') return null;
  const parts = integerDot(node, source);
  if (!parts) return null;
  const { int, dot, rest } = parts;
  if (rest === null || rest.nextSibling !== null) return null;
  const mantissa = source.slice(int);
  // The empty error node sits where the missing property name would start (after any blanks).
  if (rest.type.isError && rest.from === rest.to && source.text.slice(dot.to, rest.from).trim() === '')
    return numberValue(mantissa);
  if (rest.name === 'PropertyName' && rest.from === dot.to && isExponent(source.slice(rest)))
    return numberValue(`${mantissa}${source.slice(rest)}`);
  return null;
}

/** `1.e-5`: lezer reads `(1.e) - 5`; the parts touch, so it is one float literal. */
export function signedExponentFloat(node: SyntaxNode, source: SourceText): number | null {
  if (node.name !== 'BinaryExpression') return null;
  const left = node.firstChild;
  const op = left?.nextSibling ?? null;
  const right = op?.nextSibling ?? null;
  if (left?.name !== 'MemberExpression' || !op || right?.name !== 'Number' || right.nextSibling) return null;
  const opText = source.slice(op);
  if ((opText !== '-' && opText !== '+') || op.from !== left.to || right.from !== op.to) return null;
  const parts = integerDot(left, source);
  if (!parts) return null;
  const { int, dot, rest: e } = parts;
  if (e?.name !== 'PropertyName' || e.from !== dot.to || e.nextSibling) return null;
  const letter = source.slice(e);
  if (letter !== 'e' && letter !== 'E') return null;
  const exponent = source.slice(right);
  if (!isDecimalInteger(right, source)) return null;
  return numberValue(`${source.slice(int)}e${opText}${exponent}`);
}

/** The empty error node after `100.`: part of a valid float literal, not a syntax error. */
export function isTrailingDotError(node: SyntaxNode, source: SourceText): boolean {
  if (!node.type.isError || node.from !== node.to) return false;
  const parent = node.parent;
  return parent !== null && parent.lastChild?.from === node.from && trailingDotFloat(parent, source) !== null;
}
