/**
 * TF.js source (JS/TS) → ModelSpec. Parses with the TypeScript compiler API (never executes the
 * script) and understands `tf.sequential({layers: [...]})` and `model.add(tf.layers.x({...}))`
 * models; whatever it cannot read becomes a SourceIssue with its line, never a crash.
 */
import { withinStack } from '../stack-guard';
import ts from 'typescript';
import { UserError } from '../../../errors';
import type { KerasLayerJson, LayerSpec, ModelSpec } from '../../spec';
import { ConstantFolder } from './constant-folding';
import { LayerNamer } from './keras-naming';
import { readLayer } from './layer-reader';
import { findFunctionalModel, findSequentialModels, markLayerCalls, type FoundModel } from './model-finder';
import { ParseContext } from './parse-context';
import { checkSourceText, checkSyntaxTree, MAX_SOURCE_LAYERS, ReadDeadline } from './source-budget';
import { positionAt } from './source-range';
import { TfBindings } from './tf-bindings';
import { readTrainingSetup } from './training-setup';

export function parseTfjsSource(text: string, file: string): ModelSpec {
  return withinStack(file, () => parseWithinBudget(text, file));
}

function parseWithinBudget(text: string, file: string): ModelSpec {
  const kind = scriptKindOf(file);
  const jsx = kind === ts.ScriptKind.TSX || kind === ts.ScriptKind.JSX;
  checkSourceText(text, file, jsx ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  checkSyntaxTree(sf, file);
  const ctx = new ParseContext(
    sf,
    file,
    new TfBindings(sf),
    new ConstantFolder(sf),
    new ReadDeadline(sf, file),
  );
  reportSyntaxErrors(ctx);

  const models = findSequentialModels(ctx);
  const chosen = models.find((m) => m.sites.length > 0) ?? models[0];
  if (!chosen) throw noModelError(ctx);
  if (chosen.sites.length > MAX_SOURCE_LAYERS)
    throw new UserError(
      `the model has ${chosen.sites.length} layers, above the limit of ${MAX_SOURCE_LAYERS}`,
      file,
      positionAt(sf, chosen.call.getStart(sf)).line,
      'analyze a smaller model',
    );
  for (const other of models) {
    if (other === chosen) continue;
    ctx.issue(
      other.call,
      `another model is defined here; Activation Lens analyzes the first one (line ${positionAt(sf, chosen.call.getStart(sf)).line})`,
      'info',
    );
    for (const site of other.sites) markLayerCalls(ctx, site.expr);
  }

  const namer = new LayerNamer();
  const layers: KerasLayerJson[] = [];
  const specs: LayerSpec[] = [];
  const used = new Set<ts.Node>();
  for (const site of chosen.sites) {
    ctx.deadline.tick(site.expr);
    const call = layerCallOf(ctx, site.expr);
    if (!call) {
      ctx.leaveOut(
        site.expr,
        `\`${shortText(site.expr, sf)}\``,
        'not a tf.layers call this parser understands (a custom layer?)',
        `\`${shortText(site.expr, sf)}\` is not a tf.layers call this parser understands (a custom layer?); it is left out of the analyzed model`,
      );
      continue;
    }
    used.add(call);
    const layer = readLayer(ctx, call, ctx.layerFactoryOf(call)!, namer);
    if (!layer) continue;
    if (site.conditional)
      ctx.issue(
        site.expr,
        `layer ${layer.spec.name} is added conditionally; Activation Lens assumes the branch is taken`,
        'warning',
      );
    layers.push(layer.json);
    specs.push(layer.spec);
  }
  if (specs.length === 0) {
    const { line } = positionAt(sf, chosen.call.getStart(sf));
    const why = ctx.issues.find((i) => i.severity === 'error');
    throw new UserError(
      `the model has no layers Activation Lens can read${why ? ` (line ${why.line}: ${why.message})` : ''}`,
      file,
      line,
      'add layers with tf.layers.* calls in `layers: [...]` or `model.add(...)`',
    );
  }
  if (!('batch_input_shape' in layers[0]!.config)) {
    ctx.issue(
      chosen.call,
      `the first layer (${specs[0]!.name}) has no inputShape; TF.js needs one to build the model`,
      'error',
    );
  }
  reportStrayLayers(ctx, used, chosen);

  const modelName = chosen.name ?? 'sequential';
  const omitted = ctx.omitted
    .filter((o) => o.owner === null || o.owner === chosen)
    .map((o) => o.part)
    .sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    name: modelName,
    origin: 'tfjs-ts',
    file,
    topology: { class_name: 'Sequential', config: { name: modelName, layers } },
    layers: specs,
    training: readTrainingSetup(ctx, chosen.variable),
    issues: ctx.issues.sort((a, b) => a.line - b.line || a.column - b.column),
    ...(omitted.length > 0 ? { omitted } : {}),
  };
}

