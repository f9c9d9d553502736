/**
 * Methods of lists and dicts that model code uses to collect layers and sizes: `layers.append(…)`,
 * `layers.extend(…)`, `cfg.get('k', d)`, `d.items()`. Lists are mutated in place, as in Python,
 * so a list built in a helper and returned keeps what the loop appended.
 */
import type { SyntaxNode } from '@lezer/common';
import type { ReadBudget } from './budget';
import type { Argument } from './interpreter';
import { asNumber, asString, unknown, type PyValue } from './values';

const none: PyValue = { kind: 'none' };

/** A list or dict method, or undefined when it is not one the reader folds. */
export function foldCollectionMethod(
  receiver: PyValue,
  name: string,
  args: Argument[],
  node: SyntaxNode,
  budget: ReadBudget,
  iterate: (value: PyValue, node: SyntaxNode) => PyValue[] | null,
): PyValue | undefined {
  const first = args[0]?.value;
  if (receiver.kind === 'tuple') {
    switch (name) {
      case 'append':
        budget.allocate(1, node);
        if (first) receiver.items.push(first);
        return none;
      case 'extend': {
        const items = first ? iterate(first, node) : null;
        if (!items) return unknown('extend() with an unknown sequence');
        budget.allocate(items.length, node);
        for (const item of items) receiver.items.push(item);
        return none;
      }
      case 'insert': {
        const at = asNumber(first);
        const item = args[1]?.value;
        if (at === null || !item) return unknown('insert() at an unknown index');
        budget.allocate(1, node);
        receiver.items.splice(at < 0 ? Math.max(0, receiver.items.length + at) : at, 0, item);
        return none;
      }
      case 'pop': {
        const at = asNumber(first) ?? -1;
        const index = at < 0 ? receiver.items.length + at : at;
        return receiver.items.splice(index, 1)[0] ?? unknown('pop() from an empty list');
      }
      case 'copy':
        return { kind: 'tuple', items: [...receiver.items] };
      case 'index': {
        const i = first
          ? receiver.items.findIndex((v) => asNumber(v) !== null && asNumber(v) === asNumber(first))
          : -1;
        return i < 0 ? unknown('index() of an item not found') : { kind: 'number', value: i };
      }
    }
    return undefined;
  }
  if (receiver.kind === 'dict') {
    switch (name) {
      case 'get': {
        const key = asString(first);
        return (key !== null ? receiver.entries.get(key) : undefined) ?? args[1]?.value ?? none;
      }
      case 'update':
        if (first?.kind === 'dict') for (const [k, v] of first.entries) receiver.entries.set(k, v);
        for (const a of args) if (a.keyword) receiver.entries.set(a.keyword, a.value);
        return none;
      case 'keys':
        return {
          kind: 'tuple',
          items: [...receiver.entries.keys()].map((k) => ({ kind: 'string', value: k, node: null })),
        };
      case 'values':
        return { kind: 'tuple', items: [...receiver.entries.values()] };
      case 'items':
        return {
          kind: 'tuple',
          items: [...receiver.entries].map(([k, v]) => ({
            kind: 'tuple',
            items: [{ kind: 'string', value: k, node: null }, v],
          })),
        };
      case 'copy':
        return { kind: 'dict', entries: new Map(receiver.entries) };
      case 'setdefault': {
        const key = asString(first);
        if (key === null) return unknown('setdefault() with an unknown key');
        if (!receiver.entries.has(key)) receiver.entries.set(key, args[1]?.value ?? none);
        return receiver.entries.get(key)!;
      }
    }
    return undefined;
  }
  if (receiver.kind === 'string') {
    switch (name) {
      case 'lower':
        return { kind: 'string', value: receiver.value.toLowerCase(), node: null };
      case 'upper':
        return { kind: 'string', value: receiver.value.toUpperCase(), node: null };
      case 'startswith':
      case 'endswith': {
        const s = asString(first);
        if (s === null) return unknown(`${name}() of an unknown string`);
        return {
          kind: 'bool',
          value: name === 'startswith' ? receiver.value.startsWith(s) : receiver.value.endsWith(s),
        };
      }
      case 'format':
        return unknown('a formatted string');
    }
  }
  return undefined;
}
