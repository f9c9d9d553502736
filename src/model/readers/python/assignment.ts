/**
 * Assignments: `a = b = value`, tuple unpacking, `self.conv1 = …` (handed to the reader),
 * subscripts, and Python's in-place operators (`layers += [...]` grows the list; `out += x` on
 * tensors is a layer).
 */
import type { SyntaxNode } from '@lezer/common';
import type { Interpreter } from './interpreter';
import { allChildren, namedChildren } from './source-text';
import { asNumber, asString, describe, unknown, type PyValue, type Scope } from './values';

export function execAssign(interp: Interpreter, statement: SyntaxNode, scope: Scope): void {
  const segments: SyntaxNode[][] = [[]];
  for (const c of allChildren(statement)) {
    if (c.name === 'AssignOp') segments.push([]);
    else if (c.name !== 'TypeDef') segments[segments.length - 1]!.push(c);
  }
  if (segments.length < 2) return; // annotation only
  const valueParts = segments.pop()!;
  const value = interp.evaluateList(valueParts, scope);
  for (const target of segments) assignTarget(interp, target, value, scope);
}

/** `x += y`: Python's in-place operators; on tensors this is a layer (`out += shortcut` is an Add). */
export function execUpdate(interp: Interpreter, statement: SyntaxNode, scope: Scope): void {
  const [target, op, valueNode] = allChildren(statement);
  if (!target || !op || !valueNode) return;
  const opText = interp.source.slice(op).slice(0, -1);
  const current = interp.evaluate(target, scope);
  const operand = interp.evaluate(valueNode, scope);
  // A list grows in place (`layers += [nn.Conv2d(...)]`), so aliases of it see the new items.
  if (opText === '+' && current.kind === 'tuple') {
    const items = interp.iterate(operand, statement);
    if (items) {
      interp.budget.allocate(current.items.length + items.length, statement);
      current.items.push(...items);
      return;
    }
  }
  assignOne(interp, target, interp.operate(current, opText, operand, statement), scope);
}

export function assignTarget(interp: Interpreter, target: SyntaxNode[], value: PyValue, scope: Scope): void {
  const exprs = target.filter((p) => p.name !== ',');
  if (exprs.length === 1 && !target.some((p) => p.name === ',')) {
    assignOne(interp, exprs[0]!, value, scope);
    return;
  }
  destructure(interp, exprs, value, scope);
}

function destructure(interp: Interpreter, targets: SyntaxNode[], value: PyValue, scope: Scope): void {
  const items = value.kind === 'tuple' ? value.items : (interp.hooks.iterate?.(value) ?? null);
  targets.forEach((t, i) => {
    const item: PyValue =
      items && items.length === targets.length
        ? items[i]!
        : unknown(`unpacking ${describe(value)} into ${targets.length} names`);
    assignOne(interp, t, item, scope);
  });
}

export function assignOne(interp: Interpreter, target: SyntaxNode, value: PyValue, scope: Scope): void {
  if (target.name === 'VariableName') {
    const name = interp.source.slice(target);
    scope.set(name, value);
    interp.hooks.assignName?.(name, value, target, scope);
  } else if (
    target.name === 'TupleExpression' ||
    target.name === 'ArrayExpression' ||
    target.name === 'ParenthesizedExpression'
  ) {
    const inner = namedChildren(target);
    if (target.name === 'ParenthesizedExpression' && inner.length === 1)
      assignOne(interp, inner[0]!, value, scope);
    else destructure(interp, inner, value, scope);
  } else if (target.name === 'MemberExpression') {
    const objectNode = target.firstChild;
    if (!objectNode) return;
    const object = interp.evaluate(objectNode, scope);
    const property = target.getChild('PropertyName');
    if (property) {
      const name = interp.source.slice(property);
      if (object.kind === 'dict') object.entries.set(name, value);
      else interp.hooks.assignMember?.(object, name, value, target);
      return;
    }
    const parts = interp.subscriptParts(target, scope);
    const index = parts?.length === 1 && parts[0]!.kind === 'index' ? parts[0]!.value : null;
    if (!index) return;
    const i = asNumber(index);
    const k = asString(index) ?? (i !== null ? String(i) : null);
    if (object.kind === 'dict' && k !== null) object.entries.set(k, value);
    else if (object.kind === 'tuple' && i !== null) {
      const at = i < 0 ? object.items.length + i : i;
      if (at >= 0 && at < object.items.length) object.items[at] = value;
    }
  }
}
