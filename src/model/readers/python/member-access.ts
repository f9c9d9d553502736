/**
 * `object.name`, `object[...]` and dict displays: library paths extend (`tf.keras.layers.Dense`),
 * dicts and classes answer their entries and attributes, framework objects are asked through the
 * reader's hooks, and a folded subscript reads lists, dicts and strings.
 */
import type { SyntaxNode } from '@lezer/common';
import { canonicalPath } from './import-names';
import type { Interpreter } from './interpreter';
import { BoundMethod } from './interpreter-types';
import { trailingDotFloat } from './number-literal';
import { allChildren } from './source-text';
import { foldSubscript, subscriptSyntax, type SubscriptPart } from './subscripts';
import { asNumber, asString, num, unknown, type PyValue, type Scope } from './values';

export function evaluateDict(interp: Interpreter, node: SyntaxNode, scope: Scope): PyValue {
  const entries = new Map<string, PyValue>();
  const parts = allChildren(node).filter((c) => c.name !== '{' && c.name !== '}');
  let key: PyValue | null = null;
  let spread = false;
  for (const p of parts) {
    if (p.name === ',' || p.name === ':') continue;
    if (p.name === '**') {
      spread = true;
      continue;
    }
    if (spread) {
      const other = interp.evaluate(p, scope);
      if (other.kind === 'dict') for (const [k, v] of other.entries) entries.set(k, v);
      spread = false;
    } else if (key === null) key = interp.evaluate(p, scope);
    else {
      const n = asNumber(key);
      const k = asString(key) ?? (n !== null ? String(n) : null);
      if (k !== null) entries.set(k, interp.evaluate(p, scope));
      key = null;
    }
  }
  interp.budget.allocate(entries.size, node);
  return { kind: 'dict', entries };
}

/** The evaluated parts of a subscript, or null when `node` is an attribute access. */
export function subscriptParts(interp: Interpreter, node: SyntaxNode, scope: Scope): SubscriptPart[] | null {
  const syntax = subscriptSyntax(node);
  if (!syntax) return null;
  return syntax.map((s): SubscriptPart => {
    if (s.kind === 'index') return { kind: 'index', value: interp.evaluate(s.node, scope) };
    if (s.kind === 'ellipsis') return s;
    const [start, stop, step] = s.parts.map((p) => (p ? interp.evaluate(p, scope) : null));
    return { kind: 'slice', start: start ?? null, stop: stop ?? null, step: step ?? null };
  });
}

export function evaluateMember(interp: Interpreter, node: SyntaxNode, scope: Scope): PyValue {
  const float = trailingDotFloat(node, interp.source);
  if (float !== null) return num(float);
  const objectNode = node.firstChild;
  if (!objectNode) return unknown('an attribute');
  const object = interp.evaluate(objectNode, scope);
  const property = node.getChild('PropertyName');
  if (!property) {
    const parts = subscriptParts(interp, node, scope) ?? [];
    if (object.kind === 'host') {
      const v = interp.hooks.subscript?.(object, parts, node);
      if (v) return v;
    }
    return foldSubscript(object, parts);
  }
  const name = interp.source.slice(property);
  if (object.kind === 'ref') return { kind: 'ref', path: canonicalPath(`${object.path}.${name}`) };
  if (object.kind === 'dict')
    return object.entries.get(name) ?? { kind: 'host', value: new BoundMethod(object, name, node) };
  if (object.kind === 'class') {
    const attribute = interp.classAttribute(object, name);
    if (attribute) return attribute;
  }
  if (object.kind === 'host') {
    const v = interp.hooks.member?.(object, name, node);
    if (v) return v;
  }
  return { kind: 'host', value: new BoundMethod(object, name, node) };
}