function scriptKindOf(file: string): ts.ScriptKind {
  const lower = file.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (lower.endsWith('.js') || lower.endsWith('.mjs') || lower.endsWith('.cjs')) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** Parse errors from a one-file program (the public way to ask for syntactic diagnostics). */
function reportSyntaxErrors(ctx: ParseContext): void {
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === ctx.sf.fileName ? ctx.sf : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '',
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => name === ctx.sf.fileName,
    readFile: () => undefined,
  };
  const program = ts.createProgram({
    rootNames: [ctx.sf.fileName],
    options: { noLib: true, noResolve: true, allowJs: true, noEmit: true },
    host,
  });
  for (const d of program.getSyntacticDiagnostics(ctx.sf)) {
    const { line, column } = positionAt(ctx.sf, d.start ?? 0);
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    ctx.issues.push({
      file: ctx.file,
      line,
      column,
      message: `syntax error: ${message} (TS${d.code})`,
      severity: 'error',
    });
  }
}

/** The tf.layers call an expression stands for: the call itself, or a const bound to one. */
function layerCallOf(ctx: ParseContext, expr: ts.Expression): ts.CallExpression | null {
  let e = expr;
  for (let i = 0; i < 4; i++) {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (ts.isCallExpression(e)) return ctx.layerFactoryOf(e) ? e : null;
    if (!ts.isIdentifier(e)) return null;
    const init = ctx.folder.initializerOf(e);
    if (!init) return null;
    e = init;
  }
  return null;
}

/** Layers created but never placed in the analyzed model (helpers, other constructs): say so. */
function reportStrayLayers(ctx: ParseContext, used: Set<ts.Node>, chosen: FoundModel): void {
  const visit = (node: ts.Node): void => {
    ctx.deadline.tick(node);
    if (ts.isCallExpression(node) && !used.has(node) && !ctx.reported.has(node)) {
      const factory = ctx.layerFactoryOf(node);
      if (factory) {
        const { line } = positionAt(ctx.sf, chosen.call.getStart(ctx.sf));
        ctx.issue(
          node,
          `tf.layers.${factory} here is not part of the model read from line ${line} (built in a way this parser does not follow); it is not analyzed`,
          'warning',
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sf);
}

function noModelError(ctx: ParseContext): UserError {
  const functional = findFunctionalModel(ctx);
  if (functional) {
    const { line } = positionAt(ctx.sf, functional.getStart(ctx.sf));
    return new UserError(
      'the functional API (tf.model) is not understood yet; only tf.sequential models are read from TF.js source',
      ctx.file,
      line,
      'rewrite the model with tf.sequential, or save it with model.save() and analyze the model.json',
    );
  }
  const at = ctx.bindings.firstImportAt;
  const line = at === null ? 1 : positionAt(ctx.sf, at).line;
  return new UserError(
    'no tf.sequential(...) model found in this file',
    ctx.file,
    line,
    'define the model with tf.sequential({layers: [...]}) or tf.sequential() + model.add(tf.layers.*(...))',
  );
}

function shortText(node: ts.Node, sf: ts.SourceFile): string {
  const text = node.getText(sf).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
