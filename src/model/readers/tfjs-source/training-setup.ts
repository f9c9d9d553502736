/**
 * The training setup a TF.js script spells out: `model.compile({optimizer, loss})`,
 * `model.fit(x, y, {batchSize, epochs, validationSplit})` / `fitDataset(ds, {epochs})`, and a
 * hint of the dataset (an MNIST data helper, as in the TF.js examples). These are defaults the
 * person can override, so anything unreadable is an info issue, not an error.
 */
import ts from 'typescript';
import type { TrainingSetup } from '../../spec';
import { propertyKey } from './constant-folding';
import { toSnakeCase } from './keras-naming';
import type { ParseContext } from './parse-context';

export function readTrainingSetup(ctx: ParseContext, modelName: string | null): TrainingSetup {
  const training: TrainingSetup = {};
  const compiles: ts.CallExpression[] = [];
  const fits: { call: ts.CallExpression; options: ts.Expression | undefined }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      if (method === 'compile' && node.arguments.length === 1) compiles.push(node);
      else if (method === 'fit' && node.arguments.length >= 2)
        fits.push({ call: node, options: node.arguments[2] });
      else if (method === 'fitDataset' && node.arguments.length >= 1)
        fits.push({ call: node, options: node.arguments[1] });
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sf);
  // Prefer calls on the analyzed model's own variable; scripts often compile it elsewhere.
  const onModel = (c: ts.CallExpression): boolean =>
    modelName !== null &&
    (c.expression as ts.PropertyAccessExpression).expression.getText(ctx.sf) === modelName;
  const compile = compiles.find(onModel) ?? compiles[0];
  const fit = fits.find((f) => onModel(f.call)) ?? fits[0];

  for (const [key, value] of objectEntries(ctx, compile?.arguments[0])) {
    if (key === 'optimizer') readOptimizer(ctx, value, training);
    else if (key === 'loss') {
      const f = ctx.folder.fold(value);
      const path = ts.isExpression(value) ? ctx.bindings.pathOf(value) : null;
      if (f.ok && typeof f.value === 'string') training.loss = toSnakeCase(f.value);
      else if (path && path[0] === 'losses' && path.length === 2) training.loss = toSnakeCase(path[1]!);
      else
        ctx.issue(
          value,
          `loss \`${value.getText(ctx.sf)}\` is not understood; the default loss is used`,
          'info',
        );
    }
  }
  for (const [key, value] of objectEntries(ctx, fit?.options)) {
    const target =
      key === 'batchSize'
        ? 'batchSize'
        : key === 'epochs'
          ? 'epochs'
          : key === 'validationSplit'
            ? 'validationSplit'
            : null;
    if (!target) continue;
    const f = ctx.folder.fold(value);
    if (f.ok && typeof f.value === 'number') training[target] = f.value;
    else
      ctx.issue(value, `${key} \`${value.getText(ctx.sf)}\` is not a constant; the default is used`, 'info');
  }
  const dataset = datasetHint(ctx);
  if (dataset) training.dataset = dataset;
  return training;
}

function readOptimizer(ctx: ParseContext, value: ts.Expression, training: TrainingSetup): void {
  const f = ctx.folder.fold(value);
  if (f.ok && typeof f.value === 'string') {
    training.optimizer = toSnakeCase(f.value);
    return;
  }
  if (ts.isCallExpression(value)) {
    const path = ctx.bindings.pathOf(value.expression);
    if (path && path.length === 2 && path[0] === 'train') {
      training.optimizer = toSnakeCase(path[1]!);
      const lr = value.arguments[0];
      if (lr) {
        const r = ctx.folder.fold(lr);
        if (r.ok && typeof r.value === 'number') training.learningRate = r.value;
        else
          ctx.issue(
            lr,
            `learning rate \`${lr.getText(ctx.sf)}\` is not a constant; the default is used`,
            'info',
          );
      }
      return;
    }
  }
  ctx.issue(
    value,
    `optimizer \`${value.getText(ctx.sf)}\` is not understood; the default optimizer is used`,
    'info',
  );
}

/** Key/value pairs of an object literal argument (following one `const opts = {...}`). */
function objectEntries(ctx: ParseContext, arg: ts.Expression | undefined): [string, ts.Expression][] {
  if (!arg) return [];
  let expr = arg;
  if (ts.isIdentifier(expr)) expr = ctx.folder.initializerOf(expr) ?? expr;
  if (!ts.isObjectLiteralExpression(expr)) return [];
  const out: [string, ts.Expression][] = [];
  for (const prop of expr.properties) {
    const key = propertyKey(prop);
    if (key === null) continue;
    if (ts.isPropertyAssignment(prop)) out.push([key, prop.initializer]);
    else if (ts.isShorthandPropertyAssignment(prop)) out.push([key, prop.name]);
  }
  return out;
}

/** The TF.js examples load MNIST through a `MnistData` helper module; fashion variants say so. */
function datasetHint(ctx: ParseContext): string | null {
  const words = [...ctx.bindings.importedNames, ...ctx.bindings.moduleSpecifiers].map((w) => w.toLowerCase());
  if (words.some((w) => w.includes('fashion'))) return 'fashion_mnist';
  if (words.some((w) => w.includes('mnist'))) return 'mnist';
  return null;
}
