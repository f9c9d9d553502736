/**
 * Turns one `tf.layers.x({...})` call into a Keras layer JSON entry and a LayerSpec, keeping the
 * source ranges a quick fix needs (the activation string, the initializer expression).
 */
import ts from 'typescript';
import type { KerasLayerJson, LayerSpec, SourceLocation } from '../../spec';
import { type Folded, propertyKey } from './constant-folding';
import { toSnakeCase, type LayerNamer } from './keras-naming';
import { CONSTRAINT_CLASSES, LAYER_KINDS, TFJS_ACTIVATIONS, TUPLE_KEYS } from './layer-table';
import {
  TFJS_INITIALIZER_CLASSES as INITIALIZER_CLASSES,
  kerasInitializerName,
} from '../../initializer-names';
import type { ParseContext } from './parse-context';
import { positionAt, rangeOf } from './source-range';

export interface ReadLayer {
  json: KerasLayerJson;
  spec: LayerSpec;
}

type KerasConfig = Record<string, unknown>;

/** Reads a layer call; returns null (after recording an issue) when it cannot be understood. */
export function readLayer(
  ctx: ParseContext,
  call: ts.CallExpression,
  factory: string,
  namer: LayerNamer,
): ReadLayer | null {
  const kind = LAYER_KINDS.get(factory);
  if (!kind) {
    ctx.leaveOut(
      call,
      `tf.layers.${factory}`,
      'not understood by Activation Lens yet',
      `tf.layers.${factory} is not understood by Activation Lens yet; this layer is left out of the analyzed model`,
    );
    return null;
  }
  const source: SourceLocation = {
    file: ctx.file,
    ...positionAt(ctx.sf, call.getStart(ctx.sf)),
    end: positionAt(ctx.sf, call.end),
    activationRange: null,
    initializerRange: null,
  };
  const config: KerasConfig = {};
  let inputShape: Folded[] | null = null;
  let batchSize: number | null = null;
  let activation: string | null = kind.fixedActivation ?? null;
  // TF.js (unlike Keras' glorot_uniform) defaults dense and conv kernels to glorotNormal.
  let kernelInitializer: string | null = kind.hasKernel ? 'glorot_normal' : null;
  if (kind.fixedActivation) source.activationRange = rangeOf(ctx.sf, call);

  const args = configLiteral(ctx, call);
  if (args === 'invalid') return null;
  for (const prop of args?.properties ?? []) {
    const key = propertyKey(prop);
    const valueNode = ts.isPropertyAssignment(prop)
      ? prop.initializer
      : ts.isShorthandPropertyAssignment(prop)
        ? prop.name
        : null;
    if (key === null || !valueNode) {
      ctx.issue(
        prop,
        `\`${prop.getText(ctx.sf)}\` in a layer config is not understood; it is ignored`,
        'warning',
      );
      continue;
    }
    const value = unwrap(valueNode);
    if (key.endsWith('Initializer')) {
      const init = readInitializer(ctx, value);
      if (!init) continue;
      config[toSnakeCase(key)] = init.json;
      if (key === 'kernelInitializer' && kind.hasKernel) {
        kernelInitializer = init.kerasName;
        source.initializerRange = rangeOf(ctx.sf, value);
      }
      continue;
    }
    if (key.endsWith('Regularizer') || key.endsWith('Constraint')) {
      const obj = key.endsWith('Regularizer') ? readRegularizer(ctx, value) : readConstraint(ctx, value);
      if (obj) config[toSnakeCase(key)] = obj;
      continue;
    }
    const folded = ctx.folder.fold(value);
    if (!folded.ok) {
      const required = kind.required.includes(key) || key === 'inputShape';
      if (required) {
        ctx.leaveOut(
          folded.node,
          `tf.layers.${factory}`,
          `${key}: ${folded.reason}`,
          `${key}: ${folded.reason}; tf.layers.${factory} cannot be built without it, so it is left out of the analyzed model`,
        );
        return null;
      }
      ctx.issue(folded.node, `${key}: ${folded.reason}; the option is ignored`, 'warning');
      continue;
    }
    const v = folded.value;
    if (key === 'activation') {
      if (typeof v !== 'string' || !TFJS_ACTIVATIONS.has(v)) {
        ctx.issue(
          value,
          `activation ${JSON.stringify(v)} is not a TF.js activation; the option is ignored`,
          'warning',
        );
        continue;
      }
      const keras = toSnakeCase(v);
      config.activation = keras;
      activation = kind.fixedActivation ?? keras;
      source.activationRange = rangeOf(ctx.sf, value);
    } else if (key === 'inputShape' && Array.isArray(v)) {
      inputShape = v;
    } else if (key === 'batchInputShape' && Array.isArray(v)) {
      config.batch_input_shape = v;
    } else if (key === 'inputDim' && typeof v === 'number') {
      inputShape = [v];
    } else if (key === 'batchSize' && typeof v === 'number') {
      batchSize = v;
    } else if (key === 'name') {
      config.name = String(v);
    } else if (TUPLE_KEYS.has(key) && kind.rank > 0 && typeof v === 'number') {
      config[toSnakeCase(key)] = Array.from({ length: kind.rank }, () => v);
    } else {
      config[toSnakeCase(key)] = pythonic(v);
    }
  }
  if (inputShape) config.batch_input_shape = [batchSize, ...inputShape];
  // tfjs-layers 4.x throws "Non-default alpha value … is not supported by the ELU layer yet".
  if (kind.className === 'ELU' && config.alpha !== undefined && config.alpha !== 1) {
    ctx.issue(
      call,
      `tf.layers.elu({alpha: ${String(config.alpha)}}) throws in TF.js (its ELU layer supports only alpha 1); Activation Lens analyzes it with alpha 1`,
      'error',
    );
    delete config.alpha;
  }
  const missing = kind.required.filter((k) => !args?.properties.some((p) => propertyKey(p) === k));
  if (missing.length > 0) {
    ctx.leaveOut(
      call,
      `tf.layers.${factory}`,
      `it needs ${missing.map((k) => `\`${k}\``).join(', ')}`,
      `tf.layers.${factory} needs ${missing.map((k) => `\`${k}\``).join(', ')}; this layer is left out of the analyzed model`,
    );
    return null;
  }
  if (kind.className === 'Activation' && activation === 'linear') activation = null;
  if (activation === 'linear') activation = null;

  const name = typeof config.name === 'string' ? config.name : namer.next(kind.className);
  if (typeof config.name === 'string' && !namer.reserve(config.name)) {
    ctx.issue(call, `two layers are named "${config.name}"; TF.js needs unique layer names`, 'error');
  }
  const ordered: KerasConfig = { name, trainable: true, ...withoutName(config) };
  return {
    json: { class_name: kind.className, config: ordered },
    spec: {
      name,
      className: kind.className,
      activation,
      ...(kind.hasKernel ? { kernelInitializer } : {}),
      source,
    },
  };
}

/** The layer's config object literal (following one `const cfg = {...}`), null when there is none. */
function configLiteral(
  ctx: ParseContext,
  call: ts.CallExpression,
): ts.ObjectLiteralExpression | null | 'invalid' {
  const arg = call.arguments[0];
  if (!arg) return null;
  let expr = unwrap(arg);
  if (ts.isIdentifier(expr)) expr = unwrap(ctx.folder.initializerOf(expr) ?? expr);
  if (ts.isObjectLiteralExpression(expr)) return expr;
  ctx.leaveOut(
    arg,
    `the layer configured by \`${arg.getText(ctx.sf).slice(0, 60)}\``,
    'its config is not an object literal this parser can read',
    `the config of this layer (\`${arg.getText(ctx.sf)}\`) is not an object literal this parser can read; the layer is left out of the analyzed model`,
  );
  return 'invalid';
}

