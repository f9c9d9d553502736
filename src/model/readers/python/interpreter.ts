/**
 * A tiny, safe evaluator over the lezer tree: it never runs the person's code, it folds what can
 * be known statically (constants, tuples, arithmetic, argparse defaults, the channels-last branch,
 * calls to functions defined in the file by inlining their bodies) and hands every call to the
 * framework reader's hooks, which turn layer constructors into layers.
 */
import type { SyntaxNode } from '@lezer/common';
import { bindImport, canonicalPath, starModuleExports } from './import-names';
import {
  allChildren,
  callArguments,
  hasError,
  namedChildren,
  simpleStatements,
  stringValue,
  type SourceText,
} from './source-text';
import { asNumber, asString, describe, hostOf, num, Scope, unknown, type PyValue } from './values';

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

/** `receiver.name` where the receiver is a framework object: a method about to be called. */
export class BoundMethod {
  constructor(
    readonly receiver: PyValue,
    readonly name: string,
    readonly node: SyntaxNode,
  ) {}
}

/** `argparse.ArgumentParser()`: collects `add_argument` defaults; `parse_args()` yields them. */
class ArgumentParserValue {
  readonly defaults = new Map<string, PyValue>();
}

export interface InterpreterHooks {
  /** A call; return undefined to let the interpreter fold it. */
  call?(ctx: CallContext, interp: Interpreter): PyValue | undefined;
  /** `object.name` on a framework object; undefined means "a method of it". */
  member?(object: PyValue, name: string, node: SyntaxNode): PyValue | undefined;
  /** `object.name = value` (PyTorch's `self.conv1 = nn.Conv2d(...)`). */
  assignMember?(object: PyValue, name: string, value: PyValue, node: SyntaxNode): void;
  /** `a + b` where an operand is a framework object (tensors: a skip connection). */
  binary?(left: PyValue, op: string, right: PyValue, node: SyntaxNode): PyValue | undefined;
  /** A `for` / `while` statement: the body is not executed, the reader may report what it builds. */
  loop?(statement: SyntaxNode, scope: Scope, interp: Interpreter): void;
}

const builtinNames = new Set([
  'int',
  'float',
  'len',
  'tuple',
  'list',
  'max',
  'min',
  'abs',
  'round',
  'dict',
  'str',
  'range',
  'super',
  'print',
  'isinstance',
  'vars',
]);
const maxInlineDepth = 12;
/** Loops longer than this are not unrolled (they are training loops, not layer builders). */
const maxUnrolled = 256;

const maxRecoveredLines = 200;

function skipsTokens(node: SyntaxNode): boolean {
  const cursor = node.cursor();
  do {
    if (cursor.type.isError && cursor.to > cursor.from) return true;
  } while (cursor.next() && cursor.from <= node.to);
  return false;
}

class ReturnSignal {
  constructor(readonly value: PyValue) {}
}

export class Interpreter {
  readonly module = new Scope();
  /** Functions whose body ran at least once (the rest may be run afterwards with defaults). */
  readonly calledFunctions = new Set<SyntaxNode>();
  private depth = 0;

  constructor(
    readonly source: SourceText,
    readonly hooks: InterpreterHooks,
  ) {}

  runModule(): void {
    this.execBlock(this.source.tree.topNode, this.module);
  }

  /** Runs functions nothing called (e.g. `def build_model(): …` never invoked) with defaults. */
  runUncalledFunctions(): void {
    const visit = (node: SyntaxNode): void => {
      for (const child of namedChildren(node)) {
        const def = child.name === 'DecoratedStatement' ? child.getChild('FunctionDefinition') : child;
        if (def?.name === 'FunctionDefinition' && !this.calledFunctions.has(def)) {
          const name = def.getChild('VariableName');
          this.callFunction(
            { kind: 'function', node: def, name: name ? this.source.slice(name) : '?', scope: this.module },
            [],
            def,
          );
        }
      }
    };
    visit(this.source.tree.topNode);
  }

  /** Statements of a Script or Body node. */
  execBlock(block: SyntaxNode, scope: Scope): void {
    for (const statement of namedChildren(block)) this.execStatement(statement, scope);
  }

