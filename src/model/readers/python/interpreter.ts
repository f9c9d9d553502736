/**
 * A small, safe evaluator over the lezer tree: it never runs the person's code, it folds what can
 * be known statically (constants, lists, arithmetic, argparse defaults, the channels-last branch,
 * loops over known sequences, calls of functions and classes defined in the file by running their
 * bodies on folded values) and hands every call to the framework reader's hooks, which turn layer
 * constructors into layers. Every run is bounded by a ReadBudget.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import { ArgumentParserValue, foldParserMethod } from './argparse-values';
import type { ReadBudget } from './budget';
import { builtinNames, foldBuiltin } from './builtins';
import { foldCollectionMethod } from './collection-methods';
import { BreakSignal, ContinueSignal, isControlSignal, ReturnSignal } from './control-flow';
import { assignTarget, execAssign, execUpdate } from './assignment';
import { classAttribute, execClass } from './class-values';
import { bindImport, canonicalPath, starModuleExports } from './import-names';
import {
  BoundMethod,
  type Argument,
  type CallContext,
  type ClassValue,
  type FunctionValue,
  type InterpreterHooks,
} from './interpreter-types';
import { LoopRunner } from './loops';
import { evaluateDict, evaluateMember, subscriptParts } from './member-access';
import { numberValue, signedExponentFloat } from './number-literal';
import { binary, truthiness } from './operators';
import { bindParameters } from './parameters';
import {
  allChildren,
  callArguments,
  namedChildren,
  simpleStatements,
  stringValue,
  type SourceText,
} from './source-text';
import type { SubscriptPart } from './subscripts';
import { recoverLines } from './syntax-recovery';
import { asNumber, describe, hostOf, num, Scope, unknown, type PyValue } from './values';

export { truthiness, BoundMethod };
export type { Argument, CallContext, ClassValue, FunctionValue, InterpreterHooks };

export class Interpreter {
  readonly module = new Scope();
  /** Functions whose body ran at least once (the rest may be run afterwards with defaults). */
  readonly calledFunctions = new Set<SyntaxNode>();
  /** Functions being run, innermost last (a model built inside one is named after it). */
  readonly callStack: FunctionValue[] = [];
  private nesting = 0;
  private readonly loops: LoopRunner;

  constructor(
    readonly source: SourceText,
    readonly hooks: InterpreterHooks,
    readonly budget: ReadBudget,
  ) {
    this.loops = new LoopRunner(this);
  }

  runModule(): void {
    this.runTopLevel(() => this.execBlock(this.source.tree.topNode, this.module));
  }

  /** Runs functions nothing called (e.g. `def build_model(): …` never invoked) with defaults. */
  runUncalledFunctions(): void {
    for (const child of namedChildren(this.source.tree.topNode)) {
      const def = child.name === 'DecoratedStatement' ? child.getChild('FunctionDefinition') : child;
      if (def?.name === 'FunctionDefinition' && !this.calledFunctions.has(def)) {
        const name = def.getChild('VariableName');
        const fn: FunctionValue = {
          kind: 'function',
          node: def,
          name: name ? this.source.slice(name) : '?',
          scope: this.module,
        };
        this.runTopLevel(() => this.callFunction(fn, [], def));
      }
    }
  }

  /** A `return`, `break` or `continue` that reaches the module level is a mistake in the file. */
  private runTopLevel(body: () => unknown): void {
    try {
      body();
    } catch (e) {
      if (!isControlSignal(e)) throw e;
      const keyword = e instanceof ReturnSignal ? 'return' : e instanceof BreakSignal ? 'break' : 'continue';
      throw new UserError(
        `'${keyword}' outside ${keyword === 'return' ? 'a function' : 'a loop'} (Python refuses this file)`,
        this.source.file,
        this.source.position(e.node.from).line,
        'fix the statement so the script runs; the reader reads only valid Python',
      );
    }
  }

  /** Runs `body` one nesting level deeper; too deep is a UserError (and never a stack overflow). */
  nested<T>(node: SyntaxNode, body: () => T): T {
    if (++this.nesting > this.budget.limits.nesting) {
      this.budget.fail(node, `the code nests more than ${this.budget.limits.nesting} levels deep here`);
    }
    try {
      return body();
    } finally {
      this.nesting--;
    }
  }

  /** Statements of a Script or Body node. */
  execBlock(block: SyntaxNode, scope: Scope): void {
    this.nested(block, () => {
      for (const statement of namedChildren(block)) this.execStatement(statement, scope);
    });
  }

  execStatement(statement: SyntaxNode, scope: Scope): void {
    this.budget.step(statement);
    if (simpleStatements.has(statement.name) && recoverLines(this, statement, scope)) return;
    switch (statement.name) {
      case 'ImportStatement':
        bindImport(statement, this.source, scope);
        return;
      case 'AssignStatement':
        execAssign(this, statement, scope);
        return;
      case 'UpdateStatement':
        execUpdate(this, statement, scope);
        return;
      case 'ExpressionStatement':
        for (const e of namedChildren(statement)) this.evaluate(e, scope);
        return;
      case 'StatementGroup':
        for (const s of namedChildren(statement)) this.execStatement(s, scope);
        return;
      case 'ReturnStatement': {
        const values = namedChildren(statement);
        throw new ReturnSignal(
          values.length === 0 ? { kind: 'none' } : this.evaluateList(allChildren(statement).slice(1), scope),
          statement,
        );
      }
      case 'BreakStatement':
        throw new BreakSignal(statement);
      case 'ContinueStatement':
        throw new ContinueSignal(statement);
      case 'IfStatement':
        this.execIf(statement, scope);
        return;
      case 'WithStatement':
      case 'TryStatement': {
        for (const e of namedChildren(statement)) {
          if (e.name === 'Body') {
            this.execBlock(e, scope);
            return;
          }
          if (statement.name === 'WithStatement') this.evaluate(e, scope);
        }
        return;
      }
      case 'ForStatement':
        this.loops.runFor(statement, scope);
        return;
      case 'WhileStatement':
        this.loops.runWhile(statement, scope);
        return;
      case 'FunctionDefinition': {
        const fn = this.functionValue(statement, scope);
        if (fn) scope.set(fn.name, fn);
        return;
      }
      case 'ClassDefinition':
        execClass(this, statement, scope);
        return;
      case 'DecoratedStatement':
        for (const s of namedChildren(statement)) if (s.name !== 'Decorator') this.execStatement(s, scope);
        return;
      default:
        return;
    }
  }

  functionValue(def: SyntaxNode, scope: Scope): FunctionValue | null {
    const name = def.getChild('VariableName');
    return name ? { kind: 'function', node: def, name: this.source.slice(name), scope } : null;
  }

  private execIf(statement: SyntaxNode, scope: Scope): void {
    // Children: if cond Body (elif cond Body)* (else Body)?
    const parts = allChildren(statement);
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.name === 'else') {
        const body = parts[i + 1];
        if (body?.name === 'Body') this.execBlock(body, scope);
        return;
      }
      if (p.name !== 'if' && p.name !== 'elif') continue;
      const cond = parts[i + 1];
      const body = parts[i + 2];
      if (!cond || body?.name !== 'Body') return;
      const truth = truthiness(this.evaluate(cond, scope));
      // Unknown conditions (`if use_cuda:`): take the first branch, as a reader of the script would.
      if (truth === null && parts.slice(i + 3).some((q) => q.name === 'else' || q.name === 'elif')) {
        this.source.report(
          cond,
          `the condition '${this.source.slice(cond).slice(0, 40)}' is not known without running the script; its first branch is read`,
          'info',
        );
      }
      if (truth === true || truth === null) {
        this.execBlock(body, scope);
        return;
      }
      i += 2;
    }
  }

  /** Comma-separated expressions (with their commas): one value, or a tuple. */
  evaluateList(parts: SyntaxNode[], scope: Scope): PyValue {
    const exprs = parts.filter((p) => p.name !== ',');
    if (exprs.length === 1 && !parts.some((p) => p.name === ',')) return this.evaluate(exprs[0]!, scope);
    return { kind: 'tuple', items: this.evaluateItems(exprs, scope) };
  }

  /** Items of a list display, with `*rest` unpacked. */
  private evaluateItems(exprs: SyntaxNode[], scope: Scope): PyValue[] {
    const items: PyValue[] = [];
    for (let i = 0; i < exprs.length; i++) {
      const e = exprs[i]!;
      if (e.name === '*' && exprs[i + 1]) {
        const rest = this.evaluate(exprs[++i]!, scope);
        const spread = this.iterate(rest, e);
        if (spread) items.push(...spread);
        else items.push(unknown(`*${describe(rest)}`));
      } else items.push(this.evaluate(e, scope));
    }
    this.budget.allocate(items.length, exprs[0] ?? this.source.tree.topNode);
    return items;
  }

  assignTarget(target: SyntaxNode[], value: PyValue, scope: Scope): void {
    assignTarget(this, target, value, scope);
  }

  /** An attribute of a class defined in the file, looked up through its bases. */
  classAttribute(cls: ClassValue, name: string): PyValue | undefined {
    return classAttribute(cls, name);
  }

  /** The evaluated parts of a subscript, or null when `node` is an attribute access. */
  subscriptParts(node: SyntaxNode, scope: Scope): SubscriptPart[] | null {
    return subscriptParts(this, node, scope);
  }

  /** A binary operator: the reader's hook first when a framework object is involved. */
  operate(l: PyValue, op: string, r: PyValue, node: SyntaxNode): PyValue {
    if (l.kind === 'host' || r.kind === 'host') {
      const handled = this.hooks.binary?.(l, op, r, node);
      if (handled) return handled;
    }
    return binary(l, op, r, node, this.budget);
  }

  evaluate(node: SyntaxNode, scope: Scope): PyValue {
    this.budget.step(node);
    // `nested` inlined: this runs for every expression node.
    if (++this.nesting > this.budget.limits.nesting) {
      this.budget.fail(node, `the code nests more than ${this.budget.limits.nesting} levels deep here`);
    }
    try {
      return this.evaluateNode(node, scope);
    } finally {
      this.nesting--;
    }
  }

  private evaluateNode(node: SyntaxNode, scope: Scope): PyValue {
    switch (node.name) {
      case 'Number': {
        const n = numberValue(this.source.slice(node));
        return n === null ? unknown(`the number ${this.source.slice(node)}`) : num(n);
      }
      case 'String': {
        const s = stringValue(node, this.source);
        return s === null ? unknown('a string') : { kind: 'string', value: s, node };
      }
      case 'ContinuedString': {
        const parts = namedChildren(node).map((p) => stringValue(p, this.source));
        return parts.every((p) => p !== null)
          ? { kind: 'string', value: parts.join(''), node }
          : unknown('a formatted string');
      }
      case 'FormatString':
        return unknown('a formatted string');
      case 'Boolean':
        return { kind: 'bool', value: this.source.slice(node) === 'True' };
      case 'None':
        return { kind: 'none' };
      case 'Ellipsis':
        return unknown('...');
      case 'VariableName':
        return this.lookup(this.source.slice(node), scope);
      case 'ParenthesizedExpression': {
        const inner = namedChildren(node);
        return inner.length === 1 ? this.evaluate(inner[0]!, scope) : unknown('an expression');
      }
      case 'TupleExpression':
      case 'ArrayExpression':
        return { kind: 'tuple', items: this.evaluateItems(namedChildren(node), scope) };
      case 'ArrayComprehensionExpression':
      case 'SetComprehensionExpression':
      case 'ComprehensionExpression':
        return this.loops.comprehension(node, scope, false);
      case 'DictionaryComprehensionExpression':
        return this.loops.comprehension(node, scope, true);
      case 'DictionaryExpression':
        return evaluateDict(this, node, scope);
      case 'MemberExpression':
        return evaluateMember(this, node, scope);
      case 'BinaryExpression': {
        const float = signedExponentFloat(node, this.source);
        return float !== null ? num(float) : this.evaluateBinary(node, scope);
      }
      case 'UnaryExpression': {
        const [op, operand] = allChildren(node);
        if (!op || !operand) return unknown('an expression');
        const v = this.evaluate(operand, scope);
        const opText = this.source.slice(op);
        if (opText === 'not') {
          const t = truthiness(v);
          return t === null ? unknown('a condition') : { kind: 'bool', value: !t };
        }
        // `-x` on a tensor is a scale by −1 (a layer), not an unknown that silently cuts the model.
        if (v.kind === 'host' && opText === '-') return this.operate(num(-1), '*', v, node);
        if (v.kind === 'host' && opText === '+') return v;
        const n = asNumber(v);
        if (n === null) return unknown(`${opText}${describe(v)}`);
        return num(opText === '-' ? -n : opText === '~' ? ~n : n);
      }
      case 'ConditionalExpression': {
        const [yes, , cond, , no] = allChildren(node);
        if (!yes || !cond || !no) return unknown('a conditional expression');
        const t = truthiness(this.evaluate(cond, scope));
        return t === false ? this.evaluate(no, scope) : this.evaluate(yes, scope);
      }
      case 'CallExpression':
        return this.evaluateCall(node, scope);
      case 'LambdaExpression':
        return unknown('a lambda');
      default:
        return unknown(`a ${node.name}`);
    }
  }

  /**
   * `a + b + c …` is a left-leaning chain in the tree: it is walked down its left side and folded
   * back up in a loop, so a 5,000-term sum is as shallow to read as a 2-term one.
   */
  private evaluateBinary(node: SyntaxNode, scope: Scope): PyValue {
    const chain: SyntaxNode[] = [];
    let leftmost: SyntaxNode = node;
    while (leftmost.name === 'BinaryExpression' && signedExponentFloat(leftmost, this.source) === null) {
      chain.push(leftmost);
      const first = leftmost.firstChild;
      if (!first) return unknown('an expression');
      leftmost = first;
    }
    let value = this.evaluate(leftmost, scope);
    for (let i = chain.length - 1; i >= 0; i--) {
      this.budget.step(chain[i]!);
      value = this.applyBinary(chain[i]!, value, scope);
    }
    return value;
  }

  /** One link of a chain: `left op right` with the left already folded. */
  private applyBinary(node: SyntaxNode, l: PyValue, scope: Scope): PyValue {
    const children = allChildren(node);
    const right = children[children.length - 1];
    if (!right || children.length < 3) return unknown('an expression');
    // `is not` and `not in` are two keyword tokens.
    const opText = children
      .slice(1, -1)
      .map((c) => this.source.slice(c))
      .join(' ');
    if (opText === 'and' || opText === 'or') {
      const t = truthiness(l);
      if (t === null) return unknown('a condition');
      return (opText === 'and') === t ? this.evaluate(right, scope) : l;
    }
    return this.operate(l, opText, this.evaluate(right, scope), node);
  }

  private lookup(name: string, scope: Scope): PyValue {
    const v = scope.get(name);
    if (v) return v;
    if (name === '__name__') return { kind: 'string', value: '__main__', node: null };
    if (builtinNames.has(name)) return { kind: 'ref', path: `builtins.${name}` };
    const stars = scope.stars();
    if (stars.length > 0) {
      // Several `import *`: the module known to export the name, else the last one (Python's rule).
      const owner = [...stars].reverse().find((m) => starModuleExports(m, name)) ?? stars[stars.length - 1]!;
      return { kind: 'ref', path: canonicalPath(`${owner}.${name}`) };
    }
    return unknown(`'${name}' is not defined in this file`);
  }

  evaluateArguments(argList: SyntaxNode, scope: Scope): Argument[] {
    // `f(x for x in xs)`: a generator argument is a comprehension over the whole list.
    if (allChildren(argList).some((c) => c.name === 'for'))
      return [{ keyword: null, value: this.loops.comprehension(argList, scope, false), node: argList }];
    const out: Argument[] = [];
    for (const a of callArguments(argList, this.source)) {
      const value = this.evaluate(a.value, scope);
      if (a.star === '**' && value.kind === 'dict') {
        for (const [k, v] of value.entries) out.push({ keyword: k, value: v, node: a.value });
      } else if (a.star === '*') {
        const items = this.iterate(value, a.value);
        if (items) for (const v of items) out.push({ keyword: null, value: v, node: a.value });
        else out.push({ keyword: null, value: unknown(`*${describe(value)}`), node: a.value });
      } else if (a.star === null) out.push({ keyword: a.keyword, value, node: a.value });
    }
    return out;
  }

  /** The items a `for` loop over `value` visits, or null when they are not known. */
  iterate(value: PyValue, node: SyntaxNode): PyValue[] | null {
    switch (value.kind) {
      case 'tuple':
        return value.items;
      case 'dict':
        return [...value.entries.keys()].map((k) => ({ kind: 'string', value: k, node: null }));
      case 'string':
        this.budget.allocate(value.value.length, node);
        return [...value.value].map((c) => ({ kind: 'string', value: c, node: null }));
      case 'host':
        return this.hooks.iterate?.(value) ?? null;
      default:
        return null;
    }
  }

  private evaluateCall(node: SyntaxNode, scope: Scope): PyValue {
    const calleeNode = node.firstChild;
    const argList = node.getChild('ArgList');
    if (!calleeNode || !argList) return unknown('a call');
    const callee = this.evaluate(calleeNode, scope);
    const args = this.evaluateArguments(argList, scope);
    const ctx: CallContext = { node, callee, calleeNode, args, scope };
    const handled = this.hooks.call?.(ctx, this);
    if (handled) return handled;
    return this.foldCall(ctx);
  }

  private foldCall(ctx: CallContext): PyValue {
    const { callee, args } = ctx;
    if (callee.kind === 'function') return this.callFunction(callee, args, ctx.node);
    if (callee.kind === 'ref') {
      if (callee.path.startsWith('builtins.'))
        return foldBuiltin(callee.path.slice('builtins.'.length), args, ctx.node, this);
      switch (callee.path) {
        case 'argparse.ArgumentParser':
          return { kind: 'host', value: new ArgumentParserValue() };
        // The reader always takes the channels-last layout TF.js uses.
        case 'keras.backend.image_data_format':
        case 'keras.config.image_data_format':
          return { kind: 'string', value: 'channels_last', node: null };
      }
      return unknown(`the result of ${callee.path}(...)`);
    }
    const method = hostOf(callee, BoundMethod);
    if (method) {
      const parser = hostOf(method.receiver, ArgumentParserValue);
      const folded = parser
        ? foldParserMethod(parser, method.name, args)
        : foldCollectionMethod(method.receiver, method.name, args, ctx.node, this.budget, (v, n) =>
            this.iterate(v, n),
          );
      if (folded) return folded;
      return unknown(`the result of .${method.name}(...)`);
    }
    return unknown(`a call of ${describe(callee)}`);
  }

  /** Runs a function defined in the file with the given arguments; its `return` is the value. */
  callFunction(fn: FunctionValue, args: Argument[], site: SyntaxNode, bound: PyValue[] = []): PyValue {
    if (this.callStack.length >= this.budget.limits.callDepth) this.budget.callDepthExceeded(site, fn.name);
    this.calledFunctions.add(fn.node);
    const scope = new Scope(fn.scope);
    bindParameters(this, fn.node, scope, [
      ...bound.map((value) => ({ keyword: null, value, node: site })),
      ...args,
    ]);
    const body = fn.node.getChild('Body');
    if (!body) return { kind: 'none' };
    this.callStack.push(fn);
    try {
      this.execBlock(body, scope);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.value;
      // `break` outside a loop in a function: Python refuses the file; the function just ends here.
      if (e instanceof BreakSignal || e instanceof ContinueSignal) return { kind: 'none' };
      throw e;
    } finally {
      this.callStack.pop();
    }
    return { kind: 'none' };
  }
}
