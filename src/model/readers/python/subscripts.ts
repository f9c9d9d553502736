/**
 * Subscripts `a[i]`, `a[1:]`, `a[::2]`, `out[:, -1, :]`: the parts as written, and their value on
 * folded lists, dicts and strings. Framework objects (tensors, ModuleLists) are left to the reader.
 */
import type { SyntaxNode } from '@lezer/common';
import { allChildren } from './source-text';
import { asNumber, asString, unknown, type PyValue } from './values';

/** One comma-separated part of a subscript. */
export type SubscriptPart =
  | { kind: 'index'; value: PyValue }
  | { kind: 'slice'; start: PyValue | null; stop: PyValue | null; step: PyValue | null }
  | { kind: 'ellipsis' };

/** The syntax of each part: index expressions, or the three optional expressions of a slice. */
export type SubscriptSyntax =
  | { kind: 'index'; node: SyntaxNode }
  | { kind: 'slice'; parts: (SyntaxNode | null)[] }
  | { kind: 'ellipsis' };

/** The parts of `object[...]` (null when the node is an attribute access, not a subscript). */
export function subscriptSyntax(member: SyntaxNode): SubscriptSyntax[] | null {
  const children = allChildren(member);
  const open = children.findIndex((c) => c.name === '[');
  if (open < 1) return null;
  const out: SubscriptSyntax[] = [];
  let group: SyntaxNode[] = [];
  const flush = (): void => {
    if (group.some((c) => c.name === ':')) {
      const parts: (SyntaxNode | null)[] = [null];
      for (const c of group) {
        if (c.name === ':') parts.push(null);
        else parts[parts.length - 1] = c;
      }
      out.push({ kind: 'slice', parts });
    } else if (group.length === 1 && group[0]!.name === 'Ellipsis') out.push({ kind: 'ellipsis' });
    else if (group.length === 1) out.push({ kind: 'index', node: group[0]! });
    group = [];
  };
  for (const c of children.slice(open + 1)) {
    if (c.name === ']') break;
    if (c.name === ',') flush();
    else group.push(c);
  }
  flush();
  return out;
}

/** Python's slice bounds on a sequence of `length` items. */
export function sliceIndices(
  part: Extract<SubscriptPart, { kind: 'slice' }>,
  length: number,
): number[] | null {
  const read = (v: PyValue | null): number | null | undefined =>
    v === null || v.kind === 'none' ? undefined : asNumber(v);
  const step = read(part.step) ?? 1;
  const start = read(part.start);
  const stop = read(part.stop);
  if (step === null || start === null || stop === null || step === 0) return null;
  const clamp = (n: number | undefined, fallback: number): number => {
    if (n === undefined) return fallback;
    const i = n < 0 ? n + length : n;
    return step > 0 ? Math.min(Math.max(i, 0), length) : Math.min(Math.max(i, -1), length - 1);
  };
  const from = clamp(start, step > 0 ? 0 : length - 1);
  const to = clamp(stop, step > 0 ? length : -1);
  const out: number[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) out.push(i);
  return out;
}

/** A subscript of a folded list, dict or string. */
export function foldSubscript(object: PyValue, parts: SubscriptPart[]): PyValue {
  if (parts.length !== 1) return unknown('a multi-dimensional index');
  const part = parts[0]!;
  if (part.kind === 'slice') {
    if (object.kind === 'tuple') {
      const indices = sliceIndices(part, object.items.length);
      return indices ? { kind: 'tuple', items: indices.map((i) => object.items[i]!) } : unknown('a slice');
    }
    if (object.kind === 'string') {
      const indices = sliceIndices(part, object.value.length);
      return indices
        ? { kind: 'string', value: indices.map((i) => object.value[i]).join(''), node: null }
        : unknown('a slice');
    }
    return unknown('a slice');
  }
  if (part.kind !== 'index') return unknown('an index with ...');
  const i = asNumber(part.value);
  if (object.kind === 'tuple' && i !== null)
    return object.items[i < 0 ? object.items.length + i : i] ?? unknown('an index out of range');
  const k = asString(part.value);
  if (object.kind === 'dict' && k !== null) return object.entries.get(k) ?? unknown(`key '${k}'`);
  if (object.kind === 'dict' && i !== null) return object.entries.get(String(i)) ?? unknown(`key ${i}`);
  if (object.kind === 'string' && i !== null) {
    const c = object.value[i < 0 ? object.value.length + i : i];
    return c === undefined ? unknown('an index out of range') : { kind: 'string', value: c, node: null };
  }
  return unknown('an element of a value that is not known');
}
