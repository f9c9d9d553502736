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
import { bindImport, canonicalPath, starModuleExports } from './import-names';
import { LoopRunner } from './loops';
import { numberValue, signedExponentFloat, trailingDotFloat } from './number-literal';
import { binary, truthiness } from './operators';
import {
  allChildren,
  callArguments,
  hasError,
  maxRecoveredLines,
  namedChildren,
  simpleStatements,
  stringValue,
  type SourceText,
} from './source-text';
import { foldSubscript, subscriptSyntax, type SubscriptPart } from './subscripts';
import { asNumber, asString, describe, hostOf, num, Scope, unknown, type PyValue } from './values';

export { truthiness };

/** An evaluated argument of a call. */
export interface Argument {
  keyword: string | null;
  value: PyValue;
  node: SyntaxNode;
}

export interface CallContext {
  node: SyntaxNode;
  callee: PyValue;
  calleeNode: SyntaxNode;
  args: Argument[];
  scope: Scope;
}

/** `receiver.name` where the receiver is a folded or framework object: a method about to be called. */
export class BoundMethod {
  constructor(
    readonly receiver: PyValue,
    readonly name: string,
    readonly node: SyntaxNode,
  ) {}

  describe(): string {
    return `the method .${this.name}`;
  }
}

export type FunctionValue = Extract<PyValue, { kind: 'function' }>;
export type ClassValue = Extract<PyValue, { kind: 'class' }>;

export interface InterpreterHooks {
  /** A call; return undefined to let the interpreter fold it. */
  call?(ctx: CallContext, interp: Interpreter): PyValue | undefined;
  /** `object.name` on a framework object; undefined means "a method of it". */
  member?(object: PyValue, name: string, node: SyntaxNode): PyValue | undefined;
  /** `object.name = value` (PyTorch's `self.conv1 = nn.Conv2d(...)`). */
  assignMember?(object: PyValue, name: string, value: PyValue, node: SyntaxNode): void;
  /** `a + b` (and `a += b`) where an operand is a framework object (tensors: a skip connection). */
  binary?(left: PyValue, op: string, right: PyValue, node: SyntaxNode): PyValue | undefined;
  /** `object[...]` on a framework object (a ModuleList element, an RNN output's last step). */
  subscript?(object: PyValue, parts: SubscriptPart[], node: SyntaxNode): PyValue | undefined;
  /** The items of a framework object a `for` loop iterates (a ModuleList); undefined: not one. */
  iterate?(value: PyValue): PyValue[] | undefined;
  /** Whether calling `callee` builds layers (a loop that does is part of the model). */
  buildsLayers?(callee: PyValue, method: string | null): boolean;
  /** Whether a loop here is part of the model whatever it calls (PyTorch `__init__` / `forward`). */
  insideModel?(): boolean;
  /** A loop that was not followed; `buildsLayers` says whether the model misses what it builds. */
  loopNotFollowed?(statement: SyntaxNode, reason: string, buildsLayers: boolean): void;
  /** A loop that builds layers ran `iterations` times. */
  loopFollowed?(statement: SyntaxNode, iterations: number): void;
  /** A loop about to run (PyTorch scripts state their epochs in one). */
  beforeLoop?(statement: SyntaxNode, scope: Scope): void;
  /** `name = value`: how a model gets the name the person sees. */
  assignName?(name: string, value: PyValue, node: SyntaxNode, scope: Scope): void;
}

