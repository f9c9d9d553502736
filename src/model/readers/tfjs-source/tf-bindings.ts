/**
 * Which local names refer to TF.js: `import * as tf from '@tensorflow/tfjs'`, named imports,
 * `require('@tensorflow/tfjs-node')`, destructuring (`const {dense} = tf.layers`) and aliases
 * (`const L = tf.layers`). A name maps to its path below the tf namespace: `tf` → [], `layers` →
 * ['layers'], so `tf.layers.dense` and `layers.dense` both resolve to ['layers', 'dense'].
 */
import ts from 'typescript';

export type TfPath = readonly string[];

export class TfBindings {
  private readonly names = new Map<string, TfPath>();
  /** Offset of the first TF.js import/require, for errors that have no better line. */
  firstImportAt: number | null = null;
  /** Module specifiers the file imports, for hints such as an MNIST data helper. */
  readonly importedNames: string[] = [];
  readonly moduleSpecifiers: string[] = [];

  constructor(sf: ts.SourceFile) {
    this.collect(sf);
    // A browser script that loads TF.js with a <script> tag uses the global `tf`.
    if (!this.names.has('tf') && !declaresName(sf, 'tf')) this.names.set('tf', []);
  }

  /** The TF.js path an expression denotes (`tf.layers.dense` → ['layers', 'dense']), or null. */
  pathOf(expr: ts.Expression): TfPath | null {
    if (ts.isParenthesizedExpression(expr)) return this.pathOf(expr.expression);
    if (ts.isIdentifier(expr)) return this.names.get(expr.text) ?? null;
    if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.name)) {
      const base = this.pathOf(expr.expression);
      return base ? [...base, expr.name.text] : null;
    }
    return null;
  }

  private collect(root: ts.Node): void {
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        this.moduleSpecifiers.push(node.moduleSpecifier.text);
        const clause = node.importClause;
        if (clause?.name) this.importedNames.push(clause.name.text);
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings))
          for (const el of bindings.elements) this.importedNames.push(el.name.text);
        if (isTfModule(node.moduleSpecifier.text) && clause) {
          this.noteImport(node);
          // tfjs has no default export, but bundler interop makes `import tf from …` work.
          if (clause.name) this.names.set(clause.name.text, []);
          if (bindings && ts.isNamespaceImport(bindings)) this.names.set(bindings.name.text, []);
          if (bindings && ts.isNamedImports(bindings)) {
            for (const el of bindings.elements)
              this.names.set(el.name.text, [(el.propertyName ?? el.name).text]);
          }
        }
      } else if (ts.isVariableDeclaration(node) && node.initializer) {
        const base = this.baseOf(node.initializer);
        if (base) {
          if (isRequireCall(node.initializer)) this.noteImport(node);
          this.bind(node.name, base);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(root);
  }

  /** The path of a declaration's initializer: a TF.js require or an already known TF.js name. */
  private baseOf(init: ts.Expression): TfPath | null {
    if (isRequireCall(init)) {
      const arg = init.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) this.moduleSpecifiers.push(arg.text);
      return arg && ts.isStringLiteralLike(arg) && isTfModule(arg.text) ? [] : null;
    }
    return this.pathOf(init);
  }

  private bind(name: ts.BindingName, base: TfPath): void {
    if (ts.isIdentifier(name)) {
      this.names.set(name.text, base);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      for (const el of name.elements) {
        const key = el.propertyName ?? el.name;
        if (ts.isIdentifier(key) || ts.isStringLiteral(key)) this.bind(el.name, [...base, key.text]);
      }
    }
  }

  private noteImport(node: ts.Node): void {
    if (this.firstImportAt === null) this.firstImportAt = node.getStart();
  }
}

export function isTfModule(specifier: string): boolean {
  return (
    specifier === '@tensorflow/tfjs' ||
    specifier.startsWith('@tensorflow/tfjs-') ||
    specifier.startsWith('@tensorflow/tfjs/')
  );
}

function isRequireCall(expr: ts.Expression): expr is ts.CallExpression {
  return ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) && expr.expression.text === 'require';
}

function declaresName(sf: ts.SourceFile, name: string): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isFunctionDeclaration(node)) &&
      node.name &&
      ts.isIdentifier(node.name) &&
      node.name.text === name
    )
      found = true;
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