function unwrap(expr: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(expr) ||
    ts.isAsExpression(expr) ||
    ts.isSatisfiesExpression(expr) ||
    ts.isNonNullExpression(expr)
  )
    expr = expr.expression;
  return expr;
}

function withoutName(config: KerasConfig): KerasConfig {
  const { name: _name, ...rest } = config;
  return rest;
}

/** TF.js serializes string values in snake_case (`channelsLast` → `channels_last`); so do we. */
function pythonic(v: Folded): unknown {
  if (typeof v === 'string') return toSnakeCase(v);
  if (Array.isArray(v)) return v.map(pythonic);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [toSnakeCase(k), pythonic(x)]));
  return v;
}

/** A Keras `{class_name, config}` object from a `tf.<namespace>.<fn>(config?)` call. */
function kerasObject(
  ctx: ParseContext,
  call: ts.CallExpression,
  className: string,
): { class_name: string; config: unknown } | null {
  const arg = call.arguments[0];
  if (!arg) return { class_name: className, config: {} };
  const folded = ctx.folder.fold(arg);
  if (!folded.ok) {
    ctx.issue(folded.node, `${folded.reason}; \`${call.getText(ctx.sf)}\` is ignored`, 'warning');
    return null;
  }
  return { class_name: className, config: pythonic(folded.value) };
}

