/**
 * Classes defined in the file: their bases, and the attributes their body binds (`expansion = 1`
 * in a ResNet block, methods), looked up through local base classes.
 */
import type { SyntaxNode } from '@lezer/common';
import type { ClassValue, Interpreter } from './interpreter';
import { callArguments, namedChildren } from './source-text';
import { Scope, type PyValue } from './values';

/**
 * A class: its bases, and the attributes its body binds (`expansion = 1` in a ResNet block, its
 * methods). Methods see the enclosing scope, not the class body, as in Python.
 */
export function execClass(interp: Interpreter, statement: SyntaxNode, scope: Scope): void {
  const name = statement.getChild('VariableName');
  const argList = statement.getChild('ArgList');
  const bases = argList
    ? callArguments(argList, interp.source)
        .filter((a) => a.keyword === null)
        .map((a) => interp.evaluate(a.value, scope))
    : [];
  if (!name) return;
  const cls: ClassValue = {
    kind: 'class',
    node: statement,
    name: interp.source.slice(name),
    bases,
    attributes: new Map(),
  };
  const body = statement.getChild('Body');
  const classScope = new Scope(scope);
  if (body) {
    interp.nested(body, () => {
      for (const s of namedChildren(body)) {
        const def = s.name === 'DecoratedStatement' ? s.getChild('FunctionDefinition') : s;
        const fn = def?.name === 'FunctionDefinition' ? interp.functionValue(def, scope) : null;
        if (fn) cls.attributes.set(fn.name, fn);
        else if (s.name === 'AssignStatement' || s.name === 'UpdateStatement' || s.name === 'ClassDefinition')
          interp.execStatement(s, classScope);
      }
    });
  }
  for (const [key, value] of classScope.own()) if (!cls.attributes.has(key)) cls.attributes.set(key, value);
  scope.set(cls.name, cls);
}

/** An attribute of a class defined in the file, looked up through its bases. */
export function classAttribute(cls: ClassValue, name: string, depth = 0): PyValue | undefined {
  const own = cls.attributes.get(name);
  if (own) return own;
  if (depth >= 16) return undefined;
  for (const base of cls.bases) {
    if (base.kind !== 'class') continue;
    const inherited = classAttribute(base, name, depth + 1);
    if (inherited) return inherited;
  }
  return undefined;
}