  execStatement(statement: SyntaxNode, scope: Scope): void {
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
        const values = namedChildren(statement).map((e) => this.evaluate(e, scope));
        throw new ReturnSignal(
          values.length === 1
            ? values[0]!
            : values.length === 0
              ? { kind: 'none' }
              : { kind: 'tuple', items: values },
        );
      }
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
      case 'WhileStatement':
        this.hooks.loop?.(statement, scope, this);
        return;
      case 'FunctionDefinition': {
        const name = statement.getChild('VariableName');
        if (name)
          scope.set(this.source.slice(name), {
            kind: 'function',
            node: statement,
            name: this.source.slice(name),
            scope,
          });
        return;
      }
      case 'ClassDefinition': {
        const name = statement.getChild('VariableName');
        const argList = statement.getChild('ArgList');
        const bases = argList
          ? callArguments(argList, this.source).map((a) => this.evaluate(a.value, scope))
          : [];
        if (name)
          scope.set(this.source.slice(name), {
            kind: 'class',
            node: statement,
            name: this.source.slice(name),
            bases,
          });
        return;
      }
      case 'DecoratedStatement':
        for (const s of namedChildren(statement)) if (s.name !== 'Decorator') this.execStatement(s, scope);
        return;
      default:
        return;
    }
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
      for (const s of namedChildren(this.source.parseLine(line).topNode)) {
        if (simpleStatements.has(s.name) && !hasError(s)) this.execStatement(s, scope);
        else if (simpleStatements.has(s.name)) this.execPartial(s, scope);
      }
    }
    return true;
  }

  /** A broken one-line statement (`model.add(Dense(64)` ): its complete calls still count. */
  private execPartial(statement: SyntaxNode, scope: Scope): void {
    if (statement.name === 'ExpressionStatement')
      for (const e of namedChildren(statement)) if (!e.type.isError) this.evaluate(e, scope);
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
      const value = this.evaluate(cond, scope);
      const truth = truthiness(value);
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

  private execUpdate(statement: SyntaxNode, scope: Scope): void {
    const [target, op, valueNode] = allChildren(statement);
    if (target?.name !== 'VariableName' || !op || !valueNode) return;
    const name = this.source.slice(target);
    const current = scope.get(name) ?? unknown(`'${name}' is not defined`);
    scope.set(name, binary(current, this.source.slice(op).slice(0, -1), this.evaluate(valueNode, scope)));
  }

  /** Comma-separated expressions (with their commas): one value, or a tuple. */
  private evaluateList(parts: SyntaxNode[], scope: Scope): PyValue {
    const exprs = parts.filter((p) => p.name !== ',');
    if (exprs.length === 1 && !parts.some((p) => p.name === ',')) return this.evaluate(exprs[0]!, scope);
    return { kind: 'tuple', items: exprs.map((e) => this.evaluate(e, scope)) };
  }

  private assignTarget(target: SyntaxNode[], value: PyValue, scope: Scope): void {
    const exprs = target.filter((p) => p.name !== ',');
    if (exprs.length === 1 && !target.some((p) => p.name === ',')) {
      this.assignOne(exprs[0]!, value, scope);
      return;
    }
    this.destructure(exprs, value, scope);
  }

  private destructure(targets: SyntaxNode[], value: PyValue, scope: Scope): void {
    targets.forEach((t, i) => {
      const item: PyValue =
        value.kind === 'tuple' && value.items.length === targets.length
          ? value.items[i]!
          : unknown('unpacking a value that is not a known tuple');
      this.assignOne(t, item, scope);
    });
  }

  private assignOne(target: SyntaxNode, value: PyValue, scope: Scope): void {
    if (target.name === 'VariableName') {
      scope.set(this.source.slice(target), value);
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
      const property = target.getChild('PropertyName');
      const objectNode = target.firstChild;
      if (property && objectNode)
        this.hooks.assignMember?.(
          this.evaluate(objectNode, scope),
          this.source.slice(property),
          value,
          target,
        );
    }
  }

  evaluate(node: SyntaxNode, scope: Scope): PyValue {
    switch (node.name) {
      case 'Number':
        return parseNumber(this.source.slice(node));
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
      case 'VariableName':
        return this.lookup(this.source.slice(node), scope);
      case 'ParenthesizedExpression': {
        const inner = namedChildren(node);
        return inner.length === 1 ? this.evaluate(inner[0]!, scope) : unknown('an expression');
      }
      case 'TupleExpression':
      case 'ArrayExpression':
        return { kind: 'tuple', items: namedChildren(node).map((e) => this.evaluate(e, scope)) };
      case 'DictionaryExpression':
        return this.evaluateDict(node, scope);
      case 'MemberExpression':
        return this.evaluateMember(node, scope);
      case 'BinaryExpression': {
        const [left, op, right] = allChildren(node);
        if (!left || !op || !right) return unknown('an expression');
        const l = this.evaluate(left, scope);
        const opText = this.source.slice(op);
        if (opText === 'and' || opText === 'or') {
          const t = truthiness(l);
          if (t === null) return unknown('a condition');
          return (opText === 'and') === t ? this.evaluate(right, scope) : l;
        }
        const r = this.evaluate(right, scope);
        if (l.kind === 'host' || r.kind === 'host') {
          const handled = this.hooks.binary?.(l, opText, r, node);
          if (handled) return handled;
        }
        return binary(l, opText, r);
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
    for (const p of parts) {
      if (p.name === ',' || p.name === ':') continue;
      if (p.name === '**') continue;
      if (key === null) key = this.evaluate(p, scope);
      else {
        const k = asString(key);
        if (k !== null) entries.set(k, this.evaluate(p, scope));
        key = null;
      }
    }
    return { kind: 'dict', entries };
  }

  private evaluateMember(node: SyntaxNode, scope: Scope): PyValue {
    const objectNode = node.firstChild;
    if (!objectNode) return unknown('an attribute');
    const object = this.evaluate(objectNode, scope);
    const property = node.getChild('PropertyName');
    if (!property) {
      // Subscript: a[0], d['key']; slices are not folded.
      const index = namedChildren(node).slice(1);
      if (index.length !== 1 || allChildren(node).some((c) => c.name === ':')) return unknown('a slice');
      const key = this.evaluate(index[0]!, scope);
      const i = asNumber(key);
      if (object.kind === 'tuple' && i !== null)
        return object.items[i < 0 ? object.items.length + i : i] ?? unknown('an index out of range');
      const k = asString(key);
      if (object.kind === 'dict' && k !== null) return object.entries.get(k) ?? unknown(`key '${k}'`);
      return unknown(`an element of ${describe(object)}`);
    }
    const name = this.source.slice(property);
    if (object.kind === 'ref') return { kind: 'ref', path: canonicalPath(`${object.path}.${name}`) };
    if (object.kind === 'dict')
      return object.entries.get(name) ?? { kind: 'host', value: new BoundMethod(object, name, node) };
    if (object.kind === 'host') {
      const v = this.hooks.member?.(object, name, node);
      if (v) return v;
    }
    return { kind: 'host', value: new BoundMethod(object, name, node) };
  }

  evaluateArguments(argList: SyntaxNode, scope: Scope): Argument[] {
    const out: Argument[] = [];
    for (const a of callArguments(argList, this.source)) {
      const value = this.evaluate(a.value, scope);
      if (a.star === '**' && value.kind === 'dict') {
        for (const [k, v] of value.entries) out.push({ keyword: k, value: v, node: a.value });
      } else if (a.star === '*' && value.kind === 'tuple') {
        for (const v of value.items) out.push({ keyword: null, value: v, node: a.value });
      } else if (a.star === null) out.push({ keyword: a.keyword, value, node: a.value });
    }
    return out;
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
    const positional = args.filter((a) => a.keyword === null).map((a) => a.value);
    if (callee.kind === 'function') return this.callFunction(callee, args, ctx.node);
    if (callee.kind === 'ref') {
      switch (callee.path) {
        case 'builtins.int': {
          const n = asNumber(positional[0]);
          return n === null ? unknown('int(...)') : num(Math.trunc(n));
        }
        case 'builtins.float': {
          const n = asNumber(positional[0]);
          return n === null ? unknown('float(...)') : num(n);
        }
        case 'builtins.round': {
          const n = asNumber(positional[0]);
          return n === null ? unknown('round(...)') : num(Math.round(n));
        }
        case 'builtins.abs': {
          const n = asNumber(positional[0]);
          return n === null ? unknown('abs(...)') : num(Math.abs(n));
        }
        case 'builtins.tuple':
        case 'builtins.list':
          return positional[0]?.kind === 'tuple' ? positional[0] : unknown('a list');
        case 'builtins.range': {
          const ns = positional.map(asNumber);
          if (ns.length === 0 || ns.some((n) => n === null)) return unknown('range(...) of unknown bounds');
          const [start, stop, step] = ns.length === 1 ? [0, ns[0]!, 1] : [ns[0]!, ns[1]!, ns[2] ?? 1];
          const count = step === 0 ? Infinity : Math.ceil((stop! - start!) / step!);
          if (count > maxUnrolled) return unknown(`range(...) with ${count} steps`);
          return {
            kind: 'tuple',
            items: Array.from({ length: Math.max(0, count) }, (_, i) => num(start! + i * step!)),
          };
        }
        case 'builtins.len':
          return positional[0]?.kind === 'tuple' ? num(positional[0].items.length) : unknown('len(...)');
        case 'builtins.max':
        case 'builtins.min': {
          const ns = (
            positional.length === 1 && positional[0]?.kind === 'tuple' ? positional[0].items : positional
          ).map(asNumber);
          if (ns.length === 0 || ns.some((n) => n === null)) return unknown('max/min');
          return num(
            callee.path === 'builtins.max' ? Math.max(...(ns as number[])) : Math.min(...(ns as number[])),
          );
        }
        case 'builtins.dict': {
          const entries = new Map<string, PyValue>();
          for (const a of args) if (a.keyword) entries.set(a.keyword, a.value);
          return { kind: 'dict', entries };
        }
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
    if (method) return this.foldMethod(method, args);
    return unknown(`a call of ${describe(callee)}`);
  }

  private foldMethod(method: BoundMethod, args: Argument[]): PyValue {
    const parser = hostOf(method.receiver, ArgumentParserValue);
    if (parser && method.name === 'add_argument') {
      const flags = args.filter((a) => a.keyword === null).map((a) => asString(a.value));
      const dest = asString(args.find((a) => a.keyword === 'dest')?.value) ?? longOptionName(flags);
      const def = args.find((a) => a.keyword === 'default');
      if (dest) parser.defaults.set(dest, def ? def.value : { kind: 'none' });
      return { kind: 'none' };
    }
    if (parser && (method.name === 'parse_args' || method.name === 'parse_known_args')) {
      const ns: PyValue = { kind: 'dict', entries: new Map(parser.defaults) };
      return method.name === 'parse_args' ? ns : { kind: 'tuple', items: [ns, { kind: 'tuple', items: [] }] };
    }
    if (method.receiver.kind === 'dict' && method.name === 'get') {
      const key = asString(args[0]?.value);
      return (
        (key !== null ? method.receiver.entries.get(key) : undefined) ?? args[1]?.value ?? { kind: 'none' }
      );
    }
    if (method.receiver.kind === 'dict' && method.name === 'update') {
      const other = args[0]?.value;
      if (other?.kind === 'dict') for (const [k, v] of other.entries) method.receiver.entries.set(k, v);
      for (const a of args) if (a.keyword) method.receiver.entries.set(a.keyword, a.value);
      return { kind: 'none' };
    }
    return unknown(`the result of .${method.name}(...)`);
  }

  /**
   * Runs a `for` loop over a known sequence by running its body once per item (how
   * `for units in (64, 32): model.add(Dense(units))` is read). Returns the iteration count,
   * or a reason it could not.
   */
  unrollFor(statement: SyntaxNode, scope: Scope): number | string {
    if (statement.name !== 'ForStatement') return 'a while loop has no known sequence';
    const parts = allChildren(statement);
    const inAt = parts.findIndex((p) => p.name === 'in');
    const body = statement.getChild('Body');
    if (inAt < 0 || !body) return 'the loop is incomplete';
    const cursor = body.cursor();
    do {
      if (cursor.name === 'BreakStatement' || cursor.name === 'ContinueStatement')
        return 'the loop uses break/continue';
    } while (cursor.next() && cursor.from < body.to);
    const iterable = this.evaluateList(parts.slice(inAt + 1, -1), scope);
    if (iterable.kind !== 'tuple') return `it loops over ${describe(iterable)}`;
    if (iterable.items.length > maxUnrolled) return `it runs ${iterable.items.length} times`;
    const target = parts.slice(1, inAt);
    for (const item of iterable.items) {
      this.assignTarget(target, item, scope);
      this.execBlock(body, scope);
    }
    return iterable.items.length;
  }

  /** Runs a function defined in the file with the given arguments; its `return` is the value. */
  callFunction(
    fn: Extract<PyValue, { kind: 'function' }>,
    args: Argument[],
    site: SyntaxNode,
    bound: PyValue[] = [],
  ): PyValue {
    if (this.depth >= maxInlineDepth) return unknown(`${fn.name}(...) calls itself too deeply to follow`);
    this.calledFunctions.add(fn.node);
    const scope = new Scope(fn.scope);
    this.bindParameters(fn.node, scope, [
      ...bound.map((value) => ({ keyword: null, value, node: site })),
      ...args,
    ]);
    const body = fn.node.getChild('Body');
    if (!body) return { kind: 'none' };
    this.depth++;
    try {
      this.execBlock(body, scope);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.value;
      throw e;
    } finally {
      this.depth--;
    }
    return { kind: 'none' };
  }

  private bindParameters(def: SyntaxNode, scope: Scope, args: Argument[]): void {
    const params = def.getChild('ParamList');
    if (!params) return;
    const positional = args.filter((a) => a.keyword === null);
    let index = 0;
    let star: string | null = null;
    const parts = allChildren(params);
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.name === '*' || p.name === '**') {
        star = p.name;
        continue;
      }
      if (p.name !== 'VariableName') continue;
      const name = this.source.slice(p);
      if (star === '**') {
        const entries = new Map<string, PyValue>();
        for (const a of args) if (a.keyword) entries.set(a.keyword, a.value);
        scope.set(name, { kind: 'dict', entries });
        continue;
      }
      if (star === '*') {
        scope.set(name, { kind: 'tuple', items: positional.slice(index).map((a) => a.value) });
        index = positional.length;
        continue;
      }
      let value: PyValue | undefined =
        args.find((a) => a.keyword === name)?.value ?? positional[index]?.value;
      index++;
      if (!value && parts[i + 1]?.name === 'TypeDef') i++;
      if (!value && parts[i + 1]?.name === 'AssignOp' && parts[i + 2])
        value = this.evaluate(parts[i + 2]!, scope.parent ?? scope);
      scope.set(name, value ?? unknown(`parameter '${name}' of a function`));
    }
  }
}

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
    default:
      return null;
  }
}

