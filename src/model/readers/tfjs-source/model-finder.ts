/**
 * Finds `tf.sequential(...)` models and the layer expressions that go into each, in order:
 * the `layers: [...]` array of the call, then `model.add(...)` calls on the same variable in the
 * same function. Additions inside loops, callbacks or helper functions are reported, not guessed.
 */
import ts from 'typescript';
import type { ParseContext } from './parse-context';

export interface LayerSite {
  /** The expression that yields the layer (a call, or a name bound to one). */
  expr: ts.Expression;
  /** Added under an `if`/`switch`/`?:`: assumed taken, with a warning. */
  conditional: boolean;
}

export interface FoundModel {
  call: ts.CallExpression;
  /** Text of the variable the model is stored in (`model`, `this.model`), or null. */
  variable: string | null;
  name: string | null;
  sites: LayerSite[];
}

export function findSequentialModels(ctx: ParseContext): FoundModel[] {
  const calls: ts.CallExpression[] = [];
  const adds: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    ctx.deadline.tick(node);
    if (ts.isCallExpression(node)) {
      const path = ctx.bindings.pathOf(node.expression);
      if (path && path.length === 1 && path[0] === 'sequential') calls.push(node);
      else if (
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'add' &&
        node.arguments.length === 1
      )
        adds.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sf);
  return calls.map((call) => readModel(ctx, call, adds));
}

/** `tf.model(...)` / `tf.input(...)`: the functional API, which this parser does not read. */
export function findFunctionalModel(ctx: ParseContext): ts.CallExpression | null {
  let found: ts.CallExpression | null = null;
  const visit = (node: ts.Node): void => {
    ctx.deadline.tick(node);
    if (found) return;
    if (ts.isCallExpression(node)) {
      const path = ctx.bindings.pathOf(node.expression);
      if (path && path.length === 1 && path[0] === 'model') found = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sf);
  return found;
}

function readModel(ctx: ParseContext, call: ts.CallExpression, adds: ts.CallExpression[]): FoundModel {
  const model: FoundModel = { call, variable: variableOf(call, ctx.sf), name: null, sites: [] };
  const arg = call.arguments[0];
  if (arg) {
    const config = ts.isIdentifier(arg) ? ctx.folder.initializerOf(arg) : arg;
    if (config && ts.isObjectLiteralExpression(config)) {
      for (const prop of config.properties) {
        const key =
          prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) ? prop.name.text : null;
        const value = ts.isPropertyAssignment(prop)
          ? prop.initializer
          : ts.isShorthandPropertyAssignment(prop)
            ? prop.name
            : null;
        if (key === 'layers' && value) readLayerArray(ctx, value, model);
        else if (key === 'name' && value) {
          const f = ctx.folder.fold(value);
          if (f.ok && typeof f.value === 'string') model.name = f.value;
        } else if (ts.isSpreadAssignment(prop))
          ctx.issue(
            prop,
            'a spread in the tf.sequential config is not understood; only its `layers: [...]` is read',
            'warning',
          );
      }
    } else {
      ctx.issue(
        arg,
        `the tf.sequential config \`${arg.getText(ctx.sf)}\` is not an object literal; its layers are not read`,
        'error',
      );
    }
  }
  if (model.variable) {
    const home = containerOf(call);
    for (const add of adds) {
      const receiver = (add.expression as ts.PropertyAccessExpression).expression;
      if (receiver.getText(ctx.sf) !== model.variable || add.pos < call.pos) continue;
      const problem = placementProblem(add, home);
      if (problem === 'elsewhere') continue;
      const layerArg = add.arguments[0]!;
      if (problem === 'loop' || problem === 'function') {
        const where = problem === 'loop' ? 'inside a loop or callback' : 'inside a helper function';
        ctx.leaveOut(
          add,
          `the layer added ${where}`,
          `a layer added ${where} is not understood`,
          `a layer added ${where} is not understood; it is left out of the analyzed model (write the layers out one by one)`,
          model,
        );
        markLayerCalls(ctx, layerArg);
        continue;
      }
      model.sites.push({ expr: layerArg, conditional: problem === 'conditional' });
    }
  }
  return model;
}

