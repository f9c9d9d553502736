/**
 * Budgets for reading one TF.js source file, checked before and while it is walked: the TypeScript
 * parser and the walks here recurse once per nesting level, so 3,000 nested parentheses or a
 * 5,000-term sum would overflow the stack; very large files or models would take minutes. Every
 * overrun is a UserError naming the file and the line.
 */
import ts from 'typescript';
import { UserError } from '../../../errors';
import { MAX_LAYERS } from '../../build/topology-check';

/** Model scripts are a few KB; 1 M characters is a generated file, which is read, but no more. */
export const MAX_SOURCE_CHARS = 1_000_000;
/** Brackets nested deeper than any hand-written code (and far below the parser's stack limit). */
export const MAX_BRACKET_DEPTH = 200;
/** Syntax-tree depth: a long operator chain nests without brackets (`1 + 1 + … + 1`). */
export const MAX_TREE_DEPTH = 500;
export const MAX_TREE_NODES = 2_000_000;
/** Layers one model may have: what the model builder accepts (src/model/build/topology-check.ts). */
export const MAX_SOURCE_LAYERS = MAX_LAYERS;
/** Reading a model script takes milliseconds; past this something is pathological. */
export const MAX_READ_MS = 15_000;

const HINT =
  'Activation Lens reads model definitions, not generated or minified code; move the model into a file of its own';

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Size and bracket nesting, from the scanner's tokens alone (no tree, no recursion), so that the
 * parser never sees text that would overflow its stack.
 */
export function checkSourceText(text: string, file: string, variant: ts.LanguageVariant): void {
  if (text.length > MAX_SOURCE_CHARS)
    throw new UserError(
      `the file has ${text.length.toLocaleString('en-US')} characters, above the ${MAX_SOURCE_CHARS.toLocaleString('en-US')} read for a model source`,
      file,
      null,
      HINT,
    );
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, variant, text);
  let depth = 0;
  // Depths at which a template literal's `${` opened: its `}` continues the template.
  const templates: number[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    switch (token) {
      case ts.SyntaxKind.OpenParenToken:
      case ts.SyntaxKind.OpenBracketToken:
      case ts.SyntaxKind.OpenBraceToken:
        depth++;
        break;
      case ts.SyntaxKind.TemplateHead:
        depth++;
        templates.push(depth);
        break;
      case ts.SyntaxKind.CloseParenToken:
      case ts.SyntaxKind.CloseBracketToken:
        depth = Math.max(0, depth - 1);
        break;
      case ts.SyntaxKind.CloseBraceToken:
        if (templates.length && templates[templates.length - 1] === depth) {
          const next = scanner.reScanTemplateToken(false);
          if (next === ts.SyntaxKind.TemplateTail) {
            templates.pop();
            depth--;
          }
        } else depth = Math.max(0, depth - 1);
        break;
    }
    if (depth > MAX_BRACKET_DEPTH)
      throw new UserError(
        `brackets nest more than ${MAX_BRACKET_DEPTH} levels deep here`,
        file,
        lineAt(text, scanner.getTokenStart()),
        HINT,
      );
  }
}

/** Depth and size of the syntax tree, walked with an explicit stack. */
export function checkSyntaxTree(sf: ts.SourceFile, file: string): void {
  const stack: [ts.Node, number][] = [[sf, 0]];
  let nodes = 0;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (++nodes > MAX_TREE_NODES)
      throw new UserError(
        `the file has more than ${MAX_TREE_NODES.toLocaleString('en-US')} syntax nodes`,
        file,
        null,
        HINT,
      );
    if (depth > MAX_TREE_DEPTH)
      throw new UserError(
        `expressions nest more than ${MAX_TREE_DEPTH} levels deep here (a long operator chain?)`,
        file,
        sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1,
        HINT,
      );
    ts.forEachChild(node, (child) => {
      stack.push([child, depth + 1]);
    });
  }
}

/** A wall-clock budget for the walks over one file; `tick` is cheap enough to call per node. */
export class ReadDeadline {
  private readonly until: number;
  private ticks = 0;

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly file: string,
    ms = MAX_READ_MS,
  ) {
    this.until = Date.now() + ms;
  }

  tick(node: ts.Node): void {
    if ((++this.ticks & 1023) !== 0 || Date.now() <= this.until) return;
    throw new UserError(
      `reading the model took longer than ${MAX_READ_MS / 1000} s (stopped here)`,
      this.file,
      this.sf.getLineAndCharacterOfPosition(node.getStart(this.sf)).line + 1,
      HINT,
    );
  }
}
