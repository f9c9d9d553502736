/**
 * `for` and `while` loops and comprehensions, run on folded values. A loop that builds layers is
 * part of the model: it runs under the whole-file budget, and if it cannot be followed the reader
 * says so (the model is then partial). Any other loop (a training loop, a data pipeline) runs only
 * while it is cheap; if it is given up, the names it assigns become unknown, so nothing later is
 * silently computed from values the loop would have changed.
 */
import type { SyntaxNode } from '@lezer/common';
import { maxIterations } from './builtins';
import { SideLoopExhausted } from './budget';
import { BreakSignal, ContinueSignal } from './control-flow';
import type { Interpreter } from './interpreter';
import { truthiness } from './operators';
import { allChildren } from './source-text';
import { describe, Scope, unknown, type PyValue } from './values';

type Clause =
  { kind: 'for'; target: SyntaxNode[]; iterable: SyntaxNode[] } | { kind: 'if'; cond: SyntaxNode[] };

const brackets = new Set(['[', ']', '{', '}', '(', ')']);

export class LoopRunner {
  /** Whether each loop (or function body) builds layers, decided once per read. */
  private readonly builds = new Map<SyntaxNode, boolean>();

  constructor(private readonly interp: Interpreter) {}

  runFor(statement: SyntaxNode, scope: Scope): void {
    const interp = this.interp;
    interp.hooks.beforeLoop?.(statement, scope);
    const parts = allChildren(statement);
    const inAt = parts.findIndex((p) => p.name === 'in');
    const bodyAt = parts.findIndex((p) => p.name === 'Body');
    if (inAt < 0 || bodyAt < inAt) return;
    const body = parts[bodyAt]!;
    const elseBody = parts.slice(bodyAt + 1).find((p) => p.name === 'Body');
    const target = parts.slice(1, inAt);
    const modelLoop = this.isModelLoop(statement, scope);
    const iterable = interp.evaluateList(parts.slice(inAt + 1, bodyAt), scope);
    const items = interp.iterate(iterable, statement);
    const reason = !items
      ? `it loops over ${describe(iterable)}`
      : items.length > maxIterations
        ? `it runs ${items.length} times (the reader follows up to ${maxIterations})`
        : null;
    if (reason || !items) {
      this.notFollowed(statement, reason ?? '', modelLoop, scope);
      return;
    }
    const snapshot = [...items];
    let iterations = 0;
    const followed = this.runBounded(statement, modelLoop, scope, () => {
      for (const item of snapshot) {
        iterations++;
        interp.assignTarget(target, item, scope);
        if (!this.pass(body, scope)) return;
      }
      if (elseBody) interp.execBlock(elseBody, scope);
    });
    if (followed && modelLoop) interp.hooks.loopFollowed?.(statement, iterations);
  }

  /** One pass through a loop's body: false after `break` (which also skips the loop's `else`). */
  private pass(body: SyntaxNode, scope: Scope): boolean {
    try {
      this.interp.execBlock(body, scope);
    } catch (e) {
      if (e instanceof BreakSignal) return false;
      if (e instanceof ContinueSignal) return true;
      throw e;
    }
    return true;
  }

  runWhile(statement: SyntaxNode, scope: Scope): void {
    const interp = this.interp;
    interp.hooks.beforeLoop?.(statement, scope);
    const parts = allChildren(statement);
    const bodyAt = parts.findIndex((p) => p.name === 'Body');
    if (bodyAt < 1) return;
    const cond = parts.slice(1, bodyAt);
    const body = parts[bodyAt]!;
    const elseBody = parts.slice(bodyAt + 1).find((p) => p.name === 'Body');
    const modelLoop = this.isModelLoop(statement, scope);
    let reason: string | null = null;
    let iterations = 0;
    const followed = this.runBounded(statement, modelLoop, scope, () => {
      for (let i = 0; ; i++) {
        const truth = truthiness(interp.evaluateList(cond, scope));
        if (truth === null) {
          reason = 'its condition is not known without running the script';
          return;
        }
        if (!truth) break;
        if (i >= maxIterations) {
          reason = `it runs more than ${maxIterations} times`;
          return;
        }
        iterations++;
        if (!this.pass(body, scope)) return;
      }
      if (elseBody) interp.execBlock(elseBody, scope);
    });
    if (reason) this.notFollowed(statement, reason, modelLoop, scope);
    else if (followed && modelLoop) interp.hooks.loopFollowed?.(statement, iterations);
  }