function readInitializer(
  ctx: ParseContext,
  value: ts.Expression,
): { json: unknown; kerasName: string } | null {
  if (ts.isCallExpression(value)) {
    const path = ctx.bindings.pathOf(value.expression);
    const className =
      path && path.length === 2 && path[0] === 'initializers' ? INITIALIZER_CLASSES.get(path[1]!) : undefined;
    if (className) {
      const json = kerasObject(ctx, value, className);
      return json ? { json, kerasName: kerasInitializerName(className) } : null;
    }
  } else {
    const folded = ctx.folder.fold(value);
    const className =
      folded.ok && typeof folded.value === 'string' ? INITIALIZER_CLASSES.get(folded.value) : undefined;
    if (className)
      return { json: { class_name: className, config: {} }, kerasName: kerasInitializerName(className) };
  }
  ctx.issue(
    value,
    `initializer \`${value.getText(ctx.sf)}\` is not understood; the layer uses its default initializer`,
    'warning',
  );
  return null;
}

function readRegularizer(ctx: ParseContext, value: ts.Expression): unknown {
  if (ts.isCallExpression(value)) {
    const path = ctx.bindings.pathOf(value.expression);
    const fn = path && path.length === 2 && path[0] === 'regularizers' ? path[1] : null;
    if (fn === 'l1' || fn === 'l2' || fn === 'l1l2') {
      const obj = kerasObject(ctx, value, 'L1L2');
      if (!obj) return null;
      const cfg = obj.config as Record<string, unknown>;
      // tf.regularizers.l2() defaults to 0.01, like Keras; L1L2 needs both terms spelled out.
      const l1 = typeof cfg.l1 === 'number' ? cfg.l1 : fn === 'l1' ? 0.01 : 0;
      const l2 = typeof cfg.l2 === 'number' ? cfg.l2 : fn === 'l2' ? 0.01 : 0;
      return { class_name: 'L1L2', config: { l1, l2 } };
    }
  }
  ctx.issue(value, `regularizer \`${value.getText(ctx.sf)}\` is not understood; it is ignored`, 'warning');
  return null;
}

function readConstraint(ctx: ParseContext, value: ts.Expression): unknown {
  if (ts.isCallExpression(value)) {
    const path = ctx.bindings.pathOf(value.expression);
    const className =
      path && path.length === 2 && path[0] === 'constraints' ? CONSTRAINT_CLASSES.get(path[1]!) : undefined;
    if (className) return kerasObject(ctx, value, className);
  }
  ctx.issue(value, `constraint \`${value.getText(ctx.sf)}\` is not understood; it is ignored`, 'warning');
  return null;
}
