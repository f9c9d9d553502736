/**
 * Folds the constant expressions tutorials put in layer configs: literals, arrays, object
 * literals, arithmetic, and references to `const` (or never-reassigned `let`/`var`) names in an
 * enclosing scope, e.g. `inputShape: [IMAGE_WIDTH, IMAGE_HEIGHT, 1]` or `units: HIDDEN * 2`.
 */
import ts from 'typescript';

export type Folded = number | string | boolean | null | Folded[] | { [key: string]: Folded };

export type FoldResult = { ok: true; value: Folded } | { ok: false; node: ts.Node; reason: string };

interface Declaration {
  decl: ts.VariableDeclaration;
  scope: ts.Node;
  isConst: boolean;
}

export class ConstantFolder {
  private readonly declarations = new Map<string, Declaration[]>();
  private readonly reassigned = new Set<string>();

  constructor(sf: ts.SourceFile) {
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) {
        const list = node.parent;
        const isConst = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
        const entry = { decl: node, scope: scopeOf(node), isConst };
        const existing = this.declarations.get(node.name.text);
        if (existing) existing.push(entry);
        else this.declarations.set(node.name.text, [entry]);
      } else if (
        ts.isBinaryExpression(node) &&
        isAssignment(node.operatorToken.kind) &&
        ts.isIdentifier(node.left)
      ) {
        this.reassigned.add(node.left.text);
      } else if (
        (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
        ts.isIdentifier(node.operand)
      ) {
        if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
          this.reassigned.add(node.operand.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }

  /** The initializer a name refers to at `site`, when it is a constant binding; else null. */
  initializerOf(name: ts.Identifier): ts.Expression | null {
    const decl = this.resolve(name);
    return decl?.decl.initializer ?? null;
  }

  fold(expr: ts.Expression, depth = 0): FoldResult {
    if (depth > 32) return { ok: false, node: expr, reason: 'the constant is defined in terms of itself' };
    if (
      ts.isParenthesizedExpression(expr) ||
      ts.isAsExpression(expr) ||
      ts.isSatisfiesExpression(expr) ||
      ts.isNonNullExpression(expr) ||
      ts.isTypeAssertionExpression(expr)
    ) {
      return this.fold(expr.expression, depth + 1);
    }
    if (ts.isNumericLiteral(expr)) return { ok: true, value: Number(expr.text) };
    if (ts.isStringLiteralLike(expr)) return { ok: true, value: expr.text };
    if (expr.kind === ts.SyntaxKind.TrueKeyword) return { ok: true, value: true };
    if (expr.kind === ts.SyntaxKind.FalseKeyword) return { ok: true, value: false };
    if (expr.kind === ts.SyntaxKind.NullKeyword) return { ok: true, value: null };
    if (ts.isPrefixUnaryExpression(expr)) {
      const inner = this.fold(expr.operand, depth + 1);
      if (!inner.ok) return inner;
      if (typeof inner.value === 'number' && expr.operator === ts.SyntaxKind.MinusToken)
        return { ok: true, value: -inner.value };
      if (typeof inner.value === 'number' && expr.operator === ts.SyntaxKind.PlusToken) return inner;
      return { ok: false, node: expr, reason: 'unsupported unary operator' };
    }
    if (ts.isBinaryExpression(expr)) return this.foldBinary(expr, depth);
    if (ts.isArrayLiteralExpression(expr)) {
      const out: Folded[] = [];
      for (const el of expr.elements) {
        if (ts.isSpreadElement(el))
          return { ok: false, node: el, reason: 'a spread (`...`) is not understood here' };
        if (ts.isOmittedExpression(el))
          return { ok: false, node: el, reason: 'an array hole is not understood' };
        const r = this.fold(el, depth + 1);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    if (ts.isObjectLiteralExpression(expr)) {
      const out: { [key: string]: Folded } = {};
      for (const prop of expr.properties) {
        const key = propertyKey(prop);
        if (key === null)
          return { ok: false, node: prop, reason: 'a spread or computed key is not understood here' };
        const value = ts.isShorthandPropertyAssignment(prop)
          ? prop.name
          : ts.isPropertyAssignment(prop)
            ? prop.initializer
            : null;
        if (!value) return { ok: false, node: prop, reason: 'a method is not understood in a config' };
        const r = this.fold(value, depth + 1);
        if (!r.ok) return r;
        out[key] = r.value;
      }
      return { ok: true, value: out };
    }
    if (ts.isIdentifier(expr)) {
      if (expr.text === 'undefined') return { ok: true, value: null };
      const init = this.initializerOf(expr);
      if (!init)
        return { ok: false, node: expr, reason: `\`${expr.text}\` is not a constant this parser can see` };
      return this.fold(init, depth + 1);
    }
    if (ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr)) {
      const base = this.fold(expr.expression, depth + 1);
      if (!base.ok)
        return {
          ok: false,
          node: expr,
          reason: `\`${expr.getText()}\` is not a constant this parser can see`,
        };
      const key = ts.isPropertyAccessExpression(expr)
        ? expr.name.text
        : this.fold(expr.argumentExpression, depth + 1);
      const k = typeof key === 'string' ? key : key.ok ? key.value : null;
      const v = base.value;
      if (Array.isArray(v) && typeof k === 'number' && k in v) return { ok: true, value: v[k]! };
      if (Array.isArray(v) && k === 'length') return { ok: true, value: v.length };
      if (v && typeof v === 'object' && !Array.isArray(v) && typeof k === 'string' && k in v)
        return { ok: true, value: v[k]! };
      return { ok: false, node: expr, reason: `\`${expr.getText()}\` has no constant value` };
    }
    return { ok: false, node: expr, reason: `\`${truncate(expr.getText())}\` is not a constant` };
  }

  private foldBinary(expr: ts.BinaryExpression, depth: number): FoldResult {
    const left = this.fold(expr.left, depth + 1);
    if (!left.ok) return left;
    const right = this.fold(expr.right, depth + 1);
    if (!right.ok) return right;
    const a = left.value;
    const b = right.value;
    const op = expr.operatorToken.kind;
    if (typeof a === 'number' && typeof b === 'number') {
      switch (op) {
        case ts.SyntaxKind.PlusToken:
          return { ok: true, value: a + b };
        case ts.SyntaxKind.MinusToken:
          return { ok: true, value: a - b };
        case ts.SyntaxKind.AsteriskToken:
          return { ok: true, value: a * b };
        case ts.SyntaxKind.SlashToken:
          return { ok: true, value: a / b };
        case ts.SyntaxKind.PercentToken:
          return { ok: true, value: a % b };
        case ts.SyntaxKind.AsteriskAsteriskToken:
          return { ok: true, value: a ** b };
        default:
          break;
      }
    }
    if (
      op === ts.SyntaxKind.PlusToken &&
      typeof a === 'string' &&
      (typeof b === 'string' || typeof b === 'number')
    )
      return { ok: true, value: a + String(b) };
    return { ok: false, node: expr, reason: `\`${truncate(expr.getText())}\` is not a constant` };
  }

  /** The innermost declaration of `name` whose scope encloses the use, if it never changes. */
  private resolve(name: ts.Identifier): Declaration | null {
    const candidates = this.declarations.get(name.text);
    if (!candidates) return null;
    let best: Declaration | null = null;
    let bestDepth = -1;
    for (const c of candidates) {
      if (!encloses(c.scope, name)) continue;
      const d = depthOf(c.scope);
      if (d > bestDepth) {
        best = c;
        bestDepth = d;
      }
    }
    if (!best) return null;
    if (!best.isConst && this.reassigned.has(name.text)) return null;
    return best;
  }
}

/** A property's key in an object literal, or null for spreads and computed keys. */
export function propertyKey(prop: ts.ObjectLiteralElementLike): string | null {
  if (ts.isSpreadAssignment(prop)) return null;
  const name = prop.name;
  if (!name) return null;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return null;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** The block-like node a `const`/`let` (or function-wide `var`) binding is visible in. */
function scopeOf(decl: ts.VariableDeclaration): ts.Node {
  const list = decl.parent;
  const blockScoped = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.BlockScoped) !== 0;
  let node: ts.Node = decl;
  while (node.parent) {
    node = node.parent;
    if (ts.isSourceFile(node) || ts.isFunctionLike(node)) return node;
    if (
      blockScoped &&
      (ts.isBlock(node) ||
        ts.isForStatement(node) ||
        ts.isForOfStatement(node) ||
        ts.isForInStatement(node) ||
        ts.isCaseBlock(node))
    )
      return node;
  }
  return node;
}

function encloses(scope: ts.Node, node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === scope) return true;
  return false;
}

function depthOf(node: ts.Node): number {
  let d = 0;
  for (let n = node.parent; n; n = n.parent) d++;
  return d;
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}…` : oneLine;
}
