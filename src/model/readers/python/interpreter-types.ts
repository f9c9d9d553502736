/** The shapes the interpreter and the framework readers exchange: arguments, calls, hooks. */
import type { SyntaxNode } from '@lezer/common';
import type { Interpreter } from './interpreter';
import type { SubscriptPart } from './subscripts';
import type { PyValue, Scope } from './values';

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
