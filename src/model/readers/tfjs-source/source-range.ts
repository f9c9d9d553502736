/** Converts TypeScript node offsets into the 1-based positions ModelSpec uses. */
import ts from 'typescript';
import type { SourcePosition } from '../../spec';

export function positionAt(sf: ts.SourceFile, offset: number): SourcePosition {
  const { line, character } = sf.getLineAndCharacterOfPosition(offset);
  return { line: line + 1, column: character + 1 };
}

/** Start (first character) and end (exclusive) of a node, without leading trivia. */
export function rangeOf(sf: ts.SourceFile, node: ts.Node): { start: SourcePosition; end: SourcePosition } {
  return { start: positionAt(sf, node.getStart(sf)), end: positionAt(sf, node.end) };
}
