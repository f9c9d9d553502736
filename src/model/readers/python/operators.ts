/**
 * Python's operators on folded values: arithmetic, comparisons, membership, sequence `+` and `*`.
 * What Python would refuse, or what cannot be known, is `unknown` with the reason.
 */
import type { SyntaxNode } from '@lezer/common';
import type { ReadBudget } from './budget';
import { asNumber, describe, num, unknown, type PyValue } from './values';

export function truthiness(v: PyValue): boolean | null {
  switch (v.kind) {
    case 'bool':
      return v.value;
    case 'number':
      return v.value !== 0;
    case 'string':
      return v.value.length > 0;
    case 'none':
      return false;
    case 'tuple':
      return v.items.length > 0;
    case 'dict':
      return v.entries.size > 0;
    case 'function':
    case 'class':
      return true;
    default:
      return null;
  }
}

function isScalar(v: PyValue): boolean {
  return v.kind === 'number' || v.kind === 'string' || v.kind === 'bool' || v.kind === 'none';
}

/** `==` between folded values; null when either side is not known well enough to say. */
export function equal(l: PyValue, r: PyValue): boolean | null {
  if (isScalar(l) && isScalar(r)) {
    const a = asNumber(l);
    const b = asNumber(r);
    if (a !== null && b !== null) return a === b;
    if (l.kind === 'none' || r.kind === 'none') return l.kind === r.kind;
    return l.kind === r.kind && (l as { value: unknown }).value === (r as { value: unknown }).value;
  }
  if (l.kind === 'tuple' && r.kind === 'tuple') {
    if (l.items.length !== r.items.length) return false;
    for (let i = 0; i < l.items.length; i++) {
      const e = equal(l.items[i]!, r.items[i]!);
      if (e !== true) return e;
    }
    return true;
  }
  if ((isScalar(l) && r.kind === 'tuple') || (l.kind === 'tuple' && isScalar(r))) return false;
  return null;
}

/** `a in b` for tuples, dict keys and substrings. */
function contains(container: PyValue, item: PyValue): boolean | null {
  if (container.kind === 'tuple') {
    let unknownSeen = false;
    for (const x of container.items) {
      const e = equal(x, item);
      if (e === true) return true;
      if (e === null) unknownSeen = true;
    }
    return unknownSeen ? null : false;
  }
  if (container.kind === 'dict' && item.kind === 'string') return container.entries.has(item.value);
  if (container.kind === 'string' && item.kind === 'string') return container.value.includes(item.value);
  return null;
}

function bool(value: boolean | null, what: string): PyValue {
  return value === null ? unknown(what) : { kind: 'bool', value };
}

/** `op` is the operator as written, keywords joined by one space (`is not`, `not in`). */
export function binary(l: PyValue, op: string, r: PyValue, node: SyntaxNode, budget: ReadBudget): PyValue {
  const a = asNumber(l);
  const b = asNumber(r);
  if (a !== null && b !== null) {
    switch (op) {
      case '+':
        return num(a + b);
      case '-':
        return num(a - b);
      case '*':
        return num(a * b);
      case '/':
        return b === 0 ? unknown('a division by zero') : num(a / b);
      case '//':
        return b === 0 ? unknown('a division by zero') : num(Math.floor(a / b));
      case '%':
        return b === 0 ? unknown('a division by zero') : num(((a % b) + b) % b);
      case '**':
        return num(a ** b);
      case '<':
        return { kind: 'bool', value: a < b };
      case '>':
        return { kind: 'bool', value: a > b };
      case '<=':
        return { kind: 'bool', value: a <= b };
      case '>=':
        return { kind: 'bool', value: a >= b };
      case '<<':
        return num(a * 2 ** b);
      case '>>':
        return num(Math.floor(a / 2 ** b));
      case '&':
        return num(a & b);
      case '|':
        return num(a | b);
      case '^':
        return num(a ^ b);
    }
  }
  switch (op) {
    case '==':
    case '!=': {
      const e = equal(l, r);
      return bool(e === null ? null : (op === '==') === e, 'a comparison');
    }
    case 'is':
    case 'is not': {
      const e =
        l.kind === 'none' || r.kind === 'none'
          ? l.kind === r.kind
          : isScalar(l) && isScalar(r)
            ? equal(l, r)
            : null;
      return bool(e === null ? null : (op === 'is') === e, 'a comparison');
    }
    case 'in':
    case 'not in': {
      const c = contains(r, l);
      return bool(c === null ? null : (op === 'in') === c, 'a membership test');
    }
  }
  if (op === '+' && l.kind === 'string' && r.kind === 'string') {
    budget.string(l.value.length + r.value.length, node);
    return { kind: 'string', value: l.value + r.value, node: null };
  }
  if (op === '+' && l.kind === 'tuple' && r.kind === 'tuple') {
    budget.allocate(l.items.length + r.items.length, node);
    return { kind: 'tuple', items: [...l.items, ...r.items] };
  }
  const times =
    op === '*'
      ? l.kind === 'tuple'
        ? { seq: l, n: b }
        : r.kind === 'tuple'
          ? { seq: r, n: a }
          : null
      : null;
  if (times && times.n !== null) {
    const n = Math.max(0, Math.trunc(times.n));
    budget.allocate(n * times.seq.items.length, node);
    const items: PyValue[] = [];
    for (let i = 0; i < n; i++) for (const item of times.seq.items) items.push(item);
    return { kind: 'tuple', items };
  }
  if (op === '*' && (l.kind === 'string' || r.kind === 'string')) {
    const s = l.kind === 'string' ? l.value : r.kind === 'string' ? r.value : '';
    const n = l.kind === 'string' ? b : a;
    if (n !== null) {
      const count = Math.max(0, Math.trunc(n));
      budget.string(s.length * count, node);
      return { kind: 'string', value: s.repeat(count), node: null };
    }
  }
  return unknown(`${describe(l)} ${op} ${describe(r)}`);
}
