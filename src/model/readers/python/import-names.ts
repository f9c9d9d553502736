/**
 * Import statements → scope bindings of canonical library paths, so every spelling of a name
 * (`tf.keras.layers.Dense`, `from keras.layers.core import Dense`, `layers.Dense` after
 * `from tensorflow.keras import layers`) ends up as the same `keras.layers.Dense`.
 */
import type { SyntaxNode } from '@lezer/common';
import { allChildren, type SourceText } from './source-text';
import type { Scope } from './values';

/** Rewrites a dotted path to the one spelling the readers match on. */
export function canonicalPath(path: string): string {
  let parts = path.split('.');
  const replacePrefix = (prefix: string[], by: string[]): void => {
    if (prefix.every((p, i) => parts[i] === p)) parts = [...by, ...parts.slice(prefix.length)];
  };
  replacePrefix(['tensorflow', 'python', 'keras'], ['keras']);
  replacePrefix(['tensorflow', 'keras'], ['keras']);
  replacePrefix(['tf_keras'], ['keras']);
  replacePrefix(['keras', '_tf_keras', 'keras'], ['keras']);
  replacePrefix(['keras', 'src'], ['keras']);
  replacePrefix(['keras', 'api'], ['keras']);
  if (parts[0] === 'keras' && parts.length === 2) {
    const top: Record<string, string[]> = {
      Sequential: ['keras', 'models', 'Sequential'],
      Model: ['keras', 'models', 'Model'],
      Input: ['keras', 'layers', 'Input'],
    };
    parts = top[parts[1]!] ?? parts;
  }
  // Old Keras submodules: keras.layers.convolutional.Conv2D, keras.layers.core.Dense …
  if (parts[0] === 'keras' && parts[1] === 'layers' && parts.length > 3)
    parts = ['keras', 'layers', parts[parts.length - 1]!];
  if (parts[0] === 'keras' && parts[1] === 'engine' && parts.length > 2) {
    const last = parts[parts.length - 1]!;
    parts = last === 'Input' || last === 'InputLayer' ? ['keras', 'layers', last] : ['keras', 'models', last];
  }
  if (parts[0] === 'torch' && parts[1] === 'nn' && parts[2] === 'modules' && parts.length > 4)
    parts = ['torch', 'nn', parts[parts.length - 1]!];
  return parts.join('.');
}

/** Binds the names an import statement introduces. */
export function bindImport(statement: SyntaxNode, source: SourceText, scope: Scope): void {
  const children = allChildren(statement);
  const isFrom = children[0]?.name === 'from';
  let i = 1;
  let fromModule = '';
  if (isFrom) {
    const names: string[] = [];
    let relative = false;
    for (; i < children.length && children[i]!.name !== 'import'; i++) {
      const c = children[i]!;
      if (c.name === 'VariableName') names.push(source.slice(c));
      else if (c.name === '.' && names.length === 0) relative = true;
      else if (c.name === 'Ellipsis') relative = true;
    }
    if (relative) return; // the person's own package: nothing we can resolve
    fromModule = names.join('.');
    i++;
  }
  // The rest: dotted names separated by commas, each optionally `as Alias`, maybe in parentheses.
  let dotted: string[] = [];
  let alias: string | null = null;
  let expectAlias = false;
  const flush = (): void => {
    if (dotted.length === 0) return;
    if (isFrom) {
      const local = alias ?? dotted[dotted.length - 1]!;
      scope.set(local, { kind: 'ref', path: canonicalPath(`${fromModule}.${dotted.join('.')}`) });
    } else if (alias) {
      scope.set(alias, { kind: 'ref', path: canonicalPath(dotted.join('.')) });
    } else {
      // `import torch.nn` binds `torch`.
      scope.set(dotted[0]!, { kind: 'ref', path: canonicalPath(dotted[0]!) });
    }
    dotted = [];
    alias = null;
  };
  for (; i < children.length; i++) {
    const c = children[i]!;
    if (c.name === '*') {
      scope.starImports.push(canonicalPath(fromModule));
    } else if (c.name === 'as') {
      expectAlias = true;
    } else if (c.name === 'VariableName') {
      if (expectAlias) {
        alias = source.slice(c);
        expectAlias = false;
      } else dotted.push(source.slice(c));
    } else if (c.name === ',') {
      flush();
    }
  }
  flush();
}

const modelNames = new Set(['Sequential', 'Model', 'load_model', 'model_from_json']);

/** Whether `from M import *` is known to bring `name` (to choose among several star imports). */
export function starModuleExports(module: string, name: string): boolean {
  const capitalized =
    name[0] !== undefined && name[0] === name[0].toUpperCase() && name[0] !== name[0].toLowerCase();
  if (module === 'keras.models') return modelNames.has(name);
  if (module === 'keras.layers') return capitalized && !modelNames.has(name);
  if (module === 'torch.nn') return capitalized;
  return false;
}
