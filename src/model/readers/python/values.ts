/**
 * The values the Python reader folds: literals, tuples, dicts, references to library names
 * (`keras.layers.Dense`), and framework objects the Keras/PyTorch readers put in ("host" values).
 * Anything else is `unknown` with the reason, so a later use can say what was not understood.
 */
import type { SyntaxNode } from '@lezer/common';

export type PyValue =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string; node: SyntaxNode | null }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'tuple'; items: PyValue[] }
  | { kind: 'dict'; entries: Map<string, PyValue> }
  /** A library name, canonical dotted path: `keras.layers.Dense`, `torch.nn.functional.relu`. */
  | { kind: 'ref'; path: string }
  /** A function defined in the file (called by inlining its body). */
  | { kind: 'function'; node: SyntaxNode; name: string; scope: Scope }
  /** A class defined in the file; `attributes` are what its body binds (`expansion = 1`, methods). */
  | { kind: 'class'; node: SyntaxNode; name: string; bases: PyValue[]; attributes: Map<string, PyValue> }
  | { kind: 'host'; value: object }
  | { kind: 'unknown'; why: string };

export const unknown = (why: string): PyValue => ({ kind: 'unknown', why });
export const num = (value: number): PyValue => ({ kind: 'number', value });

export function asNumber(v: PyValue | undefined): number | null {
  if (!v) return null;
  if (v.kind === 'number') return v.value;
  if (v.kind === 'bool') return v.value ? 1 : 0;
  return null;
}

export function asString(v: PyValue | undefined): string | null {
  return v?.kind === 'string' ? v.value : null;
}

/** A tuple/list of numbers, or a single number repeated `rank` times (Keras `kernel_size=3`). */
export function asIntTuple(v: PyValue | undefined, rank?: number): number[] | null {
  if (!v) return null;
  const n = asNumber(v);
  if (n !== null) return rank ? new Array<number>(rank).fill(n) : [n];
  if (v.kind !== 'tuple') return null;
  const out: number[] = [];
  for (const item of v.items) {
    const x = asNumber(item);
    if (x === null) return null;
    out.push(x);
  }
  return out;
}

/** A shape tuple where `None` means "any": [None, 28] → [null, 28]. */
export function asShape(v: PyValue | undefined): (number | null)[] | null {
  if (!v) return null;
  const n = asNumber(v);
  if (n !== null) return [n];
  if (v.kind !== 'tuple') return null;
  const out: (number | null)[] = [];
  for (const item of v.items) {
    if (item.kind === 'none') out.push(null);
    else {
      const x = asNumber(item);
      if (x === null) return null;
      out.push(x);
    }
  }
  return out;
}

export function isHost<T extends object>(
  v: PyValue | undefined,
  cls: new (...args: never[]) => T,
): v is { kind: 'host'; value: T } {
  return v?.kind === 'host' && v.value instanceof cls;
}

export function hostOf<T extends object>(v: PyValue | undefined, cls: new (...args: never[]) => T): T | null {
  return v?.kind === 'host' && v.value instanceof cls ? (v.value as T) : null;
}

/** Last component of a canonical path: `keras.layers.Dense` → `Dense`. */
export function refName(v: PyValue | undefined): string | null {
  if (v?.kind !== 'ref') return null;
  const dot = v.path.lastIndexOf('.');
  return v.path.slice(dot + 1);
}

/** How a value reads in a message; nested and long lists are cut (a message is one line). */
export function describe(v: PyValue, depth = 0): string {
  switch (v.kind) {
    case 'number':
    case 'bool':
      return String(v.value);
    case 'string':
      return v.value.length > 40 ? `'${v.value.slice(0, 40)}…'` : `'${v.value}'`;
    case 'none':
      return 'None';
    case 'tuple': {
      if (depth >= 3) return '(…)';
      const shown = v.items.slice(0, 8).map((item) => describe(item, depth + 1));
      return `(${shown.join(', ')}${v.items.length > 8 ? `, … ${v.items.length} items` : ''})`;
    }
    case 'ref':
      return v.path;
    case 'unknown':
      return `an unknown value (${v.why})`;
    case 'host': {
      const d = (v.value as { describe?: () => string }).describe;
      return typeof d === 'function' ? d.call(v.value) : 'a framework object';
    }
    case 'function':
      return `the function ${v.name}`;
    case 'class':
      return `the class ${v.name}`;
    default:
      return v.kind;
  }
}

/** Variables of one Python scope (module, function body); lookups fall back to the parent. */
export class Scope {
  private readonly vars = new Map<string, PyValue>();
  /** Modules imported with `from M import *`, canonical paths. */
  readonly starImports: string[] = [];

  constructor(readonly parent: Scope | null = null) {}

  get(name: string): PyValue | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }

  set(name: string, value: PyValue): void {
    this.vars.set(name, value);
  }

  /** The variables bound in this scope itself (not its parents). */
  own(): [string, PyValue][] {
    return [...this.vars];
  }

  stars(): string[] {
    return [...this.starImports, ...(this.parent?.stars() ?? [])];
  }
}
