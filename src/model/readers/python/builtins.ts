/**
 * Python built-in functions the reader folds when their arguments are known: the ones model code
 * uses to compute sizes and build layer lists (`range`, `len`, `zip`, `enumerate`, `int`, `max` …).
 */
import type { SyntaxNode } from '@lezer/common';
import type { ReadBudget } from './budget';
import type { Argument } from './interpreter';
import { asNumber, num, unknown, type PyValue } from './values';

export const builtinNames = new Set([
  'int',
  'float',
  'bool',
  'str',
  'len',
  'tuple',
  'list',
  'dict',
  'max',
  'min',
  'sum',
  'abs',
  'round',
  'range',
  'zip',
  'enumerate',
  'sorted',
  'reversed',
  'super',
  'print',
  'isinstance',
  'vars',
]);

/** Loops and comprehensions longer than this are not followed (they are training loops, not layer builders). */
export const maxIterations = 256;

export interface BuiltinContext {
  budget: ReadBudget;
  /** The items of an iterable value, or null when they are not known. */
  iterate(value: PyValue, node: SyntaxNode): PyValue[] | null;
}

function tuple(items: PyValue[]): PyValue {
  return { kind: 'tuple', items };
}

function numbers(values: PyValue[]): number[] | null {
  const out: number[] = [];
  for (const v of values) {
    const n = asNumber(v);
    if (n === null) return null;
    out.push(n);
  }
  return out;
}

export function foldBuiltin(name: string, args: Argument[], node: SyntaxNode, ctx: BuiltinContext): PyValue {
  const positional = args.filter((a) => a.keyword === null).map((a) => a.value);
  const first = positional[0];
  switch (name) {
    case 'int': {
      const n = asNumber(first);
      if (n !== null) return num(Math.trunc(n));
      const s = first?.kind === 'string' ? Number(first.value.trim()) : NaN;
      return Number.isInteger(s) ? num(s) : unknown('int(...)');
    }
    case 'float': {
      const n = asNumber(first);
      if (n !== null) return num(n);
      const s = first?.kind === 'string' ? Number(first.value.trim()) : NaN;
      return Number.isFinite(s) ? num(s) : unknown('float(...)');
    }
    case 'bool': {
      const n = asNumber(first);
      return n === null ? unknown('bool(...)') : { kind: 'bool', value: n !== 0 };
    }
    case 'str': {
      const n = asNumber(first);
      if (first?.kind === 'string') return first;
      return n === null ? unknown('str(...)') : { kind: 'string', value: String(n), node: null };
    }
    case 'round': {
      const n = asNumber(first);
      return n === null ? unknown('round(...)') : num(Math.round(n));
    }
    case 'abs': {
      const n = asNumber(first);
      return n === null ? unknown('abs(...)') : num(Math.abs(n));
    }
    case 'len': {
      if (first?.kind === 'string') return num(first.value.length);
      if (first?.kind === 'dict') return num(first.entries.size);
      const items = first ? ctx.iterate(first, node) : null;
      return items ? num(items.length) : unknown('len(...)');
    }
    case 'tuple':
    case 'list': {
      if (!first) return tuple([]);
      const items = ctx.iterate(first, node);
      return items ? tuple([...items]) : unknown(`${name}(...) of an unknown sequence`);
    }
    case 'sorted':
    case 'reversed': {
      const items = first ? ctx.iterate(first, node) : null;
      if (!items) return unknown(`${name}(...)`);
      if (name === 'reversed') return tuple([...items].reverse());
      const ns = numbers(items);
      return ns
        ? tuple(ns.sort((a, b) => a - b).map(num))
        : unknown('sorted(...) of values that are not numbers');
    }
    case 'range': {
      const ns = numbers(positional);
      if (ns === null || ns.length === 0 || ns.length > 3) return unknown('range(...) of unknown bounds');
      const [start, stop, step] = ns.length === 1 ? [0, ns[0]!, 1] : [ns[0]!, ns[1]!, ns[2] ?? 1];
      if (step === 0) return unknown('range(...) with step 0');
      const count = Math.max(0, Math.ceil((stop - start) / step));
      if (count > maxIterations) return unknown(`range(...) with ${count} steps`);
      return tuple(Array.from({ length: count }, (_, i) => num(start + i * step)));
    }
    case 'max':
    case 'min':
    case 'sum': {
      const values = positional.length === 1 ? (first ? ctx.iterate(first, node) : null) : positional;
      const ns = values ? numbers(values) : null;
      if (!ns || (ns.length === 0 && name !== 'sum')) return unknown(`${name}(...)`);
      let acc = name === 'sum' ? (asNumber(positional[1]) ?? 0) : ns[0]!;
      for (const n of name === 'sum' ? ns : ns.slice(1))
        acc = name === 'max' ? Math.max(acc, n) : name === 'min' ? Math.min(acc, n) : acc + n;
      return num(acc);
    }
    case 'zip': {
      const lists = positional.map((v) => ctx.iterate(v, node));
      if (lists.length === 0 || lists.some((l) => l === null))
        return unknown('zip(...) of unknown sequences');
      const length = Math.min(...lists.map((l) => l!.length));
      ctx.budget.allocate(length, node);
      return tuple(Array.from({ length }, (_, i) => tuple(lists.map((l) => l![i]!))));
    }
    case 'enumerate': {
      const items = first ? ctx.iterate(first, node) : null;
      if (!items) return unknown('enumerate(...) of an unknown sequence');
      const start = asNumber(positional[1] ?? args.find((a) => a.keyword === 'start')?.value) ?? 0;
      ctx.budget.allocate(items.length, node);
      return tuple(items.map((item, i) => tuple([num(start + i), item])));
    }
    case 'dict': {
      const entries = new Map<string, PyValue>();
      if (first?.kind === 'dict') for (const [k, v] of first.entries) entries.set(k, v);
      for (const a of args) if (a.keyword) entries.set(a.keyword, a.value);
      return { kind: 'dict', entries };
    }
    case 'print':
      return { kind: 'none' };
    default:
      return unknown(`the result of ${name}(...)`);
  }
}
