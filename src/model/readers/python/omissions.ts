/**
 * Parts of the person's model the reader left out of what it built (an unsupported layer, a loop
 * it could not follow, an op with no TF.js layer). Each is an error issue on its line and an entry
 * in `spec.omitted`, so the analysis is marked partial, never a quiet success. A part belongs to
 * the model it was left out of; parts that cannot be placed belong to whichever model is chosen.
 */
import type { SyntaxNode } from '@lezer/common';
import type { OmittedSourcePart, SourceIssue } from '../../spec';
import type { SourceText } from './source-text';

export class Omissions {
  private readonly parts: { part: OmittedSourcePart; owner: object | null }[] = [];

  constructor(private readonly source: SourceText) {}

  /**
   * Records `what` (e.g. "keras.layers.Lambda") left out at `node` because of `reason`; `message`
   * is the issue shown on the line (defaults to "what: reason").
   */
  add(
    node: SyntaxNode,
    what: string,
    reason: string,
    owner: object | null = null,
    message: string | null = null,
    severity: SourceIssue['severity'] = 'error',
  ): OmittedSourcePart {
    const { line, column } = this.source.position(node.from);
    const existing = this.parts.find(
      (p) => p.owner === owner && p.part.line === line && p.part.column === column && p.part.what === what,
    );
    if (existing) return existing.part;
    const part: OmittedSourcePart = { what, reason, file: this.source.file, line, column };
    this.parts.push({ part, owner });
    this.source.report(node, message ?? `${what} is left out of the analysis: ${reason}`, severity);
    return part;
  }

  /**
   * A loop that builds (or, in a traced forward, applies) layers and cannot be unrolled because of
   * `reason`: the layers it would add are missing, said as a warning on the loop.
   */
  loopNotFollowed(statement: SyntaxNode, reason: string, owner: object | null, applies: boolean): void {
    const verbs = applies ? 'builds or applies' : 'builds';
    this.add(
      statement,
      `the layers this loop ${verbs}`,
      `the loop cannot be followed without running the script (${reason})`,
      owner,
      `this loop ${verbs} layers but cannot be unrolled (${reason}); those layers are missing from the analysis`,
      'warning',
    );
  }

  /** Adds a part already recorded (for another owner) to `owner` as well. */
  attach(part: OmittedSourcePart, owner: object | null): void {
    if (!this.parts.some((p) => p.part === part && p.owner === owner)) this.parts.push({ part, owner });
  }

  /** The parts left out of `owner`'s model, with those that belong to no model in particular. */
  of(owner: object, extra: OmittedSourcePart[] = []): OmittedSourcePart[] {
    const out: OmittedSourcePart[] = [];
    for (const p of [
      ...this.parts.filter((q) => q.owner === owner || q.owner === null).map((q) => q.part),
      ...extra,
    ])
      if (!out.includes(p)) out.push(p);
    return out.sort((a, b) => a.line - b.line || a.column - b.column);
  }
}
