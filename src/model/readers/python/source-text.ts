/**
 * One Python file as the parsers see it: the text, its lezer tree, and offset → 1-based
 * line/column conversion (columns count UTF-16 code units, as VS Code does).
 */
import { parser } from '@lezer/python';
import { NodeType, Tree, type SyntaxNode } from '@lezer/common';
import type { SourceIssue, SourceLocation, SourcePosition } from '../../spec';
import { isTrailingDotError } from './number-literal';

export class SourceText {
  readonly tree: Tree;
  readonly issues: SourceIssue[] = [];
  private readonly lineStarts: number[] = [0];

  /** `tree`: the file's tree when it is already parsed (each framework reader reads the same one). */
  constructor(
    readonly text: string,
    readonly file: string,
    tree: Tree | null = null,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    this.tree = tree ?? parser.parse(text);
  }

  /** 1-based line and column of a character offset. */
  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] ?? 0) + 1 };
  }

  /** Offset where a 1-based line starts (the text length past the last line). */
  lineStart(line: number): number {
    return this.lineStarts[line - 1] ?? this.text.length;
  }

  /**
   * One line parsed on its own, placed at its real offsets (its Script node): how a statement
   * swallowed by an unclosed bracket is read again line by line. Only the line is parsed (a prefix
   * of blanks before it made a broken 200 KB file quadratic); the tree is mounted at its offset.
   */
  parseLine(line: number): SyntaxNode {
    const from = this.lineStart(line);
    const to = line < this.lineStarts.length ? this.lineStart(line + 1) : this.text.length;
    const placed = new Tree(
      NodeType.none,
      [parser.parse(this.text.slice(from, to))],
      [from],
      this.text.length,
    );
    return placed.topNode.firstChild ?? placed.topNode;
  }

  /** A syntax error node, except the empty one after a float like `100.` (valid Python). */
  isSyntaxError(node: SyntaxNode): boolean {
    return node.type.isError && !isTrailingDotError(node, this);
  }

  slice(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  range(node: SyntaxNode): { start: SourcePosition; end: SourcePosition } {
    return { start: this.position(node.from), end: this.position(node.to) };
  }

  /** Where a layer is defined: the whole call expression. */
  location(node: SyntaxNode): SourceLocation {
    const start = this.position(node.from);
    return { file: this.file, line: start.line, column: start.column, end: this.position(node.to) };
  }

  /** Records something not understood; `node` places it. Repeats at the same place are dropped. */
  report(node: SyntaxNode, message: string, severity: SourceIssue['severity'] = 'warning'): void {
    this.reportAt(node.from, message, severity);
  }

  /**
   * Syntax errors become issues so a half-typed file still yields a model. An error inside a
   * statement that spans lines (an unclosed bracket swallowing what follows) is placed on the
   * lines that do not parse on their own, which is where the person has to look.
   */
  reportSyntaxErrors(): void {
    const seenLines = new Set<number>();
    const seenStatements = new Set<number>();
    const cursor = this.tree.cursor();
    do {
      if (!cursor.type.isError || !this.isSyntaxError(cursor.node)) continue;
      const statement = enclosingSimpleStatement(cursor.node);
      const first = statement ? this.position(statement.from).line : 0;
      const last = statement ? this.position(statement.to).line : 0;
      if (statement && last > first && last - first <= maxRecoveredLines) {
        if (seenStatements.has(statement.from)) continue;
        seenStatements.add(statement.from);
        for (let line = first; line <= last; line++) {
          if (seenLines.has(line) || !hasError(this.parseLine(line), this)) continue;
          seenLines.add(line);
          this.reportAt(
            this.lineStart(line),
            `Python syntax error on line ${line} (an unclosed bracket or a typo); the statement on lines ${first}–${last} is read as far as possible`,
            'error',
          );
        }
        continue;
      }
      const { line } = this.position(cursor.from);
      if (seenLines.has(line)) continue;
      seenLines.add(line);
      const near = this.text.slice(cursor.from, cursor.to).trim();
      const what = near ? `near '${near.slice(0, 30)}'` : 'here';
      this.reportAt(
        cursor.from,
        `Python syntax error ${what}; this statement may be read incompletely`,
        'error',
      );
    } while (cursor.next());
  }

  reportAt(offset: number, message: string, severity: SourceIssue['severity']): void {
    const { line, column } = this.position(offset);
    if (this.issues.some((i) => i.line === line && i.column === column && i.message === message)) return;
    this.issues.push({ file: this.file, line, column, message, severity });
  }
}

