/**
 * A file may define several models (a GAN's generator and discriminator, a siamese backbone and
 * head). One is analyzed, chosen the same way every time: the one the person names (`--model`),
 * else among those the engine can feed (one input), the one the script trains (compiled, fit, or
 * given to an optimizer), else the largest, and among equals the last defined. The others are
 * listed as alternatives, so the person can see which was taken and pick another.
 */
import type { SyntaxNode } from '@lezer/common';
import { UserError } from '../../../errors';
import type { ModelSpec } from '../../spec';
import type { SourceText } from './source-text';

export interface ModelCandidate<T> {
  value: T;
  /** Names the person may use for it; the first is the one shown (unique among candidates). */
  names: string[];
  /** Where it is defined (the class, or the Sequential/Model call). */
  node: SyntaxNode;
  /** Layers (or leaf modules), to prefer the full model over a part of it. */
  size: number;
  /** Compiled, fit or handed to an optimizer in the file. */
  trained: boolean;
  /** Why the engine cannot analyze it (several inputs), or null; chosen only when named. */
  unusable?: string | null;
}

export interface ModelChoice<T> {
  chosen: ModelCandidate<T>;
  /** Where the chosen model is defined, for a lens on its line. */
  definition: { line: number; column: number };
  alternatives: NonNullable<ModelSpec['alternatives']>;
}

/**
 * Makes shown names unique: candidates that share their first name (two instances of one class)
 * are shown by a name only they have (their variable), else `name@line`.
 */
export function uniqueNames<T>(candidates: ModelCandidate<T>[], source: SourceText): void {
  const firsts = candidates.map((c) => c.names[0] ?? 'model');
  const owners = (name: string): number => candidates.filter((c) => c.names.includes(name)).length;
  const taken = new Set<string>();
  candidates.forEach((c, i) => {
    const first = firsts[i]!;
    const shared = firsts.filter((f) => f === first).length > 1;
    const own = shared
      ? c.names.find((n) => owners(n) === 1 && !taken.has(n))
      : taken.has(first)
        ? undefined
        : first;
    const shown = own ?? `${first}@${source.position(c.node.from).line}`;
    c.names = [shown, ...c.names.filter((n) => n !== shown)];
    taken.add(shown);
  });
}

export function chooseModel<T>(
  candidates: ModelCandidate<T>[],
  requested: string | null | undefined,
  source: SourceText,
): ModelChoice<T> | null {
  if (candidates.length === 0) return null;
  uniqueNames(candidates, source);
  const where = (c: ModelCandidate<T>): string => `${c.names[0]} (line ${source.position(c.node.from).line})`;
  let chosen: ModelCandidate<T> | undefined;
  let why: string;
  if (requested) {
    chosen =
      candidates.find((c) => c.names[0] === requested) ??
      candidates.find((c) => c.names.includes(requested)) ??
      candidates.find((c) => c.names.some((n) => n.toLowerCase() === requested.toLowerCase()));
    if (!chosen)
      throw new UserError(
        `no model named '${requested}' in this file`,
        source.file,
        null,
        `choose one of: ${candidates.map(where).join(', ')}`,
      );
    why = 'named with --model';
  } else {
    const usable = candidates.filter((c) => !c.unusable);
    const feedable = usable.length > 0 ? usable : candidates;
    const trained = feedable.filter((c) => c.trained);
    const pool = trained.length > 0 ? trained : feedable;
    let best = pool[0]!;
    for (const c of pool) if (c.size >= best.size) best = c;
    chosen = best;
    why =
      trained.length === 1
        ? 'the one the script trains'
        : trained.length > 1
          ? 'the largest the script trains'
          : 'the largest, defined last among equals';
    const skipped = candidates.filter((c) => c.unusable);
    if (skipped.length > 0 && usable.length > 0)
      why += ` (${skipped.map((c) => `${c.names[0]} ${c.unusable}`).join('; ')})`;
  }
  const others = candidates.filter((c) => c !== chosen);
  if (others.length > 0)
    source.report(
      chosen.node,
      `${candidates.length} models are defined in this file; analyzing ${where(chosen)}, ${why}; the others: ${others.map(where).join(', ')} — choose one with --model NAME`,
      'info',
    );
  return {
    chosen,
    definition: source.position(chosen.node.from),
    alternatives: others.map((c) => ({ name: c.names[0]!, ...source.position(c.node.from) })),
  };
}