  /** `[f(x) for x in xs if c]`, `{k: v for …}`, `tuple(x for x in xs)`. */
  comprehension(node: SyntaxNode, scope: Scope, isDict: boolean): PyValue {
    const interp = this.interp;
    const children = allChildren(node).filter((c) => !brackets.has(c.name));
    const forAt = children.findIndex((c) => c.name === 'for');
    if (forAt < 1) return unknown('a comprehension');
    const element = children.slice(0, forAt);
    const clauses: Clause[] = [];
    let current: SyntaxNode[] = [];
    const flush = (): void => {
      const last = clauses[clauses.length - 1];
      if (!last) return;
      if (last.kind === 'if') last.cond = current;
      else last.iterable = current;
      current = [];
    };
    for (const c of children.slice(forAt)) {
      if (c.name === 'for' || c.name === 'if') {
        flush();
        clauses.push(c.name === 'for' ? { kind: 'for', target: [], iterable: [] } : { kind: 'if', cond: [] });
      } else if (c.name === 'in' && clauses[clauses.length - 1]?.kind === 'for') {
        (clauses[clauses.length - 1] as Extract<Clause, { kind: 'for' }>).target = current;
        current = [];
      } else current.push(c);
    }
    flush();
    const inner = new Scope(scope);
    const items: PyValue[] = [];
    const entries = new Map<string, PyValue>();
    let failure: string | null = null;
    const run = (i: number): void => {
      if (failure) return;
      const clause = clauses[i];
      if (!clause) {
        interp.budget.allocate(1, node);
        if (!isDict) items.push(interp.evaluateList(element, inner));
        else {
          const key = interp.evaluate(element[0]!, inner);
          const value = element[2] ? interp.evaluate(element[2], inner) : unknown('a value');
          if (key.kind === 'string' || key.kind === 'number') entries.set(String(key.value), value);
        }
        return;
      }
      if (clause.kind === 'if') {
        const truth = truthiness(interp.evaluateList(clause.cond, inner));
        if (truth === null) failure = 'a condition that is not known';
        else if (truth) run(i + 1);
        return;
      }
      const iterable = interp.evaluateList(clause.iterable, inner);
      const values = interp.iterate(iterable, node);
      if (!values || values.length > maxIterations) {
        failure = describe(iterable);
        return;
      }
      for (const value of [...values]) {
        interp.assignTarget(clause.target, value, inner);
        run(i + 1);
      }
    };
    run(0);
    if (failure) return unknown(`a comprehension over ${failure}`);
    return isDict ? { kind: 'dict', entries } : { kind: 'tuple', items };
  }

  /** Runs a loop; false when it was given up (a side loop that cost too much). */
  private runBounded(statement: SyntaxNode, modelLoop: boolean, scope: Scope, run: () => void): boolean {
    const budget = this.interp.budget;
    if (modelLoop) {
      budget.modelLoop(run);
      return true;
    }
    try {
      budget.sideLoop(statement, run);
      return true;
    } catch (e) {
      if (!(e instanceof SideLoopExhausted) || e.loop !== statement) throw e;
      this.notFollowed(statement, 'it takes too many steps to follow', false, scope);
      return false;
    }
  }

  private notFollowed(statement: SyntaxNode, reason: string, modelLoop: boolean, scope: Scope): void {
    this.forgetAssigned(statement, scope);
    this.interp.hooks.loopNotFollowed?.(statement, reason, modelLoop);
  }

  /** Names a loop that was not followed (fully) would have changed become unknown. */
  private forgetAssigned(statement: SyntaxNode, scope: Scope): void {
    const line = this.interp.source.position(statement.from).line;
    const why = unknown(`changed by the loop on line ${line}, which the reader could not follow`);
    const forget = (name: SyntaxNode): void => {
      scope.set(this.interp.source.slice(name), why);
    };
    const cursor = statement.cursor();
    do {
      const node = cursor.node;
      if (node.name === 'AssignStatement' || node.name === 'UpdateStatement') {
        for (const c of allChildren(node)) {
          if (c.name === 'AssignOp' || c.name === 'UpdateOp') break;
          if (c.name === 'VariableName') forget(c);
          else if (c.name === 'TupleExpression' || c.name === 'ArrayExpression')
            for (const t of c.getChildren('VariableName')) forget(t);
        }
      } else if (node.name === 'ForStatement' && node !== statement) {
        for (const c of allChildren(node)) {
          if (c.name === 'in') break;
          if (c.name === 'VariableName') forget(c);
        }
      } else if (node.name === 'CallExpression') {
        // `sizes.append(n)`: a list or dict the loop fills is as unknown as what it assigns.
        const callee = node.firstChild;
        const receiver = callee?.name === 'MemberExpression' ? callee.firstChild : null;
        if (receiver?.name === 'VariableName') {
          const current = scope.get(this.interp.source.slice(receiver));
          if (current?.kind === 'tuple' || current?.kind === 'dict') forget(receiver);
        }
      }
    } while (cursor.next() && cursor.from < statement.to);
    // The loop's own target.
    for (const c of allChildren(statement)) {
      if (c.name === 'in') break;
      if (c.name === 'VariableName') forget(c);
    }
  }

  private isModelLoop(statement: SyntaxNode, scope: Scope): boolean {
    return this.interp.hooks.insideModel?.() === true || this.buildsLayers(statement, scope, new Set());
  }

  /** Whether a statement calls something that builds layers, following functions of the file. */
  private buildsLayers(root: SyntaxNode, scope: Scope, visiting: Set<SyntaxNode>): boolean {
    const known = this.builds.get(root);
    if (known !== undefined) return known;
    visiting.add(root);
    let found = false;
    const cursor = root.cursor();
    do {
      if (cursor.name !== 'CallExpression') continue;
      const callee = cursor.node.firstChild;
      if (!callee) continue;
      const property = callee.name === 'MemberExpression' ? callee.getChild('PropertyName') : null;
      const method = property ? this.interp.source.slice(property) : null;
      const value: PyValue = isPureName(callee) ? this.interp.evaluate(callee, scope) : unknown('a call');
      if (this.interp.hooks.buildsLayers?.(value, method)) found = true;
      else if (value.kind === 'function' && !visiting.has(value.node))
        found = this.buildsLayers(value.node, value.scope, visiting);
      else if (value.kind === 'class') {
        const init = this.interp.classAttribute(value, '__init__');
        if (init?.kind === 'function' && !visiting.has(init.node))
          found = this.buildsLayers(init.node, init.scope, visiting);
      }
    } while (!found && cursor.next() && cursor.from < root.to);
    this.builds.set(root, found);
    return found;
  }
}

/** A name or dotted name (`Dense`, `layers.Dense`, `self.block`): evaluating it has no effects. */
export function isPureName(node: SyntaxNode): boolean {
  if (node.name === 'VariableName') return true;
  if (node.name !== 'MemberExpression' || !node.getChild('PropertyName')) return false;
  return node.firstChild !== null && isPureName(node.firstChild);
}
