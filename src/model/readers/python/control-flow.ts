/**
 * `return`, `break` and `continue` unwind the interpreter's recursion as thrown signals. They are
 * not Errors: every place that runs a block catches the ones it owns, and the module level turns a
 * stray one into a UserError on its line (Python refuses them there too).
 */
import type { SyntaxNode } from '@lezer/common';
import type { PyValue } from './values';

export class ReturnSignal {
  constructor(
    readonly value: PyValue,
    readonly node: SyntaxNode,
  ) {}
}

export class BreakSignal {
  constructor(readonly node: SyntaxNode) {}
}

export class ContinueSignal {
  constructor(readonly node: SyntaxNode) {}
}

export type ControlSignal = ReturnSignal | BreakSignal | ContinueSignal;

export function isControlSignal(e: unknown): e is ControlSignal {
  return e instanceof ReturnSignal || e instanceof BreakSignal || e instanceof ContinueSignal;
}
