/** Python's binding of call arguments to a function's parameters. */
import type { SyntaxNode } from '@lezer/common';
import type { Argument, Interpreter } from './interpreter';
import { allChildren } from './source-text';
import { unknown, type PyValue, type Scope } from './values';

/** Python's binding of arguments to parameters, with defaults, `*args`, keyword-only and `**kwargs`. */
export function bindParameters(interp: Interpreter, def: SyntaxNode, scope: Scope, args: Argument[]): void {
  const params = def.getChild('ParamList');
  if (!params) return;
  const positional = args.filter((a) => a.keyword === null);
  const used = new Set<string>();
  let index = 0;
  let star: '*' | '**' | null = null;
  let keywordOnly = false;
  const parts = allChildren(params);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.name === '*' || p.name === '**') {
      star = p.name;
      // A bare `*,` only marks the parameters after it keyword-only.
      if (p.name === '*' && parts[i + 1]?.name !== 'VariableName') {
        keywordOnly = true;
        star = null;
      }
      continue;
    }
    if (p.name !== 'VariableName') continue;
    const name = interp.source.slice(p);
    if (star === '**') {
      const entries = new Map<string, PyValue>();
      for (const a of args) if (a.keyword && !used.has(a.keyword)) entries.set(a.keyword, a.value);
      scope.set(name, { kind: 'dict', entries });
      star = null;
      continue;
    }
    if (star === '*') {
      scope.set(name, { kind: 'tuple', items: positional.slice(index).map((a) => a.value) });
      index = positional.length;
      keywordOnly = true;
      star = null;
      continue;
    }
    used.add(name);
    let value: PyValue | undefined =
      args.find((a) => a.keyword === name)?.value ?? (keywordOnly ? undefined : positional[index]?.value);
    if (!keywordOnly) index++;
    let next = i + 1;
    if (parts[next]?.name === 'TypeDef') next++;
    if (!value && parts[next]?.name === 'AssignOp' && parts[next + 1])
      value = interp.evaluate(parts[next + 1]!, scope.parent ?? scope);
    scope.set(name, value ?? unknown(`parameter '${name}' of a function`));
  }
}
