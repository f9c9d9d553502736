/**
 * Limits on what reading one Python file may cost. The reader follows the script statically (it
 * folds loops, helpers and recursion), so a hostile or merely huge file could otherwise run for
 * minutes, exhaust memory or overflow the stack. Every overrun is a UserError on the line that
 * caused it, never a hang, an abort or an internal error.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import type { SourceText } from './source-text';

export interface ReadLimits {
  /** Statements and expressions evaluated, over the whole file. */
  steps: number;
  /** Wall-clock time for the whole read. */
  millis: number;
  /** Calls of functions defined in the file, nested (recursion). */
  callDepth: number;
  /** Expressions and blocks nested inside each other (CPython refuses 200 nested parentheses). */
  nesting: number;
  /** Items in one list or tuple. */
  listItems: number;
  /** Items in all lists built while reading. */
  totalItems: number;
  /** Characters in one string. */
  stringLength: number;
  /** Layers built (a model with more is not one the reader can follow). */
  layers: number;
  /** Steps a loop that builds no layers may take before it is given up (its results unknown). */
  sideLoopSteps: number;
  /** Size of the source file in characters. */
  sourceChars: number;
}

export const defaultReadLimits: ReadLimits = {
  steps: 1_000_000,
  millis: 4_000,
  callDepth: 32,
  nesting: 200,
  listItems: 100_000,
  totalItems: 2_000_000,
  stringLength: 1_000_000,
  layers: 10_000,
  sideLoopSteps: 20_000,
  sourceChars: 1_000_000,
};

const hint =
  'the reader follows the model statically; write this part with literal sizes, or save the model (.keras, .h5 or a TF.js model.json) and analyze that file';

/** Thrown to give up a loop that builds no layers once it has cost too much (see Interpreter). */
export class SideLoopExhausted {
  constructor(readonly loop: SyntaxNode) {}
}

export class ReadBudget {
  private steps = 0;
  private items = 0;
  private layers = 0;
  private readonly deadline: number;
  /** Open loops that build no layers: the step count when each began. */
  private readonly sideLoops: { loop: SyntaxNode; start: number }[] = [];

  constructor(
    private readonly source: SourceText,
    readonly limits: ReadLimits = defaultReadLimits,
  ) {
    this.deadline = Date.now() + limits.millis;
  }

  /** One evaluation step at `node`. */
  step(node: SyntaxNode): void {
    this.steps++;
    if (this.steps > this.limits.steps)
      this.fail(
        node,
        `reading the model takes more than ${this.limits.steps.toLocaleString('en-US')} steps (loops or recursion too large to follow without running the script)`,
      );
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline)
      this.fail(node, `reading the model takes more than ${this.limits.millis / 1000} s`);
    const side = this.sideLoops[this.sideLoops.length - 1];
    if (side && this.steps - side.start > this.limits.sideLoopSteps) throw new SideLoopExhausted(side.loop);
  }

  /** A list of `count` items is about to be built at `node`. */
  allocate(count: number, node: SyntaxNode): void {
    if (!Number.isFinite(count) || count > this.limits.listItems)
      this.fail(
        node,
        `a list of ${Number.isFinite(count) ? count.toLocaleString('en-US') : 'unbounded'} items (the reader builds lists of up to ${this.limits.listItems.toLocaleString('en-US')})`,
      );
    this.items += count;
    if (this.items > this.limits.totalItems)
      this.fail(
        node,
        `the lists built while reading exceed ${this.limits.totalItems.toLocaleString('en-US')} items`,
      );
  }

  /** A string of `length` characters is about to be built at `node`. */
  string(length: number, node: SyntaxNode): void {
    if (length > this.limits.stringLength)
      this.fail(node, `a string of ${length.toLocaleString('en-US')} characters`);
  }

  /** One more layer built at `node`. */
  layer(node: SyntaxNode): void {
    if (++this.layers > this.limits.layers)
      this.fail(node, `the model has more than ${this.limits.layers.toLocaleString('en-US')} layers`);
  }

  callDepthExceeded(node: SyntaxNode, name: string): never {
    this.fail(
      node,
      `calls of ${name}() nest more than ${this.limits.callDepth} deep (recursion the reader cannot follow without running it)`,
    );
  }

  /** Runs a loop that builds no layers; `SideLoopExhausted` ends it once it costs too much. */
  sideLoop<T>(loop: SyntaxNode, body: () => T): T {
    this.sideLoops.push({ loop, start: this.steps });
    try {
      return body();
    } finally {
      this.sideLoops.pop();
    }
  }

  /** A loop that builds layers runs under the whole-file budget only, even inside a side loop. */
  modelLoop<T>(body: () => T): T {
    const saved = this.sideLoops.splice(0);
    try {
      return body();
    } finally {
      this.sideLoops.push(...saved);
    }
  }

  fail(node: SyntaxNode, message: string): never {
    throw new UserError(message, this.source.file, this.source.position(node.from).line, hint);
  }
}