function longOptionName(flags: (string | null)[]): string | null {
  const long = flags.find((f) => f?.startsWith('--')) ?? flags.find((f) => f !== null && !f.startsWith('-'));
  if (!long) return null;
  return long.replace(/^-+/, '').split('-').join('_');
}

function parseNumber(text: string): PyValue {
  const clean = text.split('_').join('');
  const lower = clean.toLowerCase();
  if (lower.endsWith('j')) return unknown('a complex number');
  if (lower.startsWith('0x') || lower.startsWith('0o') || lower.startsWith('0b')) {
    const base = lower[1] === 'x' ? 16 : lower[1] === 'o' ? 8 : 2;
    return num(parseInt(lower.slice(2), base));
  }
  const n = Number(clean);
  return Number.isFinite(n) ? num(n) : unknown(`the number ${text}`);
}

/** Python's binary operators on folded values. */
export function binary(l: PyValue, op: string, r: PyValue): PyValue {
  const a = asNumber(l);
  const b = asNumber(r);
  if (a !== null && b !== null && l.kind !== 'bool' && r.kind !== 'bool') {
    switch (op) {
      case '+':
        return num(a + b);
      case '-':
        return num(a - b);
      case '*':
        return num(a * b);
      case '/':
        return num(a / b);
      case '//':
        return num(Math.floor(a / b));
      case '%':
        return num(((a % b) + b) % b);
      case '**':
        return num(a ** b);
    }
  }
  if (op === '==' || op === '!=' || op === 'is' || op === 'is not') {
    const known = (v: PyValue): boolean =>
      v.kind === 'number' || v.kind === 'string' || v.kind === 'bool' || v.kind === 'none';
    if (!known(l) || !known(r)) return unknown('a comparison');
    const same =
      l.kind === r.kind &&
      (l.kind === 'none' || (l as { value: unknown }).value === (r as { value: unknown }).value);
    return { kind: 'bool', value: op === '==' || op === 'is' ? same : !same };
  }
  if (a !== null && b !== null) {
    switch (op) {
      case '<':
        return { kind: 'bool', value: a < b };
      case '>':
        return { kind: 'bool', value: a > b };
      case '<=':
        return { kind: 'bool', value: a <= b };
      case '>=':
        return { kind: 'bool', value: a >= b };
    }
  }
  if (op === '+' && l.kind === 'string' && r.kind === 'string')
    return { kind: 'string', value: l.value + r.value, node: null };
  if (op === '+' && l.kind === 'tuple' && r.kind === 'tuple')
    return { kind: 'tuple', items: [...l.items, ...r.items] };
  if (op === '*' && l.kind === 'tuple' && b !== null)
    return { kind: 'tuple', items: Array.from({ length: b }, () => l.items).flat() };
  return unknown(`${describe(l)} ${op} ${describe(r)}`);
}
