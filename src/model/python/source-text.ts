/**
 * One Python file as the parsers see it: the text, its lezer tree, and offset → 1-based
 * line/column conversion (columns count UTF-16 code units, as VS Code does).
 */
import { parser } from '@lezer/python';
import type { SyntaxNode, Tree } from '@lezer/common';
import type { SourceIssue, SourceLocation, SourcePosition } from '../spec';

export class SourceText {
  readonly tree: Tree;
  readonly issues: SourceIssue[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    this.tree = parser.parse(text);
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
    const { line, column } = this.position(node.from);
    if (this.issues.some((i) => i.line === line && i.column === column && i.message === message)) return;
    this.issues.push({ file: this.file, line, column, message, severity });
  }

  /** Syntax errors become issues (one per line) so a half-typed file still yields a model. */
  reportSyntaxErrors(): void {
    const seenLines = new Set<number>();
    const cursor = this.tree.cursor();
    do {
      if (!cursor.type.isError) continue;
      const { line } = this.position(cursor.from);
      if (seenLines.has(line)) continue;
      seenLines.add(line);
      const near = this.text.slice(cursor.from, cursor.to).trim();
      const what = near ? `near '${near.slice(0, 30)}'` : 'here';
      this.report(cursor.node, `Python syntax error ${what}; this statement may be read incompletely`, 'error');
    } while (cursor.next());
  }
}

/** The named children of a node, without punctuation and keywords. */
export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (isPunctuation(c)) continue;
    out.push(c);
  }
  return out;
}

/** Every child, punctuation included (assignment and argument lists need the commas and `=`). */
export function allChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

const punctuation = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '.', ';']);

function isPunctuation(node: SyntaxNode): boolean {
  return punctuation.has(node.name) || (node.firstChild === null && /^[a-z]+$/.test(node.name) && node.name !== 'pass');
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
  const quote = raw.startsWith('"""', i) || raw.startsWith("'''", i) ? raw.slice(i, i + 3) : raw.slice(i, i + 1);
  if (!raw.endsWith(quote) || raw.length < i + 2 * quote.length) return null;
  return raw.slice(i + quote.length, raw.length - quote.length);
}