function skipsTokens(node: SyntaxNode): boolean {
  const cursor = node.cursor();
  do {
    if (cursor.type.isError && cursor.to > cursor.from) return true;
  } while (cursor.next() && cursor.from <= node.to);
  return false;
}

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
    if (simpleStatements.has(statement.name) && this.recoverLines(statement, scope)) return;
    switch (statement.name) {
      case 'ImportStatement':
        bindImport(statement, this.source, scope);
        return;
      case 'AssignStatement':
        this.execAssign(statement, scope);
        return;
      case 'UpdateStatement':
        this.execUpdate(statement, scope);
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
        this.execClass(statement, scope);
        return;
      case 'DecoratedStatement':
        for (const s of namedChildren(statement)) if (s.name !== 'Decorator') this.execStatement(s, scope);
        return;
      default:
        return;
    }
  }

  private functionValue(def: SyntaxNode, scope: Scope): FunctionValue | null {
    const name = def.getChild('VariableName');
    return name ? { kind: 'function', node: def, name: this.source.slice(name), scope } : null;
  }

  /**
   * A class: its bases, and the attributes its body binds (`expansion = 1` in a ResNet block, its
   * methods). Methods see the enclosing scope, not the class body, as in Python.
   */
  private execClass(statement: SyntaxNode, scope: Scope): void {
    const name = statement.getChild('VariableName');
    const argList = statement.getChild('ArgList');
    const bases = argList
      ? callArguments(argList, this.source)
          .filter((a) => a.keyword === null)
          .map((a) => this.evaluate(a.value, scope))
      : [];
    if (!name) return;
    const cls: ClassValue = {
      kind: 'class',
      node: statement,
      name: this.source.slice(name),
      bases,
      attributes: new Map(),
    };
    const body = statement.getChild('Body');
    const classScope = new Scope(scope);
    if (body) {
      this.nested(body, () => {
        for (const s of namedChildren(body)) {
          const def = s.name === 'DecoratedStatement' ? s.getChild('FunctionDefinition') : s;
          const fn = def?.name === 'FunctionDefinition' ? this.functionValue(def, scope) : null;
          if (fn) cls.attributes.set(fn.name, fn);
          else if (
            s.name === 'AssignStatement' ||
            s.name === 'UpdateStatement' ||
            s.name === 'ClassDefinition'
          )
            this.execStatement(s, classScope);
        }
      });
    }
    for (const [key, value] of classScope.own()) if (!cls.attributes.has(key)) cls.attributes.set(key, value);
    scope.set(cls.name, cls);
  }

  /** An attribute of a class defined in the file, looked up through its bases. */
  classAttribute(cls: ClassValue, name: string, depth = 0): PyValue | undefined {
    const own = cls.attributes.get(name);
    if (own) return own;
    if (depth >= 16) return undefined;
    for (const base of cls.bases) {
      if (base.kind !== 'class') continue;
      const inherited = this.classAttribute(base, name, depth + 1);
      if (inherited) return inherited;
    }
    return undefined;
  }

  /**
   * A simple statement with a syntax error spanning several lines is usually an unclosed bracket
   * that swallowed the lines after it: each line is parsed and run on its own instead.
   */
  private recoverLines(statement: SyntaxNode, scope: Scope): boolean {
    const first = this.source.position(statement.from).line;
    const last = this.source.position(statement.to).line;
    // Only when the parser skipped tokens (lines swallowed); a merely unfinished statement at the
    // end of the file reads better as it is.
    if (last === first || last - first > maxRecoveredLines || !skipsTokens(statement)) return false;
    for (let line = first; line <= last; line++) {
      for (const s of namedChildren(this.source.parseLine(line))) {
        if (simpleStatements.has(s.name) && !hasError(s, this.source)) this.execStatement(s, scope);
        else if (s.name === 'ExpressionStatement')
          // A broken one-line statement (`model.add(Dense(64)` ): its complete calls still count.
          for (const e of namedChildren(s)) if (!e.type.isError) this.evaluate(e, scope);
      }
    }
    return true;
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

  private execAssign(statement: SyntaxNode, scope: Scope): void {
    const segments: SyntaxNode[][] = [[]];
    for (const c of allChildren(statement)) {
      if (c.name === 'AssignOp') segments.push([]);
      else if (c.name !== 'TypeDef') segments[segments.length - 1]!.push(c);
    }
    if (segments.length < 2) return; // annotation only
    const valueParts = segments.pop()!;
    const value = this.evaluateList(valueParts, scope);
    for (const target of segments) this.assignTarget(target, value, scope);
  }

  /** `x += y`: Python's in-place operators; on tensors this is a layer (`out += shortcut` is an Add). */
  private execUpdate(statement: SyntaxNode, scope: Scope): void {
    const [target, op, valueNode] = allChildren(statement);
    if (!target || !op || !valueNode) return;
    const opText = this.source.slice(op).slice(0, -1);
    const current = this.evaluate(target, scope);
    const operand = this.evaluate(valueNode, scope);
    // A list grows in place (`layers += [nn.Conv2d(...)]`), so aliases of it see the new items.
    if (opText === '+' && current.kind === 'tuple') {
      const items = this.iterate(operand, statement);
      if (items) {
        this.budget.allocate(current.items.length + items.length, statement);
        current.items.push(...items);
        return;
      }
    }
    this.assignOne(target, this.operate(current, opText, operand, statement), scope);
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
    const exprs = target.filter((p) => p.name !== ',');
    if (exprs.length === 1 && !target.some((p) => p.name === ',')) {
      this.assignOne(exprs[0]!, value, scope);
      return;
    }
    this.destructure(exprs, value, scope);
  }

  private destructure(targets: SyntaxNode[], value: PyValue, scope: Scope): void {
    const items = value.kind === 'tuple' ? value.items : (this.hooks.iterate?.(value) ?? null);
    targets.forEach((t, i) => {
      const item: PyValue =
        items && items.length === targets.length
          ? items[i]!
          : unknown(`unpacking ${describe(value)} into ${targets.length} names`);
      this.assignOne(t, item, scope);
    });
  }

  assignOne(target: SyntaxNode, value: PyValue, scope: Scope): void {
    if (target.name === 'VariableName') {
      const name = this.source.slice(target);
      scope.set(name, value);
      this.hooks.assignName?.(name, value, target, scope);
    } else if (
      target.name === 'TupleExpression' ||
      target.name === 'ArrayExpression' ||
      target.name === 'ParenthesizedExpression'
    ) {
      const inner = namedChildren(target);
      if (target.name === 'ParenthesizedExpression' && inner.length === 1)
        this.assignOne(inner[0]!, value, scope);
      else this.destructure(inner, value, scope);
    } else if (target.name === 'MemberExpression') {
      const objectNode = target.firstChild;
      if (!objectNode) return;
      const object = this.evaluate(objectNode, scope);
      const property = target.getChild('PropertyName');
      if (property) {
        const name = this.source.slice(property);
        if (object.kind === 'dict') object.entries.set(name, value);
        else this.hooks.assignMember?.(object, name, value, target);
        return;
      }
      const parts = this.subscriptParts(target, scope);
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
        return this.evaluateDict(node, scope);
      case 'MemberExpression':
        return this.evaluateMember(node, scope);
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

  private evaluateDict(node: SyntaxNode, scope: Scope): PyValue {
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
        const other = this.evaluate(p, scope);
        if (other.kind === 'dict') for (const [k, v] of other.entries) entries.set(k, v);
        spread = false;
      } else if (key === null) key = this.evaluate(p, scope);
      else {
        const n = asNumber(key);
        const k = asString(key) ?? (n !== null ? String(n) : null);
        if (k !== null) entries.set(k, this.evaluate(p, scope));
        key = null;
      }
    }
    this.budget.allocate(entries.size, node);
    return { kind: 'dict', entries };
  }

  /** The evaluated parts of a subscript, or null when `node` is an attribute access. */
  subscriptParts(node: SyntaxNode, scope: Scope): SubscriptPart[] | null {
    const syntax = subscriptSyntax(node);
    if (!syntax) return null;
    return syntax.map((s): SubscriptPart => {
      if (s.kind === 'index') return { kind: 'index', value: this.evaluate(s.node, scope) };
      if (s.kind === 'ellipsis') return s;
      const [start, stop, step] = s.parts.map((p) => (p ? this.evaluate(p, scope) : null));
      return { kind: 'slice', start: start ?? null, stop: stop ?? null, step: step ?? null };
    });
  }

  private evaluateMember(node: SyntaxNode, scope: Scope): PyValue {
    const float = trailingDotFloat(node, this.source);
    if (float !== null) return num(float);
    const objectNode = node.firstChild;
    if (!objectNode) return unknown('an attribute');
    const object = this.evaluate(objectNode, scope);
    const property = node.getChild('PropertyName');
    if (!property) {
      const parts = this.subscriptParts(node, scope) ?? [];
      if (object.kind === 'host') {
        const v = this.hooks.subscript?.(object, parts, node);
        if (v) return v;
      }
      return foldSubscript(object, parts);
    }
    const name = this.source.slice(property);
    if (object.kind === 'ref') return { kind: 'ref', path: canonicalPath(`${object.path}.${name}`) };
    if (object.kind === 'dict')
      return object.entries.get(name) ?? { kind: 'host', value: new BoundMethod(object, name, node) };
    if (object.kind === 'class') {
      const attribute = this.classAttribute(object, name);
      if (attribute) return attribute;
    }
    if (object.kind === 'host') {
      const v = this.hooks.member?.(object, name, node);
      if (v) return v;
    }
    return { kind: 'host', value: new BoundMethod(object, name, node) };
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
    this.bindParameters(fn.node, scope, [
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

  /** Python's binding of arguments to parameters, with defaults, `*args`, keyword-only and `**kwargs`. */
  private bindParameters(def: SyntaxNode, scope: Scope, args: Argument[]): void {
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
      const name = this.source.slice(p);
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
        value = this.evaluate(parts[next + 1]!, scope.parent ?? scope);
      scope.set(name, value ?? unknown(`parameter '${name}' of a function`));
    }
  }
}
