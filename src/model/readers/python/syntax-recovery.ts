/**
 * A simple statement with a syntax error spanning several lines is usually an unclosed bracket
 * that swallowed the lines after it: each line is parsed and run on its own instead, so a
 * half-typed file still yields its layers.
 */
import type { SyntaxNode } from '@lezer/common';
import type { Interpreter } from './interpreter';
import { hasError, maxRecoveredLines, namedChildren, simpleStatements } from './source-text';
import type { Scope } from './values';

/** Whether the parser skipped tokens inside `node` (the lines an unclosed bracket swallowed). */
function skipsTokens(node: SyntaxNode): boolean {
  const cursor = node.cursor();
  do {
    if (cursor.type.isError && cursor.to > cursor.from) return true;
  } while (cursor.next() && cursor.from <= node.to);
  return false;
}

/** Re-reads a broken multi-line statement line by line; false when it is not one. */
export function recoverLines(interp: Interpreter, statement: SyntaxNode, scope: Scope): boolean {
  const first = interp.source.position(statement.from).line;
  const last = interp.source.position(statement.to).line;
  // Only when the parser skipped tokens (lines swallowed); a merely unfinished statement at the
  // end of the file reads better as it is.
  if (last === first || last - first > maxRecoveredLines || !skipsTokens(statement)) return false;
  for (let line = first; line <= last; line++) {
    for (const s of namedChildren(interp.source.parseLine(line))) {
      if (simpleStatements.has(s.name) && !hasError(s, interp.source)) interp.execStatement(s, scope);
      else if (s.name === 'ExpressionStatement')
        // A broken one-line statement (`model.add(Dense(64)` ): its complete calls still count.
        for (const e of namedChildren(s)) if (!e.type.isError) interp.evaluate(e, scope);
    }
  }
  return true;
}