/** A statement broken over more lines than this is not re-read line by line (it is not a typo). */
export const maxRecoveredLines = 200;

export const simpleStatements = new Set([
  'AssignStatement',
  'ExpressionStatement',
  'UpdateStatement',
  'ReturnStatement',
  'StatementGroup',
]);

function enclosingSimpleStatement(node: SyntaxNode): SyntaxNode | null {
  for (let n: SyntaxNode | null = node; n; n = n.parent) if (simpleStatements.has(n.name)) return n;
  return null;
}

/** Whether a subtree holds a syntax error node (not counting the one a `100.` float leaves). */
export function hasError(node: SyntaxNode, source: SourceText): boolean {
  const cursor = node.cursor();
  do {
    if (cursor.type.isError && source.isSyntaxError(cursor.node)) return true;
  } while (cursor.next() && cursor.from <= node.to);
  return false;
}

/**
 * The named children of a node, without punctuation, keywords and comments. Comments sit in the
 * tree wherever they are written (between two arguments of `nn.Sequential(...)`); they must never
 * take the place of the expression after them.
 */
export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (isPunctuation(c) || c.name === 'Comment') continue;
    out.push(c);
  }
  return out;
}

/** Every child but comments, punctuation included (assignment and argument lists need the commas and `=`). */
export function allChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

const punctuation = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '.', ';']);

function isPunctuation(node: SyntaxNode): boolean {
  return (
    punctuation.has(node.name) ||
    (node.firstChild === null && /^[a-z]+$/.test(node.name) && node.name !== 'pass')
  );
}

/** One argument of a call, as written. */
export interface ArgumentSyntax {
  /** The keyword (`activation` in `activation='relu'`), or null for a positional argument. */
  keyword: string | null;
  value: SyntaxNode;
  /** `*args` or `**kwargs`. */
  star: '*' | '**' | null;
}

/** Splits an ArgList into positional, keyword and starred arguments. */
export function callArguments(argList: SyntaxNode, source: SourceText): ArgumentSyntax[] {
  const out: ArgumentSyntax[] = [];
  const parts = allChildren(argList).filter((c) => c.name !== '(' && c.name !== ')');
  let group: SyntaxNode[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const first = group[0]!;
    const last = group[group.length - 1]!;
    if (first.name === '*' || first.name === '**') out.push({ keyword: null, value: last, star: first.name });
    else if (group.length >= 3 && group[1]?.name === 'AssignOp' && first.name === 'VariableName')
      out.push({ keyword: source.slice(first), value: last, star: null });
    else out.push({ keyword: null, value: first, star: null });
    group = [];
  };
  for (const p of parts) {
    if (p.name === ',') flush();
    else if (!p.type.isError || p.from < p.to) group.push(p);
  }
  flush();
  return out.filter((a) => !a.value.type.isError);
}

/** The text of a string literal's value (prefixes and quotes removed; escapes kept as written). */
export function stringValue(node: SyntaxNode, source: SourceText): string | null {
  if (node.name !== 'String') return null;
  const raw = source.slice(node);
  let i = 0;
  while (i < raw.length && raw[i] !== '"' && raw[i] !== "'") i++;
  const quote =
    raw.startsWith('"""', i) || raw.startsWith("'''", i) ? raw.slice(i, i + 3) : raw.slice(i, i + 1);
  if (!raw.endsWith(quote) || raw.length < i + 2 * quote.length) return null;
  return raw.slice(i + quote.length, raw.length - quote.length);
}