function readLayerArray(ctx: ParseContext, value: ts.Expression, model: FoundModel): void {
  const arr = ts.isIdentifier(value) ? ctx.folder.initializerOf(value) : value;
  if (!arr || !ts.isArrayLiteralExpression(arr)) {
    ctx.leaveOut(
      value,
      `the layers of \`${value.getText(ctx.sf).slice(0, 60)}\``,
      'the layer list is not an array literal this parser can read',
      `the layer list \`${value.getText(ctx.sf)}\` is not an array literal this parser can read; write the layers out in \`layers: [...]\``,
      model,
    );
    markLayerCalls(ctx, value);
    return;
  }
  for (const el of arr.elements) {
    if (ts.isSpreadElement(el)) {
      ctx.leaveOut(
        el,
        `the layers of \`${el.getText(ctx.sf).slice(0, 60)}\``,
        'a spread in the layer list is not understood',
        `a spread (\`${el.getText(ctx.sf)}\`) in the layer list is not understood; those layers are left out of the analyzed model`,
        model,
      );
      markLayerCalls(ctx, el);
    } else if (!ts.isOmittedExpression(el)) model.sites.push({ expr: el, conditional: false });
  }
}

/** Records every layer call under `node` as reported, so the stray-layer sweep skips them. */
export function markLayerCalls(ctx: ParseContext, node: ts.Node): void {
  const seen = new Set<ts.Node>();
  const visit = (n: ts.Node): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (ts.isCallExpression(n) && ctx.layerFactoryOf(n)) ctx.reported.add(n);
    // `...extra` or `model.add(block)`: the layers live in the const's initializer.
    const init = ts.isIdentifier(n) ? ctx.folder.initializerOf(n) : null;
    if (init) visit(init);
    ts.forEachChild(n, visit);
  };
  visit(node);
}

function variableOf(call: ts.CallExpression, sf: ts.SourceFile): string | null {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (
    ts.isBinaryExpression(parent) &&
    parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    parent.right === node
  )
    return parent.left.getText(sf);
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return `this.${parent.name.text}`;
  return null;
}

function containerOf(node: ts.Node): ts.Node {
  let n = node.parent;
  while (n && !ts.isSourceFile(n) && !ts.isFunctionLike(n) && !ts.isClassLike(n)) n = n.parent;
  return n;
}

type Placement = 'straight' | 'conditional' | 'loop' | 'function' | 'elsewhere';

/** How an `add` call sits relative to the function that created the model. */
function placementProblem(add: ts.CallExpression, home: ts.Node): Placement {
  let conditional = false;
  let sawFunction: 'loop' | 'function' | null = null;
  for (let n: ts.Node = add.parent; n; n = n.parent) {
    if (n === home) return sawFunction ?? (conditional ? 'conditional' : 'straight');
    if (ts.isClassLike(home) && ts.isClassLike(n)) break;
    if (ts.isIterationStatement(n, false)) sawFunction ??= 'loop';
    else if (ts.isFunctionLike(n)) {
      // A class property initializer's model (`model = tf.sequential()`) is filled in methods.
      if (ts.isClassLike(home) && n.parent === home) continue;
      sawFunction ??= ts.isCallExpression(n.parent) ? 'loop' : 'function';
    } else if (
      ts.isIfStatement(n) ||
      ts.isConditionalExpression(n) ||
      ts.isSwitchStatement(n) ||
      ts.isTryStatement(n)
    )
      conditional = true;
    if (ts.isSourceFile(n)) break;
  }
  // Reached a class that owns the model property, or never met the model's function at all.
  if (ts.isClassLike(home)) return sawFunction === 'loop' ? 'loop' : conditional ? 'conditional' : 'straight';
  return 'elsewhere';
}
